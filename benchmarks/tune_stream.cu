// tune_stream: sweeps the stream kernel's tuning space on the current NVIDIA GPU, prints GB/s
// and VERIFIED/FAILED for every configuration, and at the end the best verified configuration
// per (level, op) as C++ to paste over the matching tuning struct in
// include/aaco/kernels/stream.hpp (nvidia_hbm_read_tuning, nvidia_hbm_write_tuning,
// nvidia_hbm_copy_tuning, nvidia_cache_stream_tuning).
//
// Swept (GB/s always counts bytes read + bytes written):
// - HBM (1 GiB per array, as the probe): read, write, copy, triad x load policy (all six PTX
//   forms, where the op reads) x store policy (plain, .cs, where it writes) x 16-byte accesses
//   in flight per thread (1, 2, 4, 8, 16) x blocks per SM (1, 2, 4, and the most that fit) x
//   mapping (grid_stride; block_chunks with pieces of at most 64 KiB, 256 KiB, 1 MiB).
//   Geometry as the runner plans it (kernels::detail::plan_stream_geometry): within a round no
//   two threads read the same bytes; a grid_stride configuration whose round would exceed the
//   array is printed as skipped instead of being run on a smaller grid.
// - L2 read: working sets of 4, 8, 16 MiB and the probe's sizes (roof, whole L2) x loads plain, .cg, .nc,
//   .nc.L2::256B x in flight 1, 2, 4, 8 x blocks per SM, grid_stride only (the cache levels'
//   L1-avoiding array trim is defined for it). Plain loads may be served by L1, so they are
//   printed but not eligible as the L2 ceiling.
// - A reference: device-to-device cudaMemcpyAsync of 1 GiB (counted read + write). Every
//   HBM figure should beat it; the summary says where one does not.
// Each configuration: 1 warm-up launch, then 5 launches of ~6 GB (HBM) or ~4 GB (L2) timed one
// by one with events; the figure is their median. Every configuration's last launch is
// verified (read: per-thread sums of exactly the launch's threads; others: device-wide sum of
// the output). Prints its own wall time at the end (aim: < 60 s on an H200).
//
// Usage: tune_stream [device-id]
// Exit status: 0 when every configuration verified, 2 when one did not, 1 on an error.
// CUDA only: the AMD side has two load policies and is tuned by hand (see amd_*_stream_tuning).
#include <aaco/config.hpp>

#if AACO_BACKEND_CUDA
#include <aaco/backend/backend.hpp>
#include <aaco/kernels/stream.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace {

using aaco::memory_level;
using aaco::stream_op;
using LP = aaco::arch::load_policy;
using SP = aaco::arch::store_policy;
using MP = aaco::kernels::stream_mapping;
namespace backend = aaco::backend;
namespace kernels = aaco::kernels;

constexpr int block_threads = 256; // fixed: blocks per SM is swept instead
constexpr int warmup_launches = 1;
constexpr int timed_launches = 5;
constexpr double hbm_bytes_per_launch = 6e9; // ~1.3-1.5 ms per launch on an H200
constexpr double l2_bytes_per_launch = 4e9;  // ~0.4 ms at 10 TB/s
constexpr int max_blocks_per_sm = 16;        // partial buffer size bound
const std::uint64_t chunk_sizes[] = {64ull << 10, 256ull << 10, 1ull << 20};

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
void for_each_l2_load(F&& f) {
    f(constant<LP::plain>{});
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
    f(constant<16>{});
}
template <class F>
void for_each_l2_in_flight(F&& f) {
    f(constant<1>{});
    f(constant<2>{});
    f(constant<4>{});
    f(constant<8>{});
}

struct result {
    std::string level, op, load, store, mapping;
    std::uint64_t working_set = 0; ///< bytes per array
    std::uint64_t chunk = 0;       ///< block_chunks: bytes per chunk
    int in_flight = 0, blocks_per_sm = 0;
    double gbps = 0;
    bool verified = false;
    bool eligible = true; ///< may be a ceiling (L2: not with loads L1 can serve)

    /// Everything but the op: joins copy and triad runs of one configuration.
    std::string config_key() const {
        return level + "|" + load + "|" + store + "|" + mapping + "|" + std::to_string(chunk) + "|" +
               std::to_string(in_flight) + "|" + std::to_string(blocks_per_sm) + "|" + std::to_string(working_set);
    }
};

/// One level/op under test: its arrays and where the results go.
struct bench {
    memory_level level;
    stream_op op;
    kernels::stream_arrays* arrays;
    std::uint64_t vectors; ///< vectors per array to use (before the cache-level trim)
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

void print(const result& r, const std::string& status) {
    std::printf("%-4s %-5s ws=%-9s load=%-23s store=%-9s map=%-12s chunk=%-9s in_flight=%-2d blocks/SM=%-2d : %s\n",
                r.level.c_str(), r.op.c_str(), kernels::detail::size_text(r.working_set).c_str(), r.load.c_str(),
                r.store.c_str(), r.mapping.c_str(), r.chunk ? kernels::detail::size_text(r.chunk).c_str() : "-",
                r.in_flight, r.blocks_per_sm, status.c_str());
}

/// Times and verifies one configuration at `bpsm` blocks per SM.
template <stream_op Op, int U, LP L, SP S, MP M>
void run_one(const bench& b, int bpsm, std::uint64_t chunk) {
    const auto t = aaco::traffic(Op);
    result r;
    r.level = std::string(aaco::to_string(b.level));
    r.op = std::string(aaco::to_string(Op));
    r.load = t.arrays_read > 0 ? std::string(aaco::arch::to_string(L)) : "-";
    r.store = t.arrays_written > 0 ? std::string(aaco::arch::to_string(S)) : "-";
    r.mapping = std::string(kernels::to_string(M));
    r.chunk = chunk;
    r.in_flight = U;
    r.blocks_per_sm = bpsm;
    r.eligible = b.level == memory_level::hbm || L != LP::plain;
    // The runner's planner (fit = bpsm: the count asked for, cut only where a grid_stride round
    // would exceed the array); a configuration it would cut is skipped, not run on another grid.
    const kernels::detail::stream_geometry g = kernels::detail::plan_stream_geometry(
        b.level, M, block_threads, U, bpsm, bpsm, b.dev->compute_units, b.vectors);
    r.working_set = static_cast<std::uint64_t>(g.vectors) * 16;
    if (!g.note.empty()) {
        print(r, "skipped: " + g.note);
        return;
    }
    const unsigned grid = g.grid;
    b.arrays->use_vectors(g.vectors);
    const double bytes_per_pass =
        static_cast<double>(t.arrays_read + t.arrays_written) * static_cast<double>(b.arrays->array_bytes());
    const double per_launch = b.level == memory_level::hbm ? hbm_bytes_per_launch : l2_bytes_per_launch;
    const auto passes = static_cast<std::uint64_t>(std::max(1.0, per_launch / bytes_per_pass));
    const std::uint32_t seed = 1 + static_cast<std::uint32_t>(b.results->size() % 100000);
    const std::size_t partials = static_cast<std::size_t>(grid) * block_threads;
    b.partial->zero(b.s); // a thread that stores nothing leaves 0, not an earlier run's sum
    const kernels::detail::stream_params p =
        b.arrays->params(M, passes, grid, block_threads, U, b.partial->data(), seed, chunk);
    for (int i = 0; i < warmup_launches; ++i) kernels::launch_stream<Op, block_threads, U, L, S, M>(p, grid, b.s);
    std::vector<backend::event> ev(2 * timed_launches);
    for (int i = 0; i < timed_launches; ++i) {
        ev[2 * i].record(b.s);
        kernels::launch_stream<Op, block_threads, U, L, S, M>(p, grid, b.s);
        ev[2 * i + 1].record(b.s);
    }
    ev.back().synchronize();
    std::vector<double> ms;
    for (int i = 0; i < timed_launches; ++i) ms.push_back(ev[2 * i + 1].elapsed_ms_since(ev[2 * i]));
    // Bytes requested: every vector of every array once per pass (stream_walk's guarantee).
    r.gbps = kernels::detail::requested_bytes_per_array(p) * (t.arrays_read + t.arrays_written) /
             (median(ms) * 1e-3) * 1e-9;
    const std::string why = b.arrays->verify(passes, seed, b.partial->data(), partials, b.s);
    r.verified = why.empty();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%8.1f GB/s  ", r.gbps);
    print(r, std::string(buf) + (r.verified ? "VERIFIED" : "FAILED: " + why) +
                 (r.eligible ? "" : "  (not eligible: L1 may serve plain loads)"));
    b.results->push_back(r);
}

/// One (op, in flight, policies, mapping) at every blocks-per-SM count (and every chunk size
/// for block_chunks).
template <stream_op Op, int U, LP L, SP S, MP M>
void run_config(const bench& b) {
    const int fit = std::min(kernels::stream_blocks_per_unit<Op, block_threads, U, L, S, M>(), max_blocks_per_sm);
    std::vector<int> counts;
    for (int c : {1, 2, 4, fit})
        if (c <= fit && std::find(counts.begin(), counts.end(), c) == counts.end()) counts.push_back(c);
    for (int bpsm : counts) {
        if (M == MP::grid_stride) {
            run_one<Op, U, L, S, M>(b, bpsm, 0);
        } else {
            for (std::uint64_t chunk : chunk_sizes)
                if (chunk % (16ull * block_threads * U) == 0) run_one<Op, U, L, S, M>(b, bpsm, chunk);
        }
    }
}

/// Sweeps every (load, store, in-flight, mapping) that matters for Op at HBM: loads only
/// where it reads, stores only where it writes.
template <stream_op Op>
void sweep_hbm(const bench& b) {
    for_each_load([&](auto l) {
        if constexpr (aaco::traffic(Op).arrays_read > 0 || decltype(l)::value == LP::plain) {
            for_each_store([&](auto st) {
                if constexpr (aaco::traffic(Op).arrays_written > 0 || decltype(st)::value == SP::plain) {
                    for_each_in_flight([&](auto u) {
                        run_config<Op, decltype(u)::value, decltype(l)::value, decltype(st)::value, MP::grid_stride>(b);
                        run_config<Op, decltype(u)::value, decltype(l)::value, decltype(st)::value, MP::block_chunks>(b);
                    });
                }
            });
        }
    });
}

void run_hbm(stream_op op, std::uint64_t array_bytes, const aaco::device_info& dev, backend::native_stream s,
             backend::device_buffer<std::uint32_t>& partial, std::vector<result>& results) {
    kernels::stream_arrays arrays(op, array_bytes, s);
    backend::synchronize();
    std::printf("\n# hbm %s: %s per array\n", std::string(aaco::to_string(op)).c_str(),
                kernels::detail::size_text(array_bytes).c_str());
    const bench b{memory_level::hbm, op, &arrays, arrays.vectors(), &partial, &dev, s, &results};
    switch (op) {
    case stream_op::read: sweep_hbm<stream_op::read>(b); break;
    case stream_op::write: sweep_hbm<stream_op::write>(b); break;
    case stream_op::copy: sweep_hbm<stream_op::copy>(b); break;
    case stream_op::triad: sweep_hbm<stream_op::triad>(b); break;
    }
}

void run_l2(const std::vector<std::uint64_t>& sizes, const aaco::device_info& dev, backend::native_stream s,
            backend::device_buffer<std::uint32_t>& partial, std::vector<result>& results) {
    const std::uint64_t largest = *std::max_element(sizes.begin(), sizes.end());
    kernels::stream_arrays arrays(stream_op::read, largest, s);
    backend::synchronize();
    for (std::uint64_t ws : sizes) {
        std::printf("\n# l2 read: %s working set (before the L1-avoiding trim)\n", kernels::detail::size_text(ws).c_str());
        const bench b{memory_level::l2, stream_op::read, &arrays, ws / 16, &partial, &dev, s, &results};
        for_each_l2_load([&](auto l) {
            for_each_l2_in_flight([&](auto u) {
                run_config<stream_op::read, decltype(u)::value, decltype(l)::value, SP::plain, MP::grid_stride>(b);
            });
        });
    }
}

/// Device-to-device cudaMemcpyAsync of `bytes`, counted read + write, median of 5.
double memcpy_reference(std::uint64_t bytes, backend::native_stream s) {
    backend::device_buffer<std::uint8_t> a(bytes), b(bytes);
    a.zero(s);
    backend::memcpy_async(b.data(), a.data(), bytes, s);
    std::vector<backend::event> ev(2 * timed_launches);
    for (int i = 0; i < timed_launches; ++i) {
        ev[2 * i].record(s);
        backend::memcpy_async(b.data(), a.data(), bytes, s);
        backend::memcpy_async(a.data(), b.data(), bytes, s);
        ev[2 * i + 1].record(s);
    }
    ev.back().synchronize();
    std::vector<double> ms;
    for (int i = 0; i < timed_launches; ++i) ms.push_back(ev[2 * i + 1].elapsed_ms_since(ev[2 * i]));
    return 4.0 * static_cast<double>(bytes) / (median(ms) * 1e-3) * 1e-9;
}

/// The C++ lines that replace a tuning struct with `r`'s configuration.
void print_paste(const char* struct_name, const result& r, const std::string& measured) {
    std::printf("/// Measured: %s.\n", measured.c_str());
    std::printf("struct %s {\n", struct_name);
    std::printf("    static constexpr int block_threads = %d;\n", block_threads);
    std::printf("    static constexpr int blocks_per_unit = %d;\n", r.blocks_per_sm);
    std::printf("    static constexpr int in_flight = %d;\n", r.in_flight);
    std::printf("    static constexpr arch::load_policy load = arch::load_policy::%s;\n",
                r.load == "-" ? "plain" : r.load.c_str());
    std::printf("    static constexpr arch::store_policy store = arch::store_policy::%s;\n",
                r.store == "-" ? (r.level == "hbm" ? "streaming" : "plain") : r.store.c_str());
    std::printf("    static constexpr stream_mapping mapping = stream_mapping::%s;\n", r.mapping.c_str());
    std::printf("    static constexpr std::uint64_t chunk_bytes = %llu;\n", static_cast<unsigned long long>(r.chunk));
    std::printf("};\n");
}

const result* best_of(const std::vector<result>& results, const char* level, stream_op op) {
    const result* best = nullptr;
    for (const result& r : results)
        if (r.level == level && r.op == aaco::to_string(op) && r.verified && r.eligible && (!best || r.gbps > best->gbps))
            best = &r;
    return best;
}

void print_best(const char* tag, const result* r) {
    if (!r) {
        std::printf("%-24s: no verified configuration\n", tag);
        return;
    }
    std::printf("%-24s: %8.1f GB/s  ", tag, r->gbps);
    print(*r, "");
}

} // namespace

int main(int argc, char** argv) {
    try {
        const auto start = std::chrono::steady_clock::now();
        const int id = argc > 1 ? std::atoi(argv[1]) : 0;
        backend::set_device(id);
        const aaco::device_info dev = backend::query_device(id);
        backend::stream s;
        const std::uint64_t free_bytes = backend::device_memory().free_bytes;
        const kernels::working_set hbm = kernels::hbm_working_set_bytes(dev, free_bytes, 3);
        const kernels::working_set l2 = kernels::l2_working_set_bytes(dev, 1);
        const kernels::working_set l2_whole = kernels::l2_whole_working_set_bytes(dev, 1);
        std::printf("tune_stream on %s (%s, %d SMs, L2 %s, %.0f MHz max, driver %d), %d threads per block\n",
                    dev.name.c_str(), dev.arch.c_str(), dev.compute_units, kernels::detail::size_text(dev.l2_bytes).c_str(),
                    dev.max_clock_mhz, dev.driver_version, block_threads);
        std::printf("columns: level op ws(bytes per array) load store mapping chunk in_flight blocks/SM : GB/s "
                    "(read + written) VERIFIED|FAILED\n");
        if (!hbm.note.empty()) std::printf("note: %s\n", hbm.note.c_str());
        if (hbm.bytes == 0) return 1;

        backend::device_buffer<std::uint32_t> partial(static_cast<std::size_t>(dev.compute_units) * max_blocks_per_sm *
                                                      block_threads);
        const double reference = memcpy_reference(hbm.bytes, s.get());
        std::printf("\nreference: cudaMemcpyAsync device-to-device, %s: %.1f GB/s (read + write)\n",
                    kernels::detail::size_text(hbm.bytes).c_str(), reference);

        std::vector<result> results;
        for (stream_op op : aaco::all_stream_ops) run_hbm(op, hbm.bytes, dev, s.get(), partial, results);
        std::vector<std::uint64_t> l2_sizes = {4ull << 20, 8ull << 20, 16ull << 20};
        for (std::uint64_t probe_size : {l2.bytes, l2_whole.bytes}) // the probe's roof and whole-L2 sizes
            if (probe_size > 0 && std::find(l2_sizes.begin(), l2_sizes.end(), probe_size) == l2_sizes.end())
                l2_sizes.push_back(probe_size);
        run_l2(l2_sizes, dev, s.get(), partial, results);

        int failed = 0;
        for (const result& r : results) failed += r.verified ? 0 : 1;
        std::printf("\n# summary: %zu configurations, %d FAILED verification%s\n", results.size(), failed,
                    failed ? "  <-- a kernel bug: report the FAILED lines" : "");
        std::printf("reference cudaMemcpy D2D: %.1f GB/s\n", reference);
        std::printf("\n# best verified configuration per level and op\n");
        const stream_op hbm_ops[] = {stream_op::read, stream_op::write, stream_op::copy, stream_op::triad};
        for (stream_op op : hbm_ops) {
            const result* r = best_of(results, "hbm", op);
            print_best(("hbm " + std::string(aaco::to_string(op))).c_str(), r);
            if (r && r->gbps < reference)
                std::printf("  ^ below the cudaMemcpy reference (%.1f GB/s)\n", reference);
        }
        print_best("l2 read (.cg/.nc loads)", best_of(results, "l2", stream_op::read));
        for (std::uint64_t ws : l2_sizes) {
            const result* best = nullptr;
            for (const result& r : results)
                if (r.level == "l2" && r.verified && r.eligible && r.working_set <= ws && r.working_set + ws / 8 >= ws &&
                    (!best || r.gbps > best->gbps))
                    best = &r;
            print_best(("  l2 read at " + kernels::detail::size_text(ws)).c_str(), best);
        }

        // copy and triad share nvidia_hbm_copy_tuning: the configuration with the best mean of
        // the two, among those verified for both.
        std::map<std::string, std::pair<const result*, const result*>> joined;
        for (const result& r : results) {
            if (r.level != "hbm" || !r.verified) continue;
            if (r.op == "copy") joined[r.config_key()].first = &r;
            if (r.op == "triad") joined[r.config_key()].second = &r;
        }
        std::pair<const result*, const result*> copy_group{nullptr, nullptr};
        for (const auto& [key, pr] : joined) {
            (void)key;
            if (!pr.first || !pr.second) continue;
            if (!copy_group.first ||
                pr.first->gbps + pr.second->gbps > copy_group.first->gbps + copy_group.second->gbps)
                copy_group = pr;
        }

        std::printf("\n# paste into include/aaco/kernels/stream.hpp (replace each struct and its comment)\n");
        char when[64];
        const std::time_t now = std::time(nullptr);
        std::strftime(when, sizeof when, "%Y-%m-%d", std::gmtime(&now));
        auto measured = [&](const std::string& what) {
            return what + " on " + dev.name + " (" + std::to_string(dev.compute_units) + " SMs, driver " +
                   std::to_string(dev.driver_version) + "), tune_stream " + when;
        };
        char buf[160];
        if (const result* r = best_of(results, "hbm", stream_op::read)) {
            std::snprintf(buf, sizeof buf, "HBM read %.1f GB/s", r->gbps);
            print_paste("nvidia_hbm_read_tuning", *r, measured(buf));
        }
        if (const result* r = best_of(results, "hbm", stream_op::write)) {
            std::snprintf(buf, sizeof buf, "HBM write %.1f GB/s", r->gbps);
            print_paste("nvidia_hbm_write_tuning", *r, measured(buf));
        }
        if (copy_group.first) {
            std::snprintf(buf, sizeof buf, "HBM copy %.1f GB/s, triad %.1f GB/s (best mean of the two)",
                          copy_group.first->gbps, copy_group.second->gbps);
            print_paste("nvidia_hbm_copy_tuning", *copy_group.first, measured(buf));
        }
        if (const result* r = best_of(results, "l2", stream_op::read)) {
            std::snprintf(buf, sizeof buf, "L2 read %.1f GB/s with a %s working set", r->gbps,
                          kernels::detail::size_text(r->working_set).c_str());
            print_paste("nvidia_cache_stream_tuning", *r, measured(buf));
            if (l2.bytes > 0 && (r->working_set * 8 < l2.bytes * 7 || r->working_set > l2.bytes))
                std::printf("// note: the probe sizes the L2 working set at %s (l2_working_set_bytes); the best "
                            "figure above used %s\n",
                            kernels::detail::size_text(l2.bytes).c_str(),
                            kernels::detail::size_text(r->working_set).c_str());
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("\ntune_stream took %.1f s\n", seconds);
        return failed == 0 ? 0 : 2;
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
