/// \file vector_peak.hpp
/// \brief AMD vector-ALU FMA peak: the runner around `vector_peak_kernel<P>` and its factory.
///
/// `make_vector_fma_runner(p, dev, mode)` measures fp32 (packed v_pk_fma_f32 where the arch has
/// it), fp64 (v_fma_f64) and fp16 (v_pk_fma_f16); nullptr for the other precisions, which aaco
/// measures on the matrix cores only. verify() runs small known chains x = x * a + b with
/// a in {+-1, +-1/2} (fp16: +-1) and small integer b, and replays them on the host with the
/// same fused arithmetic (std::fma for fp32/fp64; exact small integers for fp16).
///
/// Only HIP builds get the runner and the factory.
#pragma once
#include <aaco/config.hpp>
#include <aaco/arch/amd/mfma.hpp>
#include <aaco/kernels/amd/detail/common.hpp>
#include <aaco/kernels/amd/detail/runner_common.hpp>
#include <aaco/kernels/amd/detail/vector_kernel.hpp>
#include <aaco/kernels/runner.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/precision.hpp>

#include <cmath>
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

/// Verify operands of element `e` (0 .. width-1) of slot `slot`.
inline double known_vector_a(precision p, int slot, int e) {
    static constexpr double fp_values[4] = {1.0, -0.5, -1.0, 0.5};
    if (p == precision::fp16) return ((slot + e) % 2) ? -1.0 : 1.0; // keeps fp16 chains integral
    return fp_values[(slot + 3 * e) % 4];
}
inline double known_vector_b(int slot, int e) { return ((slot * 5 + e * 3) % 7) - 3; }

/// Host replay of one verify chain: start at `start`, n fused steps x = x * a + b, rounded as
/// the device rounds (fp32: fmaf; fp64: fma; fp16: values stay small integers, so exact).
inline double replay_chain(precision p, double start, double a, double b, int n) {
    if (p == precision::fp32) {
        float x = static_cast<float>(start);
        for (int i = 0; i < n; ++i) x = std::fmaf(x, static_cast<float>(a), static_cast<float>(b));
        return x;
    }
    double x = start;
    for (int i = 0; i < n; ++i) x = std::fma(x, a, b);
    return x;
}

/// Operand table of `slots` values x width elements: random (random_operand_distribution(p),
/// kernels/operand_fill.hpp; the multipliers a redrawn when exactly +-1, so |a| < 1 keeps the
/// chains x = x a + b bounded), zero, or the verify values.
inline std::vector<unsigned char> vector_operand(precision p, const vector_instruction& info, int slots,
                                                 operand_mode mode, bool is_a, bool known, std::uint64_t seed) {
    const std::size_t eb = arch::amd::element_bytes(info.element);
    std::vector<unsigned char> bytes(static_cast<std::size_t>(slots) * info.width * eb, 0);
    if (!known && mode == operand_mode::zero) return bytes;
    operand_rng rng(seed);
    for (int s = 0; s < slots; ++s)
        for (int e = 0; e < info.width; ++e) {
            double v = 0;
            if (known) v = is_a ? known_vector_a(p, s, e) : known_vector_b(s, e);
            else v = is_a ? random_multiplier_value(p, rng) : random_operand_value(p, rng);
            encode_element(info.element, v, &bytes[(static_cast<std::size_t>(s) * info.width + e) * eb]);
        }
    return bytes;
}

} // namespace detail

#if AACO_BACKEND_HIP

/// Runner of vector_peak_kernel<P> on one CDNA device.
template <precision P>
class vector_fma_runner final : public compute_runner, detail::runner_state {
    using cfg = vector_peak_config;

public:
    /// `family` must have a vector FMA for `P` (the factory checks).
    vector_fma_runner(const device_info& dev, arch::amd::gfx_family family, operand_mode mode)
        : runner_state(dev, family, mode), info_(vector_table(P, family)) {
        if (!info_.supported) throw invalid_argument(key() + ": no vector FMA kernel for this precision");
    }

    std::string key() const override { return "compute." + std::string(to_string(P)) + ".vector"; }
    std::string method() const override { return std::string(info_.mnemonic); }

    compute_kernel_desc desc() const override {
        compute_kernel_desc d;
        d.prec = P;
        d.unit = compute_unit::vector;
        d.flops_per_clock_per_unit = info_.flops_per_clock_per_cu;
        d.operands = mode_;
        d.operand_distribution = operand_distribution(P, mode_);
        return d;
    }

    void prepare() override {
        const int per_cu = detail::resident_blocks_per_cu(&vector_peak_kernel<P>, cfg::block_threads,
                                                          cfg::blocks_per_cu, key());
        upload(detail::vector_operand(P, info_, cfg::operand_slots, mode_, true, false, 0xa5eedull),
               detail::vector_operand(P, info_, cfg::operand_slots, mode_, false, false, 0xb5eedull),
               (dev_.compute_units > 0 ? dev_.compute_units : 1) * per_cu);
        require_first_path(key(), [this](backend::native_stream s) {
            launch(s, 1, params(1, cfg::operand_slots, a_, b_, sink_.data(), false, records_));
        });
    }

    launch_work enqueue(void* stream, std::uint64_t repeats) override {
        require_prepared();
        launch(static_cast<backend::native_stream>(stream), blocks_,
               params(repeats, cfg::operand_slots, a_, b_, sink_.data(), false, records_));
        launch_work w;
        w.flops = static_cast<double>(blocks_) * cfg::block_threads * static_cast<double>(repeats) *
                  cfg::unroll * cfg::accumulators * info_.width * 2.0;
        return w;
    }

    std::string verify(void* stream) override {
        require_prepared();
        const int threads = cfg::verify_blocks * cfg::block_threads;
        const auto a = detail::vector_operand(P, info_, threads, mode_, true, true, 0);
        const auto b = detail::vector_operand(P, info_, threads, mode_, false, true, 0);
        backend::device_buffer<unsigned char> va(a.size()), vb(b.size());
        va.copy_from_host(a.data(), a.size());
        vb.copy_from_host(b.data(), b.size());
        const std::size_t eb = arch::amd::element_bytes(info_.element);
        const std::size_t per_thread = static_cast<std::size_t>(cfg::accumulators) * info_.width * eb;
        backend::device_buffer<unsigned char> out(static_cast<std::size_t>(threads) * per_thread);
        backend::device_buffer<block_clock_record> rec(cfg::verify_blocks);
        launch(static_cast<backend::native_stream>(stream), cfg::verify_blocks,
               params(cfg::verify_repeats, threads, va, vb, out.data(), true, rec));
        const std::vector<unsigned char> got = detail::copy_back(stream, out, out.size());
        const std::string path = wrong_path(stream, rec, key());
        return path.empty() ? compare(got, threads) : path;
    }

    clock_reading last_clock(void* stream) override { return records_clock(stream); }

private:
    void require_prepared() const { runner_state::require_prepared(key()); }

    static vector_kernel_params params(std::uint64_t repeats, int slots,
                                       const backend::device_buffer<unsigned char>& a,
                                       const backend::device_buffer<unsigned char>& b, void* out,
                                       bool write_all, backend::device_buffer<block_clock_record>& records) {
        vector_kernel_params p;
        p.a = a.data();
        p.b = b.data();
        p.slots = static_cast<std::uint32_t>(slots);
        p.repeats = repeats;
        p.write_all = write_all ? 1 : 0;
        // Never equal to a sum of bounded chains, unknowable to the compiler.
        p.sentinel = -0x1.23456789abcdep+300;
        p.out = out;
        p.records = records.data();
        return p;
    }

    static void launch(backend::native_stream s, int blocks, const vector_kernel_params& p) {
        vector_peak_kernel<P><<<blocks, cfg::block_threads, 0, s>>>(p);
        AACO_BACKEND_CHECK_LAUNCH("aaco::kernels::amd::vector_peak_kernel");
    }

    /// Compares every element of every chain of every thread with its host replay.
    std::string compare(const std::vector<unsigned char>& got, int threads) const {
        const int n = cfg::verify_repeats * cfg::unroll;
        const std::size_t eb = arch::amd::element_bytes(info_.element);
        std::size_t wrong = 0, total = 0;
        std::string first;
        for (int t = 0; t < threads; ++t)
            for (int c = 0; c < cfg::accumulators; ++c)
                for (int e = 0; e < info_.width; ++e) {
                    const std::size_t at = ((static_cast<std::size_t>(t) * cfg::accumulators + c) * info_.width + e) * eb;
                    const double value = detail::decode_element(info_.element, &got[at]);
                    const double expect = detail::replay_chain(P, c, detail::known_vector_a(P, t, e),
                                                               detail::known_vector_b(t, e), n);
                    ++total;
                    if (value == expect) continue;
                    if (wrong++ == 0)
                        first = "thread " + std::to_string(t) + " chain " + std::to_string(c) + " element " +
                                std::to_string(e) + " = " + std::to_string(value) + ", expected " +
                                std::to_string(expect);
                }
        return detail::verify_report(key(), wrong, total, first);
    }

    vector_instruction info_;
};

/// The vector FMA peak runner for `p` on `dev`; nullptr for precisions without a vector FMA
/// kernel (tf32, bf16, fp8, int8). Throws unsupported_arch_error for non-CDNA devices;
/// prepare() throws it when this binary has no code path for the device's arch.
inline std::unique_ptr<compute_runner> make_vector_fma_runner(precision p, const device_info& dev,
                                                              operand_mode mode = operand_mode::random) {
    const arch::amd::gfx_family f = detail::require_cdna(dev, "aaco vector FMA peak");
    if (!vector_table(p, f).supported) return nullptr;
    switch (p) {
    case precision::fp32: return std::make_unique<vector_fma_runner<precision::fp32>>(dev, f, mode);
    case precision::fp64: return std::make_unique<vector_fma_runner<precision::fp64>>(dev, f, mode);
    case precision::fp16: return std::make_unique<vector_fma_runner<precision::fp16>>(dev, f, mode);
    default: return nullptr;
    }
}

#endif // AACO_BACKEND_HIP

} // namespace amd
} // namespace kernels
AACO_NAMESPACE_END
