/// \file fleet/cohort.hpp
/// \brief Cohorts: the groups of GPUs a fleet analysis may compare with each other.
///
/// A GPU is judged only against GPUs that should perform alike: the same model (device name and
/// arch), driver version, enforced power limit (read by telemetry, to the watt) and memory /
/// partition mode (CUs and device memory as the runtime shows them: a compute partition shows
/// fewer CUs, a memory partition less memory, a MIG slice both; plus the ECC mode). An unknown
/// field (0, NaN, -1) is a value of its own: a GPU whose power limit could not be read is not
/// assumed to have its neighbours'. A mixed fleet is split into one cohort per distinct key and
/// the split is reported (which fields differ, how many GPUs each cohort has); the MAD rule of
/// fleet/analysis.hpp then runs inside each cohort. A cohort with fewer than `min_peers`
/// calibrated GPUs is not judged (its GPUs get a warning, fleet/verdict.hpp): two GPUs cannot
/// single one of them out, and a median of two is not robust.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/fleet/analysis.hpp>
#include <aaco/fleet/record.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace fleet {

/// What a GPU must share with its cohort.
struct cohort_key {
    std::string model;          ///< device name
    std::string arch;
    std::int32_t driver_version = 0;   ///< 0 = unknown
    double power_limit_w = std::numeric_limits<double>::quiet_NaN(); ///< whole watts; NaN = unknown
    std::int32_t compute_units = 0;    ///< 0 = unknown
    std::uint64_t memory_bytes = 0;    ///< 0 = unknown
    std::int32_t ecc = -1;             ///< -1 unknown

    bool operator==(const cohort_key& o) const {
        const bool same_power = (std::isnan(power_limit_w) && std::isnan(o.power_limit_w)) ||
                                power_limit_w == o.power_limit_w;
        return model == o.model && arch == o.arch && driver_version == o.driver_version && same_power &&
               compute_units == o.compute_units && memory_bytes == o.memory_bytes && ecc == o.ecc;
    }
    bool operator!=(const cohort_key& o) const { return !(*this == o); }

    /// "NVIDIA H100 80GB HBM3 (sm_90), driver 12040, 700 W, 132 CUs, 80.0 GiB, ECC on".
    std::string describe() const {
        std::string s = (model.empty() ? std::string("unknown model") : model) +
                         (arch.empty() ? std::string() : " (" + arch + ")");
        s += ", driver " + (driver_version ? std::to_string(driver_version) : std::string("unknown"));
        s += ", " + (std::isnan(power_limit_w) ? std::string("power limit unknown")
                                               : std::to_string(static_cast<long long>(power_limit_w)) + " W");
        s += ", " + (compute_units ? std::to_string(compute_units) + " CUs" : std::string("CUs unknown"));
        if (memory_bytes) {
            const double gib = static_cast<double>(memory_bytes) / (1024.0 * 1024 * 1024);
            const long long tenths = static_cast<long long>(std::llround(gib * 10));
            s += ", " + std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " GiB";
        } else {
            s += ", memory unknown";
        }
        s += ecc < 0 ? ", ECC unknown" : ecc ? ", ECC on" : ", ECC off";
        return s;
    }
};

/// The cohort key of a record. The power limit is rounded to whole watts: telemetry reports the
/// same enforced limit as 700.0 or 699.99 W depending on the library.
inline cohort_key key_of(const fleet_record& r) {
    cohort_key k;
    k.model = std::string(text_of(r.device_name));
    k.arch = std::string(text_of(r.arch));
    k.driver_version = r.driver_version;
    k.power_limit_w = std::isfinite(r.power_limit_w) ? std::round(r.power_limit_w)
                                                     : std::numeric_limits<double>::quiet_NaN();
    k.compute_units = r.compute_units;
    k.memory_bytes = r.memory_bytes;
    k.ecc = r.ecc;
    return k;
}

/// How the fleet analysis groups and judges.
struct cohort_config {
    outlier_config outliers{};
    /// Fewest calibrated GPUs a cohort needs to be judged. Untuned: chosen because with three
    /// the median is one of the GPUs and a single slow one cannot move it; two GPUs sit 1 MAD
    /// from their mean and can never flag each other (fleet/analysis.hpp).
    std::size_t min_peers = 3;

    /// Throws invalid_argument for an invalid outlier rule or min_peers < 2.
    void validate() const {
        outliers.validate();
        if (min_peers < 2)
            throw invalid_argument("min_peers must be at least 2 (one GPU has nobody to be compared with), got " +
                                   std::to_string(min_peers));
    }
};

/// One cohort and the analysis of its GPUs.
struct cohort {
    cohort_key key;
    std::vector<std::size_t> members;  ///< indices of the calibrated records, in record order
    bool judged = false;               ///< members.size() >= min_peers
    /// analyze() of the members' records; its indices are positions in `members`.
    fleet_report report;
};

/// A fleet split into cohorts.
struct cohort_report {
    cohort_config config;
    std::size_t records = 0;
    std::vector<cohort> cohorts;        ///< in order of their first member
    std::vector<std::size_t> failed;    ///< records of ranks that produced no envelope
    /// The key fields in which the cohorts differ: "model", "driver", "power limit",
    /// "compute units", "memory", "ECC" (empty for a homogeneous fleet).
    std::vector<std::string> split_by;

    /// "2 cohorts (split by model, driver): NVIDIA H100 ... x 6; AMD Instinct MI300X ... x 4".
    std::string describe() const {
        std::string s = std::to_string(cohorts.size()) + (cohorts.size() == 1 ? " cohort" : " cohorts");
        if (!split_by.empty()) {
            s += " (split by ";
            for (std::size_t i = 0; i < split_by.size(); ++i) s += (i ? ", " : "") + split_by[i];
            s += ")";
        }
        s += ":";
        for (std::size_t i = 0; i < cohorts.size(); ++i)
            s += (i ? "; " : " ") + cohorts[i].key.describe() + " x " + std::to_string(cohorts[i].members.size()) +
                 (cohorts[i].judged ? "" : " (too few to judge)");
        return s;
    }
    /// The cohort of record `index`, or nullptr (a failed record).
    const cohort* cohort_of(std::size_t index, std::size_t* position = nullptr) const {
        for (const cohort& c : cohorts)
            for (std::size_t p = 0; p < c.members.size(); ++p)
                if (c.members[p] == index) {
                    if (position) *position = p;
                    return &c;
                }
        return nullptr;
    }
};

namespace cohort_detail {

inline void note_difference(std::vector<std::string>& by, const std::vector<cohort>& cs) {
    auto differs = [&](auto get) {
        for (const cohort& c : cs)
            if (!(get(c.key) == get(cs.front().key))) return true;
        return false;
    };
    if (cs.empty()) return;
    if (differs([](const cohort_key& k) { return k.model + "/" + k.arch; })) by.push_back("model");
    if (differs([](const cohort_key& k) { return k.driver_version; })) by.push_back("driver");
    if (differs([](const cohort_key& k) {
            return std::isnan(k.power_limit_w) ? std::string("?") : std::to_string(k.power_limit_w);
        }))
        by.push_back("power limit");
    if (differs([](const cohort_key& k) { return k.compute_units; })) by.push_back("compute units");
    if (differs([](const cohort_key& k) { return k.memory_bytes; })) by.push_back("memory");
    if (differs([](const cohort_key& k) { return k.ecc; })) by.push_back("ECC");
}

} // namespace cohort_detail

/// Splits `n` records into cohorts and analyses each (see the file comment). O(n x cohorts) to
/// group, then O(members) per ceiling per cohort. Throws invalid_argument for a bad config.
inline cohort_report split_into_cohorts(const fleet_record* records, std::size_t n, const cohort_config& config = {}) {
    config.validate();
    cohort_report rep;
    rep.config = config;
    rep.records = n;
    for (std::size_t i = 0; i < n; ++i) {
        if (!records[i].ok()) {
            rep.failed.push_back(i);
            continue;
        }
        const cohort_key k = key_of(records[i]);
        cohort* target = nullptr;
        for (cohort& c : rep.cohorts)
            if (c.key == k) target = &c;
        if (!target) {
            rep.cohorts.push_back({k, {}, false, {}});
            target = &rep.cohorts.back();
        }
        target->members.push_back(i);
    }
    std::vector<fleet_record> subset;
    for (cohort& c : rep.cohorts) {
        subset.clear();
        for (std::size_t i : c.members) subset.push_back(records[i]);
        c.report = analyze(subset, config.outliers);
        c.judged = c.members.size() >= config.min_peers;
        if (!c.judged) c.report.outliers.clear();  // too few to single anyone out
    }
    cohort_detail::note_difference(rep.split_by, rep.cohorts);
    return rep;
}

inline cohort_report split_into_cohorts(const std::vector<fleet_record>& records, const cohort_config& config = {}) {
    return split_into_cohorts(records.data(), records.size(), config);
}

} // namespace fleet
AACO_PORTABLE_NAMESPACE_END
