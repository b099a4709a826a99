/// \file roofline.hpp
/// \brief The roofline model and Hardware Envelope Utilization (host-only).
///
/// attainable(AI) = min(compute ceiling, AI x memory ceiling), with AI the kernel's arithmetic
/// intensity in FLOP per byte moved at the memory level of the ceiling. HEU = achieved /
/// attainable. Units: TFLOP/s (TOPS for int8), GB/s (1e9 bytes/s), FLOP/byte; so the memory
/// roof in TFLOP/s is AI x GB/s / 1000.
///
/// Two layers:
///  - constexpr functions on plain numbers (`attainable_tflops`, `ridge_point`, `classify`,
///    `heu`), usable in `static_assert`;
///  - a `roofline` holding several named ceilings (one per precision x unit, one per memory
///    level), built by hand or from an `envelope` with `make_roofline`, whose `heu` also names
///    the ceiling that binds.
///
/// Every entry point rejects input outside the model's domain with aaco::invalid_argument
/// naming the argument and its value: intensities that are zero, negative, NaN or infinite;
/// achieved rates that are negative, NaN or infinite; ceilings that are not finite and > 0.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>
#include <aaco/model/units.hpp>

#include <ios>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// Which roof limits a kernel at its intensity.
enum class bound { compute, memory };

constexpr std::string_view to_string(bound b) { return b == bound::compute ? "compute" : "memory"; }

// ---- constexpr roofline on plain numbers ----------------------------------------------------

/// The memory roof at intensity `ai_flop_per_byte`: AI x bandwidth, in TFLOP/s.
constexpr double memory_roof_tflops(double bandwidth_gbps, double ai_flop_per_byte) {
    return detail::require_positive(ai_flop_per_byte, "aaco::memory_roof_tflops",
                                    "ai_flop_per_byte") *
           detail::require_positive(bandwidth_gbps, "aaco::memory_roof_tflops",
                                    "bandwidth_gbps") *
           bytes_per_gb / flops_per_tflop;
}

/// Ridge point in FLOP/byte: the intensity at which the memory roof meets the compute roof.
constexpr double ridge_point(double peak_tflops, double bandwidth_gbps) {
    return detail::require_positive(peak_tflops, "aaco::ridge_point", "peak_tflops") *
           flops_per_tflop /
           (detail::require_positive(bandwidth_gbps, "aaco::ridge_point", "bandwidth_gbps") *
            bytes_per_gb);
}

/// Attainable TFLOP/s at intensity `ai_flop_per_byte`: min(peak, AI x bandwidth).
constexpr double attainable_tflops(double peak_tflops, double bandwidth_gbps,
                                   double ai_flop_per_byte) {
    const double peak =
        detail::require_positive(peak_tflops, "aaco::attainable_tflops", "peak_tflops");
    const double mem = detail::require_positive(ai_flop_per_byte, "aaco::attainable_tflops",
                                                "ai_flop_per_byte") *
                       detail::require_positive(bandwidth_gbps, "aaco::attainable_tflops",
                                                "bandwidth_gbps") *
                       bytes_per_gb / flops_per_tflop;
    return mem < peak ? mem : peak;
}

/// Which roof binds at `ai_flop_per_byte`. Exactly at the ridge both roofs are equal; that
/// point counts as compute-bound. The comparison is the one `attainable_tflops` makes, so the
/// two never disagree through rounding.
constexpr bound classify(double peak_tflops, double bandwidth_gbps, double ai_flop_per_byte) {
    const double peak = detail::require_positive(peak_tflops, "aaco::classify", "peak_tflops");
    const double mem =
        detail::require_positive(ai_flop_per_byte, "aaco::classify", "ai_flop_per_byte") *
        detail::require_positive(bandwidth_gbps, "aaco::classify", "bandwidth_gbps") *
        bytes_per_gb / flops_per_tflop;
    return mem < peak ? bound::memory : bound::compute;
}

/// HEU of one kernel against one compute and one memory ceiling, without ceiling names.
/// A literal type, so `heu(...)` on plain numbers works in `static_assert`.
struct heu_point {
    double value = 0;               ///< achieved / attainable
    bound b = bound::compute;       ///< which roof binds at the kernel's intensity
    /// value > 1: the kernel beat the roof at its intensity. What that implies depends on the
    /// roof it exceeds (above_roof_meaning() says it in words):
    ///  - above the compute roof (`above_compute_roof`; always so when compute-bound): no
    ///    kernel can beat the compute ceiling whatever its bytes, so the FLOP count or the
    ///    precision is wrong (e.g. fp16 work charged against the fp64 roof), or the ceiling is
    ///    (a datasheet or a measurement below what the card really does);
    ///  - above the memory roof only (memory-bound, under the compute ceiling): the bytes the
    ///    kernel was charged for were partly served by a faster level (a cache), so its real
    ///    intensity at the charged level is higher than the one passed in; or the byte count
    ///    is wrong.
    bool above_roof = false;
    /// The achieved rate is above the compute ceiling itself (implies above_roof).
    bool above_compute_roof = false;
    double attainable_tflops = 0;   ///< the roof at the kernel's intensity
};

/// HEU = achieved / min(peak, AI x bandwidth). `achieved_tflops` may be 0 (HEU 0).
constexpr heu_point heu(double achieved_tflops, double ai_flop_per_byte, double peak_tflops,
                        double bandwidth_gbps) {
    const double achieved =
        detail::require_non_negative(achieved_tflops, "aaco::heu", "achieved_tflops");
    const double peak = detail::require_positive(peak_tflops, "aaco::heu", "peak_tflops");
    const double mem =
        detail::require_positive(ai_flop_per_byte, "aaco::heu", "ai_flop_per_byte") *
        detail::require_positive(bandwidth_gbps, "aaco::heu", "bandwidth_gbps") * bytes_per_gb /
        flops_per_tflop;
    heu_point r;
    r.b = mem < peak ? bound::memory : bound::compute;
    r.attainable_tflops = mem < peak ? mem : peak;
    r.value = achieved / r.attainable_tflops;
    r.above_roof = r.value > 1.0;
    r.above_compute_roof = achieved > peak;
    return r;
}

/// What a kernel above the roof implies, in words, for the roof it exceeds (see
/// heu_point::above_roof); empty when it is not above the roof.
constexpr std::string_view above_roof_meaning(bool above_roof, bool above_compute_roof) {
    if (!above_roof) return {};
    return above_compute_roof
               ? "above the compute roof: nothing runs faster than the compute ceiling, so the "
                 "FLOP count or the precision is wrong, or the ceiling is"
               : "above the memory roof: the counted bytes were partly served by a cache (a "
                 "faster level), or the byte count is wrong";
}

/// HEU as a percentage with one decimal ("80.0%"): the one format aaco's outputs use (CLI,
/// SVG, examples). From a million percent up (a wrong FLOP or byte count, never a real
/// kernel) it switches to one decimal of scientific notation ("7.6e+306%") instead of hundreds
/// of digits; "n/a" when not finite. Classic "C" locale whatever the global one is.
inline std::string heu_percent_text(double value) {
    const double percent = value * 100;
    if (!detail::is_finite(percent)) return "n/a";
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.setf(percent < 1e6 && percent > -1e6 ? std::ios::fixed : std::ios::scientific,
           std::ios::floatfield);
    s.precision(1);
    s << percent << '%';
    return s.str();
}

// ---- named ceilings -------------------------------------------------------------------------

/// HEU of a kernel with the name of the ceiling that binds ("fp16.matrix", "hbm", ...).
struct heu_result {
    double value = 0;               ///< achieved / attainable
    std::string binding_ceiling;    ///< name of the roof that binds at the kernel's intensity
    bound b = bound::compute;
    /// value > 1: the kernel beat the roof at its intensity; what that implies depends on the
    /// roof it exceeds (see heu_point::above_roof and above_roof_meaning()).
    bool above_roof = false;
    /// The achieved rate is above the compute ceiling itself (implies above_roof).
    bool above_compute_roof = false;
    double attainable_tflops = 0;
};

/// above_roof_meaning() of a named result.
inline std::string_view above_roof_meaning(const heu_result& r) {
    return above_roof_meaning(r.above_roof, r.above_compute_roof);
}

/// One compute ceiling of a roofline.
struct compute_ceiling {
    std::string name;               ///< "fp16.matrix" unless given
    precision prec = precision::fp32;
    compute_unit unit = compute_unit::vector;
    double tflops = 0;
};

/// One memory ceiling of a roofline.
struct memory_ceiling {
    std::string name;               ///< "hbm", "l2", ... unless given
    memory_level level = memory_level::hbm;
    double gbps = 0;
};

/// Default ceiling name of a precision on a unit: "fp16.matrix".
inline std::string ceiling_name(precision p, compute_unit u) {
    return std::string(to_string(p)) + "." + std::string(to_string(u));
}

/// A roofline with several compute ceilings (precision x unit) and several memory ceilings
/// (one per level). Lookups by precision alone take the faster unit, as envelope does.
class roofline {
public:
    /// Adds (or replaces) the ceiling of `p` on `u`. `tflops` must be finite and > 0.
    roofline& add_compute(precision p, compute_unit u, double tflops, std::string name = {}) {
        detail::require_positive(tflops, "aaco::roofline::add_compute", "tflops");
        if (name.empty()) name = ceiling_name(p, u);
        for (auto& c : compute_)
            if (c.prec == p && c.unit == u) {
                c = compute_ceiling{std::move(name), p, u, tflops};
                return *this;
            }
        compute_.push_back(compute_ceiling{std::move(name), p, u, tflops});
        return *this;
    }

    /// Adds (or replaces) the ceiling of level `l`. `gbps` must be finite and > 0.
    roofline& add_memory(memory_level l, double gbps, std::string name = {}) {
        detail::require_positive(gbps, "aaco::roofline::add_memory", "gbps");
        if (name.empty()) name = std::string(to_string(l));
        for (auto& m : memory_)
            if (m.level == l) {
                m = memory_ceiling{std::move(name), l, gbps};
                return *this;
            }
        memory_.push_back(memory_ceiling{std::move(name), l, gbps});
        return *this;
    }

    const std::vector<compute_ceiling>& compute_ceilings() const noexcept { return compute_; }
    const std::vector<memory_ceiling>& memory_ceilings() const noexcept { return memory_; }

    bool has_compute(precision p) const { return best_compute(p) != nullptr; }
    bool has_compute(precision p, compute_unit u) const { return find_compute(p, u) != nullptr; }
    bool has_memory(memory_level l) const { return find_memory(l) != nullptr; }

    /// The faster ceiling of `p` (matrix or vector). Throws invalid_argument when none.
    const compute_ceiling& compute(precision p) const {
        if (const compute_ceiling* c = best_compute(p)) return *c;
        throw invalid_argument("aaco::roofline: no compute ceiling for precision " +
                               std::string(to_string(p)) + " (have: " + compute_names() + ")");
    }
    /// The ceiling of `p` on `u`. Throws invalid_argument when none.
    const compute_ceiling& compute(precision p, compute_unit u) const {
        if (const compute_ceiling* c = find_compute(p, u)) return *c;
        throw invalid_argument("aaco::roofline: no compute ceiling " + ceiling_name(p, u) +
                               " (have: " + compute_names() + ")");
    }
    /// The ceiling of level `l`. Throws invalid_argument when none.
    const memory_ceiling& memory(memory_level l) const {
        if (const memory_ceiling* m = find_memory(l)) return *m;
        std::string have;
        for (const auto& x : memory_) have += (have.empty() ? "" : ", ") + x.name;
        throw invalid_argument("aaco::roofline: no memory ceiling for level " +
                               std::string(to_string(l)) + " (have: " +
                               (have.empty() ? "none" : have) + ")");
    }

    /// Attainable TFLOP/s at `ai_flop_per_byte` (FLOP per byte of level `l`) in precision `p`.
    double attainable(double ai_flop_per_byte, precision p,
                      memory_level l = memory_level::hbm) const {
        return attainable_tflops(compute(p).tflops, memory(l).gbps, ai_flop_per_byte);
    }
    double attainable(double ai_flop_per_byte, precision p, compute_unit u,
                      memory_level l) const {
        return attainable_tflops(compute(p, u).tflops, memory(l).gbps, ai_flop_per_byte);
    }

    /// Ridge point (FLOP/byte) of precision `p` against level `l`.
    double ridge(precision p, memory_level l = memory_level::hbm) const {
        return ridge_point(compute(p).tflops, memory(l).gbps);
    }

    bound classify(double ai_flop_per_byte, precision p,
                   memory_level l = memory_level::hbm) const {
        return ::aaco::classify(compute(p).tflops, memory(l).gbps, ai_flop_per_byte);
    }

    /// HEU of a kernel that achieved `achieved_tflops` at `ai_flop_per_byte` in precision `p`
    /// (its faster unit), against level `l`.
    heu_result heu(double achieved_tflops, double ai_flop_per_byte, precision p,
                   memory_level l = memory_level::hbm) const {
        return make_result(achieved_tflops, ai_flop_per_byte, compute(p), memory(l));
    }
    /// As above, against the ceiling of one unit.
    heu_result heu(double achieved_tflops, double ai_flop_per_byte, precision p, compute_unit u,
                   memory_level l) const {
        return make_result(achieved_tflops, ai_flop_per_byte, compute(p, u), memory(l));
    }

private:
    std::vector<compute_ceiling> compute_;
    std::vector<memory_ceiling> memory_;

    const compute_ceiling* find_compute(precision p, compute_unit u) const {
        for (const auto& c : compute_)
            if (c.prec == p && c.unit == u) return &c;
        return nullptr;
    }
    const compute_ceiling* best_compute(precision p) const {
        const compute_ceiling* best = nullptr;
        for (const auto& c : compute_)
            if (c.prec == p && (!best || c.tflops > best->tflops)) best = &c;
        return best;
    }
    const memory_ceiling* find_memory(memory_level l) const {
        for (const auto& m : memory_)
            if (m.level == l) return &m;
        return nullptr;
    }
    std::string compute_names() const {
        std::string s;
        for (const auto& c : compute_) s += (s.empty() ? "" : ", ") + c.name;
        return s.empty() ? "none" : s;
    }
    static heu_result make_result(double achieved_tflops, double ai_flop_per_byte,
                                  const compute_ceiling& c, const memory_ceiling& m) {
        const heu_point pt = ::aaco::heu(achieved_tflops, ai_flop_per_byte, c.tflops, m.gbps);
        heu_result r;
        r.value = pt.value;
        r.b = pt.b;
        r.binding_ceiling = pt.b == bound::compute ? c.name : m.name;
        r.above_roof = pt.above_roof;
        r.above_compute_roof = pt.above_compute_roof;
        r.attainable_tflops = pt.attainable_tflops;
        return r;
    }
};

/// A roofline with every compute figure of `env` (one ceiling per precision x unit) and, per
/// memory level, the fastest stream op measured there. Throws invalid_argument when a figure
/// is not finite and > 0 (a failed sub-measurement belongs in `env.failures`, not as a zero).
inline roofline make_roofline(const envelope& env) {
    roofline r;
    for (const auto& f : env.compute) {
        const double roof = f.roof_tflops();  // the higher of burst and sustained
        if (!(detail::is_finite(roof) && roof > 0))
            detail::fail_argument("aaco::make_roofline",
                                  ("envelope compute figure " + ceiling_name(f.prec, f.unit) +
                                   " tflops").c_str(),
                                  "finite and > 0", roof);
        if (!r.has_compute(f.prec, f.unit) || r.compute(f.prec, f.unit).tflops < roof)
            r.add_compute(f.prec, f.unit, roof);
    }
    for (const auto& f : env.memory) {
        if (!(detail::is_finite(f.gbps) && f.gbps > 0))
            detail::fail_argument("aaco::make_roofline",
                                  ("envelope memory figure " + std::string(to_string(f.level)) +
                                   "." + std::string(to_string(f.op)) + " gbps").c_str(),
                                  "finite and > 0", f.gbps);
        if (!r.has_memory(f.level) || r.memory(f.level).gbps < f.gbps)
            r.add_memory(f.level, f.gbps);
    }
    return r;
}

/// HEU of a kernel against an envelope: the faster unit of precision `p` and the fastest op
/// of level `l`. Throws invalid_argument when the envelope lacks either ceiling (the message
/// carries the envelope's failure reason when it recorded one) or when an argument is out of
/// the model's domain.
inline heu_result heu(const envelope& env, double achieved_tflops, double ai_flop_per_byte,
                      precision p, memory_level l = memory_level::hbm) {
    const double peak = env.compute_tflops(p);  // throws, naming p and why it is missing
    const double gbps = env.memory_gbps(l);     // throws, naming l and why it is missing
    const heu_point pt = heu(achieved_tflops, ai_flop_per_byte, peak, gbps);
    heu_result r;
    r.value = pt.value;
    r.b = pt.b;
    r.binding_ceiling = pt.b == bound::compute
                            ? ceiling_name(p, env.best_compute(p)->unit)
                            : std::string(to_string(l));
    r.above_roof = pt.above_roof;
    r.above_compute_roof = pt.above_compute_roof;
    r.attainable_tflops = pt.attainable_tflops;
    return r;
}

AACO_PORTABLE_NAMESPACE_END
