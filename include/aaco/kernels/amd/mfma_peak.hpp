/// \file mfma_peak.hpp
/// \brief AMD matrix-core peak: the runner around `mfma_peak_kernel<P>` and its factory.
///
/// `make_mfma_runner(p, dev, mode)` returns a compute_runner whose kernel keeps
/// `mfma_peak_config::accumulators` MFMA chains per wave in registers and issues the arch's
/// best-rate MFMA for `p` (arch/amd/mfma.hpp has the table). nullptr where the arch has no
/// matrix instruction for `p` (fp8/xf32 before gfx94x, fp64 on gfx908, xf32 on gfx950).
///
/// verify() runs a separate small launch on small-integer operands, placed in each lane's
/// registers through the modelled A/B layouts (arch::amd::a_element / b_element), and compares
/// every accumulator item of every lane with the host's C + n * A * B mapped through the
/// modelled D layout (d_element). All values are exact in every encoding used.
///
/// What a pass proves: every counted MFMA ran and did a full M x N x K product (a missing
/// instruction, a smaller K or a wrong FLOP count changes the values); the operands decode as
/// modelled (fp8 FNUZ vs OCP, bf16, int8); each lane feeds the modelled row of A and column of
/// B; each accumulator item holds the modelled element of D.
///
/// What it cannot prove: the order of K within the operands. A lane group's item j is paired
/// with the same item of the B operand, so if the hardware assigned K indices to (lane group,
/// item) differently from the model, but the same way for A and B, sum over k of A[m][k] B[k][n]
/// would be unchanged and the check would still pass. That order is taken from the sources
/// (AMD's matrix instruction calculator for CDNA1-3, the CDNA4 ISA guide for gfx950); a peak
/// loop does not depend on it, a GEMM would.
///
/// Only HIP builds get the runner and the factory; other builds see the instruction table only.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/kernels/amd/detail/mfma_kernel.hpp>
#include <aaco/kernels/amd/detail/runner_common.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#if AACO_BACKEND_HIP
#  include <aaco/backend/backend.hpp>
#endif

AACO_NAMESPACE_BEGIN
namespace kernels {
namespace amd {
namespace detail {

/// Verify operands: small integers in [-2, 2], exact in every MFMA input encoding (fp8 e4m3
/// included), different per row, column and wave so that a wrong row, column or D mapping
/// changes the result (a K order shared by A and B does not; see the file comment). Slice = the
/// wave's operand slice.
inline double known_a(int slice, int row, int k) { return ((row * 7 + k * 3 + slice) % 5) - 2; }
inline double known_b(int slice, int k, int col) { return ((k * 5 + col * 3 + 2 * slice + 1) % 5) - 2; }

/// Bytes of `slices` x 64 lanes of one operand, lane-major, `item` j of a lane at byte
/// j * element_bytes (the operand vector's memory image).
inline std::size_t operand_bytes(const arch::amd::mfma_instruction& info, int slices) {
    return static_cast<std::size_t>(slices) * arch::amd::wave_lanes *
           static_cast<std::size_t>(info.operand_items()) * arch::amd::element_bytes(info.in);
}

/// Random (random_operand_distribution(p): uniform [-1, 1] rounded to p's format, int8 the
/// full [-128, 127]; kernels/operand_fill.hpp) or zero operand bytes of precision `p`;
/// layout-free, since every element is drawn the same way. The values are exact in the
/// encoding (fp8: OCP E4M3 values in [-1, 1] are exact in FNUZ too), so encode_element does
/// not round again.
///
/// int8: each MFMA adds 16 (gfx94x; 8 on gfx908/gfx90a, 32 on gfx950) products of up to 2^14 to
/// every i32 accumulator and the timed loop repeats the same operands without bound, so the
/// random mode's accumulators overflow int32. That result is only consumed (summed and compared
/// with a sentinel), never verified; verify() uses known values in [-2, 2] for 2 repeats.
inline std::vector<unsigned char> fill_operand(precision p, const arch::amd::mfma_instruction& info, int slices,
                                               operand_mode mode, std::uint64_t seed) {
    std::vector<unsigned char> bytes(operand_bytes(info, slices), 0);
    if (mode == operand_mode::zero) return bytes;
    const std::size_t eb = arch::amd::element_bytes(info.in);
    operand_rng rng(seed);
    for (std::size_t at = 0; at < bytes.size(); at += eb)
        encode_element(info.in, random_operand_value(p, rng), &bytes[at]);
    return bytes;
}

/// Packs known_a (is_a) or known_b through the A or B register layout.
inline std::vector<unsigned char> pack_known(const arch::amd::mfma_instruction& info, int slices, bool is_a) {
    std::vector<unsigned char> bytes(operand_bytes(info, slices), 0);
    const std::size_t eb = arch::amd::element_bytes(info.in);
    const int items = info.operand_items();
    for (int s = 0; s < slices; ++s)
        for (int lane = 0; lane < arch::amd::wave_lanes; ++lane)
            for (int j = 0; j < items; ++j) {
                const std::size_t at = ((static_cast<std::size_t>(s) * arch::amd::wave_lanes + lane) * items + j) * eb;
                double v = 0;
                if (is_a) {
                    const arch::amd::matrix_coord c = arch::amd::a_element(info, lane, j);
                    v = known_a(s, c.row, c.col);
                } else {
                    const arch::amd::matrix_coord c = arch::amd::b_element(info, lane, j);
                    v = known_b(s, c.row, c.col);
                }
                encode_element(info.in, v, &bytes[at]);
                if (decode_element(info.in, &bytes[at]) != v)
                    throw invalid_argument("aaco mfma verify: operand value not exact in its encoding");
            }
    return bytes;
}

/// Host reference of accumulator `chain`, item `item` of `lane` in a wave with operand slice
/// `slice` after `n` MFMAs: chain + n * (A * B)[row][col], (row, col) from the D layout.
inline double mfma_expected(const arch::amd::mfma_instruction& info, int slice, int lane, int chain,
                            int item, int n) {
    const arch::amd::matrix_coord d = arch::amd::d_element(info, lane, item);
    double dot = 0;
    for (int k = 0; k < info.k; ++k) dot += known_a(slice, d.row, k) * known_b(slice, k, d.col);
    return chain + n * dot;
}

} // namespace detail

#if AACO_BACKEND_HIP

/// Runner of mfma_peak_kernel<P> on one CDNA device.
template <precision P>
class mfma_runner final : public compute_runner, detail::runner_state {
    using cfg = mfma_peak_config;
    static constexpr int waves_per_block = cfg::block_threads / arch::amd::wave_lanes;

public:
    /// `family` must have an MFMA for `P` (the factory checks).
    mfma_runner(const device_info& dev, arch::amd::gfx_family family, operand_mode mode)
        : runner_state(dev, family, mode), info_(arch::amd::mfma_table(P, family)) {
        if (!info_.supported)
            throw invalid_argument(key() + ": " + std::string(arch::amd::to_string(family)) +
                                   " has no matrix instruction for this precision");
    }

    std::string key() const override { return "compute." + std::string(to_string(P)) + ".matrix"; }
    std::string method() const override { return std::string(info_.mnemonic); }

    compute_kernel_desc desc() const override {
        compute_kernel_desc d;
        d.prec = P;
        d.unit = compute_unit::matrix;
        d.flops_per_clock_per_unit = info_.flops_per_clock_per_cu();
        d.operands = mode_;
        d.operand_distribution = operand_distribution(P, mode_);
        return d;
    }

    void prepare() override {
        const int per_cu = detail::resident_blocks_per_cu(&mfma_peak_kernel<P>, cfg::block_threads,
                                                          cfg::blocks_per_cu, key());
        upload(detail::fill_operand(P, info_, cfg::operand_slices, mode_, 0xa11ce5eedull),
               detail::fill_operand(P, info_, cfg::operand_slices, mode_, 0xb0b5eedull),
               (dev_.compute_units > 0 ? dev_.compute_units : 1) * per_cu);
        require_first_path(key(), [this](backend::native_stream s) {
            launch(s, 1, params(1, cfg::operand_slices, a_, b_, sink_.data(), false, records_));
        });
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        require_prepared();
        launch(static_cast<backend::native_stream>(stream), blocks_,
               params(repeats, cfg::operand_slices, a_, b_, sink_.data(), false, records_));
        launch_work w;
        w.flops = static_cast<double>(blocks_) * waves_per_block * static_cast<double>(repeats) *
                  cfg::unroll * cfg::accumulators * info_.flops_per_instruction();
        return w;
    }

    std::string verify(void* stream) override {
        require_prepared();
        const int waves = cfg::verify_blocks * waves_per_block;
        const std::vector<unsigned char> a = detail::pack_known(info_, waves, true);
        const std::vector<unsigned char> b = detail::pack_known(info_, waves, false);
        backend::device_buffer<unsigned char> va(a.size()), vb(b.size());
        va.copy_from_host(a.data(), a.size());
        vb.copy_from_host(b.data(), b.size());
        const std::size_t acc_bytes = arch::amd::element_bytes(info_.acc);
        const std::size_t per_thread = static_cast<std::size_t>(cfg::accumulators) * info_.accumulator_items() * acc_bytes;
        const std::size_t threads = static_cast<std::size_t>(cfg::verify_blocks) * cfg::block_threads;
        backend::device_buffer<unsigned char> out(threads * per_thread);
        backend::device_buffer<block_clock_record> rec(cfg::verify_blocks);
        launch(static_cast<backend::native_stream>(stream), cfg::verify_blocks,
               params(cfg::verify_repeats, waves, va, vb, out.data(), true, rec));
        const std::vector<unsigned char> got = detail::copy_back(stream, out, out.size());
        const std::string path = wrong_path(stream, rec, key());
        return path.empty() ? compare(got, per_thread, threads) : path;
    }

    clock_reading last_clock(void* stream) override { return records_clock(stream); }

private:
    void require_prepared() const { runner_state::require_prepared(key()); }

    static mfma_kernel_params params(std::uint64_t repeats, int slices,
                                     const backend::device_buffer<unsigned char>& a,
                                     const backend::device_buffer<unsigned char>& b, void* out,
                                     bool write_all, backend::device_buffer<block_clock_record>& records) {
        mfma_kernel_params p;
        p.a = a.data();
        p.b = b.data();
        p.slices = static_cast<std::uint32_t>(slices);
        p.repeats = repeats;
        p.write_all = write_all ? 1 : 0;
        // Never equal to a finite sum of small-magnitude accumulators, unknowable to the compiler.
        p.sentinel = -0x1.23456789abcdep+300;
        p.out = out;
        p.records = records.data();
        return p;
    }

    static void launch(backend::native_stream s, int blocks, const mfma_kernel_params& p) {
        mfma_peak_kernel<P><<<blocks, cfg::block_threads, 0, s>>>(p);
        AACO_BACKEND_CHECK_LAUNCH("aaco::kernels::amd::mfma_peak_kernel");
    }

    /// Compares every accumulator item of every thread with the host reference.
    std::string compare(const std::vector<unsigned char>& got, std::size_t per_thread, std::size_t threads) const {
        const int n = cfg::verify_repeats * cfg::unroll;
        const std::size_t acc_bytes = arch::amd::element_bytes(info_.acc);
        std::size_t wrong = 0, total = 0;
        std::string first;
        for (std::size_t t = 0; t < threads; ++t) {
            const int wave = static_cast<int>(t / arch::amd::wave_lanes);
            const int lane = static_cast<int>(t % arch::amd::wave_lanes);
            for (int c = 0; c < cfg::accumulators; ++c)
                for (int v = 0; v < info_.accumulator_items(); ++v) {
                    const std::size_t at = t * per_thread + (static_cast<std::size_t>(c) * info_.accumulator_items() + v) * acc_bytes;
                    const double value = detail::decode_element(info_.acc, &got[at]);
                    const double expect = detail::mfma_expected(info_, wave, lane, c, v, n);
                    ++total;
                    if (value == expect) continue;
                    if (wrong++ == 0) {
                        const arch::amd::matrix_coord d = arch::amd::d_element(info_, lane, v);
                        first = "wave " + std::to_string(wave) + " lane " + std::to_string(lane) + " chain " +
                                std::to_string(c) + " item " + std::to_string(v) + " (D[" + std::to_string(d.row) +
                                "][" + std::to_string(d.col) + "]) = " + std::to_string(value) + ", expected " +
                                std::to_string(expect);
                    }
                }
        }
        return detail::verify_report(key(), wrong, total, first);
    }

    arch::amd::mfma_instruction info_;
};

/// The MFMA peak runner for `p` on `dev`; nullptr where `dev`'s arch has no matrix instruction
/// for `p`. Throws unsupported_arch_error for non-CDNA devices; prepare() throws it when this
/// binary has no code path for the device's arch (rebuild with -DGPU_TARGETS=<arch>).
inline std::unique_ptr<compute_runner> make_mfma_runner(precision p, const device_info& dev,
                                                        operand_mode mode = operand_mode::random) {
    const arch::amd::gfx_family f = detail::require_cdna(dev, "aaco MFMA peak");
    if (!arch::amd::mfma_table(p, f).supported) return nullptr;
    switch (p) {
    case precision::fp64: return std::make_unique<mfma_runner<precision::fp64>>(dev, f, mode);
    case precision::fp32: return std::make_unique<mfma_runner<precision::fp32>>(dev, f, mode);
    case precision::tf32: return std::make_unique<mfma_runner<precision::tf32>>(dev, f, mode);
    case precision::fp16: return std::make_unique<mfma_runner<precision::fp16>>(dev, f, mode);
    case precision::bf16: return std::make_unique<mfma_runner<precision::bf16>>(dev, f, mode);
    case precision::fp8: return std::make_unique<mfma_runner<precision::fp8>>(dev, f, mode);
    case precision::int8: return std::make_unique<mfma_runner<precision::int8>>(dev, f, mode);
    }
    return nullptr;
}

#endif // AACO_BACKEND_HIP

} // namespace amd
} // namespace kernels
AACO_NAMESPACE_END
