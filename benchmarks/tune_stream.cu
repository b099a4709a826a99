// tune_stream: sweeps the stream kernel's tuning space on the current NVIDIA GPU and prints
// GB/s per configuration and the best one per op. Its output is what the "untuned" values of
// nvidia_hbm_stream_tuning / nvidia_cache_stream_tuning (include/aaco/kernels/stream.hpp) are to
// be replaced with, together with the card, the date and the figure.
//
// Swept: load policy (all six PTX forms) x store policy (plain, .cs) x loads in flight per thread
// (1, 2, 4, 8) x blocks per SM (1, 2, 4, 8 at 256 threads, where they fit), for HBM read, write,
// copy, triad and for L2 read. Each configuration: 3 warm-up launches, then 20 launches timed with
// events one by one; the figure is their median. Every configuration's output is verified once.
// About 15 s on an H100.
//
// Usage: tune_stream [device-id]
// CUDA only: the AMD side has two load policies and is tuned by hand (see amd_*_stream_tuning).
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/stream.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using aaco::memory_level;
using aaco::stream_op;
using LP = aaco::arch::load_policy;
using SP = aaco::arch::store_policy;
namespace backend = aaco::backend;
namespace kernels = aaco::kernels;

constexpr int block_threads = 256;   // fixed: blocks per SM is swept instead
constexpr int warmup_launches = 3;
constexpr int timed_launches = 20;
constexpr double bytes_per_launch = 2e9; // passes are chosen so that a launch moves ~2 GB

template <auto V>
using constant = std::integral_constant<decltype(V), V>;

template <class F>
void for_each_load(F&& f) {
    f(constant<LP::plain>{});
    f(constant<LP::streaming>{});
    f(constant<LP::last_use>{});
    f(constant<LP::l2_only>{});
    f(constant<LP::no_allocate>{});
    f(constant<LP::no_allocate_l2_prefetch>{});
}
template <class F>
void for_each_store(F&& f) {
    f(constant<SP::plain>{});
    f(constant<SP::streaming>{});
}
template <class F>
void for_each_in_flight(F&& f) {
    f(constant<1>{});
    f(constant<2>{});
    f(constant<4>{});
    f(constant<8>{});
}

struct result {
    std::string level, op, load, store;
    int in_flight = 0, blocks_per_sm = 0;
    double gbps = 0;
    bool verified = false;
};

/// One level/op under test: its arrays and where the results go.
struct bench {
    memory_level level;
    stream_op op;
    kernels::stream_arrays* arrays;
    std::uint64_t vectors; ///< vectors allocated per array
    backend::device_buffer<std::uint32_t>* partial;
    const aaco::device_info* dev;
    backend::native_stream s;
    std::vector<result>* results;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

template <stream_op Op, int U, LP L, SP S>
void run_config(const bench& b) {
    const int fit = kernels::stream_blocks_per_unit<Op, block_threads, U, L, S>();
    const auto t = aaco::traffic(Op);
    for (int bpsm : {1, 2, 4, 8}) {
        result r;
        r.level = std::string(aaco::to_string(b.level));
        r.op = std::string(aaco::to_string(Op));
        r.load = t.arrays_read > 0 ? std::string(aaco::arch::to_string(L)) : "-";
        r.store = t.arrays_written > 0 ? std::string(aaco::arch::to_string(S)) : "-";
        r.in_flight = U;
        r.blocks_per_sm = bpsm;
        if (bpsm > fit) {
            std::printf("%-4s %-6s load=%-24s store=%-10s in_flight=%d blocks/SM=%d : does not fit (max %d)\n",
                        r.level.c_str(), r.op.c_str(), r.load.c_str(), r.store.c_str(), U, bpsm, fit);
            continue;
        }
        const unsigned grid = static_cast<unsigned>(b.dev->compute_units * bpsm);
        if (b.level != memory_level::hbm) // as the runner does for cache levels
            b.arrays->use_vectors(kernels::detail::spread_vectors(
                b.vectors, static_cast<std::uint64_t>(U) * grid * block_threads));
        const double bytes_per_pass =
            static_cast<double>(t.arrays_read + t.arrays_written) * static_cast<double>(b.arrays->array_bytes());
        const auto passes = static_cast<std::uint64_t>(std::max(1.0, bytes_per_launch / bytes_per_pass));
        const std::uint32_t seed = 1 + static_cast<std::uint32_t>(b.results->size() % 1000);
        const kernels::detail::stream_params p =
            b.arrays->params(passes, grid, block_threads, U, b.partial->data(), seed);
        for (int i = 0; i < warmup_launches; ++i) kernels::launch_stream<Op, block_threads, U, L, S>(p, grid, b.s);
        std::vector<backend::event> ev(2 * timed_launches);
        for (int i = 0; i < timed_launches; ++i) {
            ev[2 * i].record(b.s);
            kernels::launch_stream<Op, block_threads, U, L, S>(p, grid, b.s);
            ev[2 * i + 1].record(b.s);
        }
        ev.back().synchronize();
        std::vector<double> ms;
        for (int i = 0; i < timed_launches; ++i) ms.push_back(ev[2 * i + 1].elapsed_ms_since(ev[2 * i]));
        r.gbps = bytes_per_pass * static_cast<double>(passes) / (median(ms) * 1e-3) * 1e-9;
        const std::string why = b.arrays->verify(passes, seed, b.partial->data(), b.partial->size(), b.s);
        r.verified = why.empty();
        std::printf("%-4s %-6s load=%-24s store=%-10s in_flight=%d blocks/SM=%d : %8.1f GB/s%s%s\n", r.level.c_str(),
                    r.op.c_str(), r.load.c_str(), r.store.c_str(), U, bpsm, r.gbps,
                    r.verified ? "" : "  VERIFY FAILED: ", why.c_str());
        b.results->push_back(r);
    }
}

/// Sweeps every (load, store, in-flight) that matters for Op: loads only where it reads, stores
/// only where it writes.
template <stream_op Op>
void sweep(const bench& b) {
    for_each_load([&](auto l) {
        if constexpr (aaco::traffic(Op).arrays_read > 0 || decltype(l)::value == LP::plain) {
            for_each_store([&](auto st) {
                if constexpr (aaco::traffic(Op).arrays_written > 0 || decltype(st)::value == SP::plain) {
                    for_each_in_flight([&](auto u) {
                        run_config<Op, decltype(u)::value, decltype(l)::value, decltype(st)::value>(b);
                    });
                }
            });
        }
    });
}

void run(memory_level level, stream_op op, std::uint64_t array_bytes, const aaco::device_info& dev,
         backend::native_stream s, std::vector<result>& results) {
    kernels::stream_arrays arrays(op, array_bytes, s);
    backend::device_buffer<std::uint32_t> partial(static_cast<std::size_t>(dev.compute_units) * 8 * block_threads);
    backend::synchronize();
    std::printf("\n# %s %s: %s per array\n", std::string(aaco::to_string(level)).c_str(),
                std::string(aaco::to_string(op)).c_str(), kernels::detail::size_text(array_bytes).c_str());
    const bench b{level, op, &arrays, arrays.vectors(), &partial, &dev, s, &results};
    switch (op) {
    case stream_op::read: sweep<stream_op::read>(b); break;
    case stream_op::write: sweep<stream_op::write>(b); break;
    case stream_op::copy: sweep<stream_op::copy>(b); break;
    case stream_op::triad: sweep<stream_op::triad>(b); break;
    }
}

} // namespace

int main(int argc, char** argv) {
    try {
        const int id = argc > 1 ? std::atoi(argv[1]) : 0;
        backend::set_device(id);
        const aaco::device_info dev = backend::query_device(id);
        backend::stream s;
        const std::uint64_t free_bytes = backend::device_memory().free_bytes;
        const kernels::working_set hbm = kernels::hbm_working_set_bytes(dev, free_bytes, 3);
        const kernels::working_set l2 = kernels::l2_working_set_bytes(dev, 1);
        std::printf("tune_stream on %s (%s, %d SMs, L2 %s, %.0f MHz max), %d threads per block\n", dev.name.c_str(),
                    dev.arch.c_str(), dev.compute_units, kernels::detail::size_text(dev.l2_bytes).c_str(),
                    dev.max_clock_mhz, block_threads);
        if (!hbm.note.empty()) std::printf("note: %s\n", hbm.note.c_str());
        if (hbm.bytes == 0) return 1;

        std::vector<result> results;
        for (stream_op op : aaco::all_stream_ops) run(memory_level::hbm, op, hbm.bytes, dev, s.get(), results);
        run(memory_level::l2, stream_op::read, l2.bytes, dev, s.get(), results);

        std::printf("\n# best per level and op (verified configurations only)\n");
        bool all_verified = true;
        for (const char* level : {"hbm", "l2"}) {
            for (stream_op op : aaco::all_stream_ops) {
                const result* best = nullptr;
                for (const result& r : results) {
                    all_verified = all_verified && r.verified;
                    if (r.level == level && r.op == aaco::to_string(op) && r.verified && (!best || r.gbps > best->gbps))
                        best = &r;
                }
                if (best)
                    std::printf("best %-4s %-6s load=%-24s store=%-10s in_flight=%d blocks/SM=%d : %8.1f GB/s\n",
                                best->level.c_str(), best->op.c_str(), best->load.c_str(), best->store.c_str(),
                                best->in_flight, best->blocks_per_sm, best->gbps);
            }
        }
        return all_verified ? 0 : 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tune_stream: %s\n", e.what());
        return 1;
    }
}

#else // not CUDA

#include <cstdio>

int main() {
    std::puts("tune_stream: CUDA only (built without the CUDA backend)");
    return 0;
}

#endif
