/// \file mma_sync_peak.hpp
/// \brief Matrix-unit peak through warp-level `mma.sync` (sm_80+), and FP64 DMMA.
///
/// On sm_80 this is the tensor-core path. On sm_90 it is the "legacy path" (wgmma is the fast
/// one, see wgmma_peak.hpp), except for FP64: Hopper has no wgmma for f64, so DMMA
/// (mma.sync ... .f64, the m16n8k16 shape) is its FP64 matrix path.
///
/// Each warp loads its A and B fragments once from a device buffer (random finite values by
/// default, zeros in the "cold" mode), then runs `Acc` independent accumulator tiles through
/// `repeats` x `Acc` back-to-back `mma.sync`s: independent tiles hide the MMA latency, and
/// several warps per SM sub-partition keep the tensor pipe fed. The accumulators start from a
/// device buffer too, so the compiler can neither fold nor merge the chains.
///
/// Host side: `mma_sync_runner<Op>` (a kernels::compute_runner) and the factory
/// `kernels::nvidia::make_mma_sync_runner`. Plain C++ compilers see only the rate table.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/nvidia/mma_sync.hpp>
#include <aaco/error.hpp>
#include <aaco/kernels/clock_record.hpp>
#include <aaco/kernels/operand_fill.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/kernels/vector_fma.hpp> // detail_compute: exact fp16/bf16 encoders, parse_sm
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

AACO_NAMESPACE_BEGIN
namespace kernels {
namespace nvidia {

/// FLOPs (int8: integer ops) per clock per SM of the tensor cores for `p`, from design.md
/// section 5: sm_80 fp64 128 / tf32 1024 / fp16, bf16 2048 / int8 4096; sm_90 twice that.
/// On sm_90 these are the wgmma-era peaks; mma.sync is measured against them on purpose, so
/// that its clock-adjusted efficiency shows how far the legacy path stays below the hardware.
/// 0 for an arch aaco has no table entry for (e.g. sm_86/sm_89 GeForce parts) and for
/// precisions mma.sync has no ceiling for (fp32; fp8 is emulated on sm_90).
inline double mma_sync_flops_per_clock(precision p, std::string_view arch) {
    const int sm = detail_compute::parse_sm(arch);
    if (sm != 80 && sm != 90) return 0;
    const double scale = sm == 90 ? 2 : 1;
    switch (p) {
    case precision::fp64: return 128 * scale;
    case precision::tf32: return 1024 * scale;
    case precision::fp16:
    case precision::bf16: return 2048 * scale;
    case precision::int8: return 4096 * scale;
    default: return 0;
    }
}

/// Launch shape of the mma.sync loop.
struct mma_sync_config {
    /// untuned: 8 warps per block = 2 per SM sub-partition. It is the kernel's
    /// `__launch_bounds__(threads, 1)`, which lets ptxas use up to 255 registers per thread
    /// (with the default bound it capped at 128 and spilled for dmma m16n8k4).
    static constexpr int threads = 256;
    /// untuned: up to 32 warps per SM (8 per sub-partition) with 8 tiles each = 64 MMAs in
    /// flight per sub-partition, far above the ~30-cycle HMMA latency x issue rate; the
    /// occupancy query lowers it when registers run out (fp64 m16n8k16).
    int max_blocks_per_unit = 4;
    /// Distinct A/B operand sets; warp w uses set w % operand_sets. untuned: only spreads the
    /// data over a few cache lines.
    int operand_sets = 8;
};
inline constexpr mma_sync_config default_mma_sync_config{};

/// Independent accumulator tiles per warp. untuned: 8 tiles x 4 registers = 32 fp32 (64 fp64)
/// accumulator registers per thread.
inline constexpr int mma_sync_tiles = 8;

namespace detail {
/// The precision an mma form computes.
template <class Op> constexpr precision op_precision();
template <> constexpr precision op_precision<arch::nvidia::mma_m16n8k16_f32_f16>() { return precision::fp16; }
template <> constexpr precision op_precision<arch::nvidia::mma_m16n8k16_f32_bf16>() { return precision::bf16; }
template <> constexpr precision op_precision<arch::nvidia::mma_m16n8k8_f32_tf32>() { return precision::tf32; }
template <> constexpr precision op_precision<arch::nvidia::mma_m16n8k32_s32_s8>() { return precision::int8; }
template <> constexpr precision op_precision<arch::nvidia::dmma_m8n8k4>() { return precision::fp64; }
template <> constexpr precision op_precision<arch::nvidia::dmma_m16n8k4>() { return precision::fp64; }
template <> constexpr precision op_precision<arch::nvidia::dmma_m16n8k8>() { return precision::fp64; }
template <> constexpr precision op_precision<arch::nvidia::dmma_m16n8k16>() { return precision::fp64; }
} // namespace detail

#if AACO_BACKEND_CUDA

template <class Op>
struct mma_sync_params {
    using storage = typename Op::storage;
    using acc = typename Op::acc;
    const storage* a;     ///< operand_sets x (m x k), row-major
    const storage* b;     ///< operand_sets x (k x n), row-major (k rows of n)
    const acc* c;         ///< Tiles x (m x n) initial accumulators, row-major
    acc* out;             ///< write_all: warps x Tiles x (m x n); else one per thread
    block_clock_record* records; ///< one per CTA
    std::uint64_t repeats; ///< loop trips; each issues Tiles MMAs per warp
    int operand_sets;
    int write_all;        ///< verify mode: write every accumulator element
    double sentinel;      ///< consume: write only when the accumulator sum equals this
};

/// Loads this lane's fragment of a row-major `rows x cols` matrix, as `Regs` registers of
/// `Op::per_reg` elements, placed by `coord(lane, element)`.
template <class Op, int Regs, class Coord>
AACO_DEVICE void load_fragment(const typename Op::storage* mat, int cols, int lane, Coord coord,
                               typename Op::reg (&regs)[Regs]) {
#pragma unroll
    for (int r = 0; r < Regs; ++r) {
        typename Op::storage e[Op::per_reg];
#pragma unroll
        for (int q = 0; q < Op::per_reg; ++q) {
            const arch::nvidia::frag_coord at = coord(lane, r * Op::per_reg + q);
            e[q] = mat[at.row * cols + at.col];
        }
        regs[r] = Op::pack(e);
    }
}

/// `repeats` x `Tiles` mma.sync per warp on register-resident fragments.
template <class Op, int Tiles>
AACO_KERNEL void __launch_bounds__(mma_sync_config::threads, 1) mma_sync_peak_kernel(mma_sync_params<Op> p) {
    arch::clock_stamp start{};
    if (threadIdx.x == 0) start = arch::stamp_start();
    std::uint32_t path = 0;
    if constexpr (arch::nvidia::compiled_sm() >= Op::min_sm) {
        constexpr int mn = Op::m * Op::n;
        const int lane = static_cast<int>(threadIdx.x & 31u);
        const std::uint32_t warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
        const int set = static_cast<int>(warp % static_cast<std::uint32_t>(p.operand_sets));
        typename Op::reg a[Op::a_regs];
        typename Op::reg b[Op::b_regs];
        load_fragment<Op>(p.a + set * Op::m * Op::k, Op::k, lane,
                          [](int l, int i) { return Op::a_coord(l, i); }, a);
        load_fragment<Op>(p.b + set * Op::k * Op::n, Op::n, lane,
                          [](int l, int i) { return Op::b_coord(l, i); }, b);
        typename Op::acc d[Tiles][Op::c_regs];
#pragma unroll
        for (int t = 0; t < Tiles; ++t)
#pragma unroll
            for (int i = 0; i < Op::c_regs; ++i) {
                const arch::nvidia::frag_coord at = Op::c_coord(lane, i);
                d[t][i] = p.c[t * mn + at.row * Op::n + at.col];
            }
        // Not unrolled: one trip is Tiles long-latency MMAs, so the 3 loop instructions cost
        // nothing, and unrolling only raised register pressure (dmma m16n8k4 spilled).
#pragma unroll 1
        for (std::uint64_t r = 0; r < p.repeats; ++r) {
#pragma unroll
            for (int t = 0; t < Tiles; ++t) Op::mma(d[t], a, b);
        }
        if (p.write_all) {
#pragma unroll
            for (int t = 0; t < Tiles; ++t)
#pragma unroll
                for (int i = 0; i < Op::c_regs; ++i) {
                    const arch::nvidia::frag_coord at = Op::c_coord(lane, i);
                    p.out[(warp * Tiles + t) * mn + at.row * Op::n + at.col] = d[t][i];
                }
        } else {
            double s = 0;
#pragma unroll
            for (int t = 0; t < Tiles; ++t)
#pragma unroll
                for (int i = 0; i < Op::c_regs; ++i) s += static_cast<double>(d[t][i]);
            if (s == p.sentinel) p.out[blockIdx.x * blockDim.x + threadIdx.x] = d[0][0];
        }
        path = static_cast<std::uint32_t>(arch::nvidia::compiled_sm());
    }
    __syncthreads();
    if (threadIdx.x == 0) p.records[blockIdx.x] = make_clock_record(start, arch::stamp_end(), path);
}

/// Runner of the mma.sync loop for one instruction form `Op` (see arch/nvidia/mma_sync.hpp).
template <class Op, int Tiles = mma_sync_tiles>
class mma_sync_runner final : public compute_runner {
    using storage = typename Op::storage;
    using acc = typename Op::acc;
    static constexpr int mn = Op::m * Op::n;
    static constexpr double flops_per_mma = 2.0 * Op::m * Op::n * Op::k;

public:
    /// `flops_per_clock_per_unit`: the arch's tensor rate (0 = unknown); `method` is reported.
    mma_sync_runner(const device_info& dev, operand_mode mode, double flops_per_clock_per_unit,
                    std::string method, mma_sync_config cfg = default_mma_sync_config)
        : dev_(dev), cfg_(cfg), method_(std::move(method)) {
        desc_.prec = detail::op_precision<Op>();
        desc_.unit = compute_unit::matrix;
        desc_.flops_per_clock_per_unit = flops_per_clock_per_unit;
        desc_.operands = mode;
        desc_.operand_distribution = operand_distribution(desc_.prec, mode);
        if (cfg_.operand_sets < 1 || cfg_.max_blocks_per_unit < 1)
            throw invalid_argument("mma_sync_config: operand_sets and max_blocks_per_unit must be >= 1");
    }

    std::string key() const override {
        return "compute." + std::string(to_string(desc_.prec)) + ".matrix";
    }
    std::string method() const override { return method_; }
    compute_kernel_desc desc() const override { return desc_; }

    void prepare() override {
        const int sets = cfg_.operand_sets;
        std::vector<storage> a(static_cast<std::size_t>(sets) * Op::m * Op::k);
        std::vector<storage> b(static_cast<std::size_t>(sets) * Op::k * Op::n);
        std::vector<acc> c(static_cast<std::size_t>(Tiles) * mn);
        // Operands: random_operand_distribution (kernels/operand_fill.hpp), exact in the operand
        // type. int8: the full [-128, 127]; each mma adds k = 32 products of up to 2^14 to every
        // s32 accumulator and the loop repeats the same fragments without bound, so the random
        // mode's accumulators wrap (defined two's-complement wrap, no .satfinite: see
        // arch/nvidia/mma_sync.hpp). That result is only consumed, never verified; verify() uses
        // small integers for 3 trips, far from overflow.
        std::mt19937_64 rng(0xa4c0ffeeULL); // accumulator start values; fixed seed: runs are comparable
        operand_rng operands(0xa4c0ffeeULL);
        const bool random = desc_.operands == operand_mode::random;
        for (auto& v : a) v = random ? encode(random_operand_value(desc_.prec, operands)) : encode(0);
        for (auto& v : b) v = random ? encode(random_operand_value(desc_.prec, operands)) : encode(0);
        for (auto& v : c) v = random ? random_accumulator(rng) : acc(0);
        a_ = upload(a);
        b_ = upload(b);
        c_ = upload(c);

        const int occupancy = backend::max_active_blocks_per_unit(&mma_sync_peak_kernel<Op, Tiles>,
                                                                  mma_sync_config::threads, 0);
        if (occupancy < 1)
            throw runtime_error(key() + ": " + Op::ptx + " kernel cannot be resident on " + dev_.arch, 0);
        const int per_unit = occupancy < cfg_.max_blocks_per_unit ? occupancy : cfg_.max_blocks_per_unit;
        blocks_ = (dev_.compute_units > 0 ? dev_.compute_units : 1) * per_unit;
        out_ = std::make_unique<backend::device_buffer<acc>>(static_cast<std::size_t>(blocks_) *
                                                              mma_sync_config::threads);
        records_ = std::make_unique<backend::device_buffer<block_clock_record>>(
            static_cast<std::size_t>(blocks_));

        // One tiny launch tells whether this binary's code for the device contains the body.
        launch(nullptr, 1, a_->data(), b_->data(), c_->data(), *out_, *records_, 0, cfg_.operand_sets, false);
        std::vector<block_clock_record> rec(1);
        copy_back(nullptr, rec, *records_);
        if (common_path(rec) == 0)
            throw unsupported_arch_error(
                key() + ": this binary has no " + Op::ptx + " code for " + dev_.arch + " (the form needs sm_" +
                std::to_string(Op::min_sm) + "+ and a matching device pass); rebuild with "
                "-DCMAKE_CUDA_ARCHITECTURES=" + rebuild_arch() + " (nvcc: " + rebuild_gencode() + ")");
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        if (!out_) throw invalid_argument(key() + ": enqueue() before prepare()");
        launch(static_cast<backend::native_stream>(stream), blocks_, a_->data(), b_->data(), c_->data(),
               *out_, *records_, repeats, cfg_.operand_sets, false);
        launch_work w;
        w.flops = static_cast<double>(blocks_) * (mma_sync_config::threads / 32) *
                  static_cast<double>(repeats) * Tiles * flops_per_mma;
        return w;
    }

    clock_reading last_clock(void* stream) override {
        if (!records_) return {};
        std::vector<block_clock_record> rec(static_cast<std::size_t>(blocks_));
        copy_back(static_cast<backend::native_stream>(stream), rec, *records_);
        return longest_block(rec);
    }

    /// One block (8 warps) on small integers, exact in every type involved: warp w multiplies
    /// operand set w % 3, every tile t starts from its own C_t, and after `trips` trips each
    /// accumulator element must equal C_t + trips * (A_w x B_w) computed on the host through
    /// the same fragment layouts. Every element of every tile of every warp is compared.
    std::string verify(void* stream) override {
        const auto s = static_cast<backend::native_stream>(stream);
        constexpr int sets = 3;
        constexpr std::uint64_t trips = 3;
        constexpr int warps = mma_sync_config::threads / 32;
        std::vector<storage> a(static_cast<std::size_t>(sets) * Op::m * Op::k);
        std::vector<storage> b(static_cast<std::size_t>(sets) * Op::k * Op::n);
        std::vector<acc> c(static_cast<std::size_t>(Tiles) * mn);
        std::vector<double> av(a.size()), bv(b.size());
        std::mt19937_64 rng(0x7e57ULL);
        std::uniform_int_distribution<int> small(-3, 3), init(-8, 8);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = encode(av[i] = small(rng));
        for (std::size_t i = 0; i < b.size(); ++i) b[i] = encode(bv[i] = small(rng));
        for (auto& v : c) v = static_cast<acc>(init(rng));
        auto da = upload(a);
        auto db = upload(b);
        auto dc = upload(c);
        backend::device_buffer<acc> out(static_cast<std::size_t>(warps) * Tiles * mn);
        backend::device_buffer<block_clock_record> records(1);
        launch(s, 1, da->data(), db->data(), dc->data(), out, records, trips, sets, true);
        std::vector<acc> got(out.size());
        std::vector<block_clock_record> rec(1);
        copy_back(s, got, out);
        copy_back(s, rec, records);
        if (common_path(rec) == 0)
            return key() + ": " + Op::ptx + " body not compiled for " + dev_.arch;

        std::size_t wrong = 0;
        std::string first;
        for (int w = 0; w < warps; ++w) {
            const int set = w % sets;
            for (int t = 0; t < Tiles; ++t)
                for (int row = 0; row < Op::m; ++row)
                    for (int col = 0; col < Op::n; ++col) {
                        double dot = 0;
                        for (int kk = 0; kk < Op::k; ++kk)
                            dot += av[static_cast<std::size_t>(set * Op::m * Op::k + row * Op::k + kk)] *
                                   bv[static_cast<std::size_t>(set * Op::k * Op::n + kk * Op::n + col)];
                        const double expect = static_cast<double>(c[static_cast<std::size_t>(t * mn + row * Op::n + col)]) +
                                              static_cast<double>(trips) * dot;
                        const double value = static_cast<double>(
                            got[static_cast<std::size_t>((w * Tiles + t) * mn + row * Op::n + col)]);
                        if (value == expect) continue;
                        if (wrong++ == 0)
                            first = "warp " + std::to_string(w) + " tile " + std::to_string(t) + " D(" +
                                    std::to_string(row) + "," + std::to_string(col) + ") = " +
                                    std::to_string(value) + ", expected " + std::to_string(expect);
                    }
        }
        if (wrong == 0) return {};
        return key() + " verify (" + Op::ptx + "): " + std::to_string(wrong) + " of " +
               std::to_string(got.size()) + " accumulator elements wrong; first: " + first;
    }

private:
    template <class U>
    static std::unique_ptr<backend::device_buffer<U>> upload(const std::vector<U>& host) {
        auto d = std::make_unique<backend::device_buffer<U>>(host.size());
        d->copy_from_host(host.data(), host.size());
        return d;
    }

    /// Copies host.size() elements back in stream order, then waits for them.
    template <class U>
    static void copy_back(backend::native_stream s, std::vector<U>& host, const backend::device_buffer<U>& dev) {
        backend::memcpy_async(host.data(), dev.data(), host.size() * sizeof(U), s);
        backend::synchronize();
    }

    void launch(backend::native_stream s, int blocks, const storage* a, const storage* b, const acc* c,
                backend::device_buffer<acc>& out, backend::device_buffer<block_clock_record>& rec,
                std::uint64_t repeats, int sets, bool write_all) {
        mma_sync_params<Op> p;
        p.a = a;
        p.b = b;
        p.c = c;
        p.out = out.data();
        p.records = rec.data();
        p.repeats = repeats;
        p.operand_sets = sets;
        p.write_all = write_all ? 1 : 0;
        p.sentinel = -1.0e300; // never an accumulator sum here, but unknown to the compiler
        mma_sync_peak_kernel<Op, Tiles><<<blocks, mma_sync_config::threads, 0, s>>>(p);
        AACO_BACKEND_CHECK_LAUNCH("mma_sync_peak_kernel");
    }

    std::string rebuild_arch() const {
        const int sm = detail_compute::parse_sm(dev_.arch);
        return sm == 90 ? "90a-real" : sm > 0 ? std::to_string(sm) + "-real" : dev_.arch;
    }
    std::string rebuild_gencode() const {
        const int sm = detail_compute::parse_sm(dev_.arch);
        return sm == 90 ? "-gencode=arch=compute_90a,code=sm_90a"
                        : "-gencode=arch=compute_" + std::to_string(sm) + ",code=sm_" + std::to_string(sm);
    }

    // ---- host-side operand values ----------------------------------------------------------
    /// The storage of value `v`, which is exactly representable in the operand type.
    static storage encode(double v) {
        if constexpr (std::is_same_v<Op, arch::nvidia::mma_m16n8k16_f32_f16>)
            return detail_compute::half_bits_exact(v);
        else if constexpr (std::is_same_v<Op, arch::nvidia::mma_m16n8k16_f32_bf16>)
            return detail_compute::bf16_bits_exact(v);
        else
            return static_cast<storage>(v);
    }
    /// Random accumulator start value (not an operand): integers in [-1024, 1024] or uniform
    /// [-1, 1].
    static acc random_accumulator(std::mt19937_64& rng) {
        if constexpr (std::is_integral_v<acc>) {
            std::uniform_int_distribution<int> d(-1024, 1024);
            return static_cast<acc>(d(rng));
        } else {
            std::uniform_real_distribution<double> d(-1.0, 1.0);
            return static_cast<acc>(d(rng));
        }
    }

    device_info dev_;
    mma_sync_config cfg_;
    std::string method_;
    compute_kernel_desc desc_{};
    int blocks_ = 0;
    std::unique_ptr<backend::device_buffer<storage>> a_, b_;
    std::unique_ptr<backend::device_buffer<acc>> c_, out_;
    std::unique_ptr<backend::device_buffer<block_clock_record>> records_;
};

/// Builds the mma_sync_runner for Op with its rate and method text.
template <class Op>
std::unique_ptr<compute_runner> make_mma_sync_runner_for(const device_info& dev, operand_mode mode) {
    constexpr precision p = detail::op_precision<Op>();
    const int sm = detail_compute::parse_sm(dev.arch);
    std::string method = Op::ptx;
    // Hopper's fast path for fp16/bf16/tf32/int8 is wgmma; for fp64 DMMA *is* the matrix path.
    if (sm >= 90 && p != precision::fp64) method += " (legacy path)";
    return std::make_unique<mma_sync_runner<Op>>(dev, mode, mma_sync_flops_per_clock(p, dev.arch),
                                                 std::move(method));
}

/// The mma.sync runner for `p` on `dev`: fp16/bf16 m16n8k16, tf32 m16n8k8, int8 m16n8k32,
/// fp64 DMMA (m16n8k16 on sm_90+, m8n8k4 on sm_80..sm_89). nullptr for fp32 (no matrix form)
/// and fp8 (emulated on sm_90, never a ceiling), and on devices older than sm_80 or not NVIDIA.
/// prepare() throws unsupported_arch_error when the binary lacks the device's code.
inline std::unique_ptr<compute_runner> make_mma_sync_runner(precision p, const device_info& dev,
                                                            operand_mode mode) {
    namespace nva = arch::nvidia;
    const int sm = detail_compute::parse_sm(dev.arch);
    if (sm < 80) return nullptr;
    switch (p) {
    case precision::fp16: return make_mma_sync_runner_for<nva::mma_m16n8k16_f32_f16>(dev, mode);
    case precision::bf16: return make_mma_sync_runner_for<nva::mma_m16n8k16_f32_bf16>(dev, mode);
    case precision::tf32: return make_mma_sync_runner_for<nva::mma_m16n8k8_f32_tf32>(dev, mode);
    case precision::int8: return make_mma_sync_runner_for<nva::mma_m16n8k32_s32_s8>(dev, mode);
    case precision::fp64:
        if (sm >= 90) return make_mma_sync_runner_for<nva::dmma_m16n8k16>(dev, mode);
        return make_mma_sync_runner_for<nva::dmma_m8n8k4>(dev, mode);
    default: return nullptr;
    }
}

#endif // AACO_BACKEND_CUDA

} // namespace nvidia
} // namespace kernels
AACO_NAMESPACE_END
