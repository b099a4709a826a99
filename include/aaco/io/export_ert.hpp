/// \file export_ert.hpp
/// \brief The Empirical Roofline Toolkit's `roofline.json`: write aaco's ceilings in it, and
/// read one back.
///
/// **The format** (what ERT's `ert` driver writes as `<results>/Run.NNN/roofline.json` and its
/// Roofline Visualizer reads):
///
///     { "empirical": { "metadata": {...},
///                      "gflops": { "data": [ ["<name>", GFLOP/s], ... ], "metadata": {...} },
///                      "gbytes": { "data": [ ["<level>", GB/s], ... ],   "metadata": {...} } },
///       "spec":      { "gflops": { "data": [ ["<name>", GFLOP/s], ... ] },
///                      "gbytes": { "data": [ ["<level>", GB/s], ... ] } } }
///
/// `empirical` holds measured ceilings, `spec` the datasheet's. Each `data` entry is a
/// [name, value] pair; the visualizer draws one horizontal roof per gflops entry and one slope
/// per gbytes entry, labelled with the name. ERT itself writes one "GFLOPs" entry and its memory
/// levels from the fastest to the slowest ("L1", ..., "DRAM").
///
/// **What aaco writes:** `empirical.gflops.data`: one entry per measured compute ceiling (the
/// highest roof per precision and unit), named "<PRECISION> <unit> GFLOPs" ("FP16 matrix
/// GFLOPs"; "INT8 matrix GOPs" for int8, in GOP/s); `empirical.gbytes.data`: one entry per
/// on-device memory level that has a roof figure, fastest first, named "Shared", "L2", "LLC"
/// (MI300's Infinity Cache), "HBM". Their metadata carries aaco's version, the device, the
/// calibration time and, per entry, the sample count, the stable flag and the 95% interval
/// (export_detail::interval_of). `spec` holds the datasheet figures: those of `datasheet` when
/// given (e.g. the matched profile), else each figure's own `datasheet_tflops`/`datasheet_gbps`.
/// A datasheet envelope (`--profile`) has nothing measured: its figures go to `spec` and
/// `empirical` stays empty. Host links are not roofline slopes and are left out.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/export_detail.hpp>
#include <aaco/io/json.hpp>
#include <aaco/model/envelope.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

namespace ert_detail {

using ordered_json = nlohmann::ordered_json;

/// The memory levels that become gbytes entries, with their ERT-style names.
inline constexpr std::array<std::pair<memory_level, std::string_view>, 4> levels = {{
    {memory_level::shared, "Shared"},
    {memory_level::l2, "L2"},
    {memory_level::llc, "LLC"},
    {memory_level::hbm, "HBM"},
}};

/// "FP16 matrix GFLOPs", "INT8 matrix GOPs".
inline std::string gflops_name(precision p, compute_unit u) {
    std::string n(to_string(p));
    for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return n + " " + std::string(to_string(u)) + (traits(p).is_integer ? " GOPs" : " GFLOPs");
}

inline ordered_json stats_metadata(const sample_stats& s, double scale) {
    ordered_json m;
    m["samples"] = static_cast<std::uint64_t>(s.samples);
    m["stable"] = s.measured() ? ordered_json(s.stable) : ordered_json(nullptr);
    const export_detail::sample_interval i = export_detail::interval_of(s);
    if (i.known()) {
        m["interval_95"] = {i.low * scale, i.high * scale};
        m["interval_from"] = i.percentiles ? "p2.5/p97.5" : "min/max";
    }
    return m;
}

/// One measured side: gflops and gbytes entries with per-entry metadata.
struct side {
    ordered_json gflops = ordered_json::array();
    ordered_json gbytes = ordered_json::array();
    ordered_json gflops_meta = ordered_json::object();
    ordered_json gbytes_meta = ordered_json::object();
};

inline void add_measured(side& out, const envelope& e) {
    for (precision p : all_precisions)
        for (compute_unit u : {compute_unit::matrix, compute_unit::vector})
            if (const compute_figure* f = export_detail::ceiling_figure(e, p, u)) {
                const std::string name = gflops_name(p, u);
                out.gflops.push_back({name, f->roof_tflops() * 1000.0});
                out.gflops_meta[name] = stats_metadata(export_detail::roof_stats(*f), 1000.0);
            }
    std::vector<std::pair<std::string, const memory_figure*>> mem;
    for (const auto& [level, name] : levels)
        if (const memory_figure* f = export_detail::ceiling_figure(e, level))
            mem.emplace_back(std::string(name), f);
    std::stable_sort(mem.begin(), mem.end(),
                     [](const auto& a, const auto& b) { return a.second->gbps > b.second->gbps; });
    for (const auto& [name, f] : mem) {
        out.gbytes.push_back({name, f->gbps});
        ordered_json m = stats_metadata(f->stats, 1.0);
        m["op"] = std::string(to_string(f->op));
        out.gbytes_meta[name] = m;
    }
}

/// The datasheet side: from `ds` (an envelope of datasheet figures) or from the figures' own
/// datasheet fields.
inline void add_spec(side& out, const envelope& e, const envelope* ds) {
    for (precision p : all_precisions)
        for (compute_unit u : {compute_unit::matrix, compute_unit::vector}) {
            double v = export_detail::nan_value();
            if (ds) {
                if (const compute_figure* f = export_detail::ceiling_figure(*ds, p, u)) v = f->tflops;
            } else if (const compute_figure* f = export_detail::ceiling_figure(e, p, u)) {
                v = f->datasheet_tflops;
            }
            if (std::isfinite(v) && v > 0) out.gflops.push_back({gflops_name(p, u), v * 1000.0});
        }
    std::vector<std::pair<std::string, double>> mem;
    for (const auto& [level, name] : levels) {
        double v = export_detail::nan_value();
        if (ds) {
            if (const memory_figure* f = export_detail::ceiling_figure(*ds, level)) v = f->gbps;
        } else if (const memory_figure* f = export_detail::ceiling_figure(e, level)) {
            v = f->datasheet_gbps;
        }
        if (std::isfinite(v) && v > 0) mem.emplace_back(std::string(name), v);
    }
    std::stable_sort(mem.begin(), mem.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [name, v] : mem) out.gbytes.push_back({name, v});
}

inline ordered_json envelope_metadata(const envelope& e) {
    ordered_json m;
    m["SOURCE"] = "aaco";
    m["AACO_VERSION"] = e.aaco_version;
    m["ENVELOPE_SOURCE"] = std::string(to_string(e.source));
    m["DEVICE"] = e.device.name;
    if (!e.device.arch.empty()) m["ARCH"] = e.device.arch;
    if (!e.device.uuid.empty()) m["UUID"] = e.device.uuid;
    if (e.device.id >= 0) m["DEVICE_ID"] = e.device.id;
    if (!e.calibration_timestamp.empty()) m["CALIBRATION_TIMESTAMP"] = e.calibration_timestamp;
    if (const auto t = export_detail::epoch_seconds(e.calibration_timestamp)) m["TIMESTAMP_DATA"] = *t;
    if (!e.profile_key.empty()) m["PROFILE"] = e.profile_key;
    return m;
}

} // namespace ert_detail

/// The envelope's ceilings as ERT's roofline.json (see the file comment), indented by 3 as ERT
/// writes it. `datasheet` (optional, not owned) supplies the `spec` side.
inline std::string to_ert_json(const envelope& e, const envelope* datasheet = nullptr) {
    using namespace ert_detail;
    side measured, spec;
    const bool is_datasheet = e.source == envelope_source::datasheet;
    if (is_datasheet) {
        add_spec(spec, e, &e);
    } else {
        add_measured(measured, e);
        add_spec(spec, e, datasheet);
    }
    ordered_json j;
    ordered_json& emp = j["empirical"];
    emp["metadata"] = envelope_metadata(e);
    emp["gflops"]["data"] = measured.gflops;
    emp["gflops"]["metadata"] = measured.gflops_meta;
    emp["gflops"]["metadata"]["UNITS"] = "GFLOP/s (GOP/s for INT8); interval_95 in the same unit";
    emp["gbytes"]["data"] = measured.gbytes;
    emp["gbytes"]["metadata"] = measured.gbytes_meta;
    emp["gbytes"]["metadata"]["UNITS"] = "GB/s (1e9 bytes/s, bytes read + written)";
    j["spec"]["gflops"]["data"] = spec.gflops;
    j["spec"]["gbytes"]["data"] = spec.gbytes;
    return j.dump(3, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

/// What read_ert_json() found.
struct ert_roofline {
    envelope empirical;               ///< the empirical entries aaco understands, source measured
    envelope spec;                    ///< the spec entries aaco understands, source datasheet
    std::vector<std::string> ignored; ///< entry names with no aaco figure ("GFLOPs", "L1", ...)
};

namespace ert_detail {

inline bool parse_gflops_name(std::string_view name, precision& p, compute_unit& u) {
    const std::size_t a = name.find(' ');
    const std::size_t b = a == std::string_view::npos ? a : name.find(' ', a + 1);
    if (b == std::string_view::npos) return false;
    std::string prec(name.substr(0, a));
    for (char& c : prec) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string_view unit = name.substr(a + 1, b - a - 1);
    const std::string_view tail = name.substr(b + 1);
    try {
        p = parse_precision(prec);
    } catch (const invalid_argument&) {
        return false;
    }
    if (unit == "matrix") u = compute_unit::matrix;
    else if (unit == "vector") u = compute_unit::vector;
    else return false;
    return tail == (traits(p).is_integer ? "GOPs" : "GFLOPs");
}

inline bool parse_level_name(std::string_view name, memory_level& l) {
    std::string n(name);
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == "hbm" || n == "dram") l = memory_level::hbm;
    else if (n == "l2") l = memory_level::l2;
    else if (n == "llc" || n == "mall") l = memory_level::llc;
    else if (n == "shared" || n == "lds") l = memory_level::shared;
    else return false;
    return true;
}

/// Reads the [name, value] entries of `obj[key].data` (missing = none).
template <typename Add>
void read_entries(const nlohmann::json& obj, const std::string& pointer, const char* key, Add add) {
    const auto it = obj.find(key);
    if (it == obj.end()) return;
    if (!it->is_object()) io_detail::fail(pointer + "/" + key, "expected an object");
    const auto data = it->find("data");
    if (data == it->end()) return;
    const std::string p = pointer + "/" + key + "/data";
    if (!data->is_array()) io_detail::fail(p, "expected an array of [name, value] pairs");
    for (std::size_t i = 0; i < data->size(); ++i) {
        const nlohmann::json& e = (*data)[i];
        const std::string pi = p + "/" + std::to_string(i);
        if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
            io_detail::fail(pi, "expected [name, value], got " + io_detail::describe(e));
        const double v = e[1].get<double>();
        if (!std::isfinite(v) || v < 0) io_detail::fail(pi, "value is not a finite number >= 0");
        const nlohmann::json* meta = nullptr;
        const auto m = it->find("metadata");
        if (m != it->end() && m->is_object()) {
            const auto mm = m->find(e[0].get_ref<const std::string&>());
            if (mm != m->end() && mm->is_object()) meta = &*mm;
        }
        add(e[0].get<std::string>(), v, meta);
    }
}

/// Samples, stable flag and interval from an entry's metadata (as aaco writes it).
inline sample_stats stats_from(const nlohmann::json* meta, double value, double scale) {
    sample_stats s;
    s.median = value;
    if (!meta) return s;
    const auto smp = meta->find("samples");
    if (smp != meta->end() && smp->is_number_unsigned()) s.samples = smp->get<std::size_t>();
    const auto st = meta->find("stable");
    if (st != meta->end() && st->is_boolean()) s.stable = st->get<bool>();
    const auto iv = meta->find("interval_95");
    if (iv != meta->end() && iv->is_array() && iv->size() == 2 && (*iv)[0].is_number() &&
        (*iv)[1].is_number()) {
        s.p2_5 = (*iv)[0].get<double>() / scale;
        s.p97_5 = (*iv)[1].get<double>() / scale;
    }
    return s;
}

inline void read_side(const nlohmann::json& doc, const char* key, envelope& env,
                      std::vector<std::string>& ignored, bool measured) {
    const auto it = doc.find(key);
    if (it == doc.end()) return;
    const std::string p = std::string("/") + key;
    if (!it->is_object()) io_detail::fail(p, "expected an object");
    read_entries(*it, p, "gflops", [&](const std::string& name, double v, const nlohmann::json* meta) {
        precision prec;
        compute_unit unit;
        if (!parse_gflops_name(name, prec, unit)) {
            ignored.push_back(std::string(key) + ".gflops: " + name);
            return;
        }
        compute_figure f;
        f.prec = prec;
        f.unit = unit;
        f.tflops = v / 1000.0;
        if (measured) f.stats = stats_from(meta, f.tflops, 1000.0);
        else f.datasheet_tflops = f.tflops;
        f.instruction = "ERT roofline.json";
        env.compute.push_back(f);
    });
    read_entries(*it, p, "gbytes", [&](const std::string& name, double v, const nlohmann::json* meta) {
        memory_level level;
        if (!parse_level_name(name, level)) {
            ignored.push_back(std::string(key) + ".gbytes: " + name);
            return;
        }
        memory_figure f;
        f.level = level;
        f.op = stream_op::read;
        f.gbps = v;
        if (measured) f.stats = stats_from(meta, v, 1.0);
        else f.datasheet_gbps = v;
        f.method = "ERT roofline.json";
        env.memory.push_back(f);
    });
}

} // namespace ert_detail

/// Reads an ERT roofline.json (aaco's or ERT's own). Entries aaco has no figure for (ERT's
/// precision-less "GFLOPs", an "L1" level) are listed in `ignored`, not guessed. Throws
/// aaco::parse_error with a JSON pointer for malformed input.
inline ert_roofline read_ert_json(std::string_view text) {
    const nlohmann::json doc = io_detail::parse_text(text);
    if (!doc.is_object() || (!doc.contains("empirical") && !doc.contains("spec")))
        io_detail::fail("", "not an ERT roofline.json (no \"empirical\" or \"spec\" object)");
    ert_roofline out;
    out.empirical.source = envelope_source::measured;
    out.spec.source = envelope_source::datasheet;
    out.empirical.aaco_version.clear();
    out.spec.aaco_version.clear();
    const auto emp = doc.find("empirical");
    if (emp != doc.end() && emp->is_object()) {
        const auto m = emp->find("metadata");
        if (m != emp->end() && m->is_object()) {
            const auto d = m->find("DEVICE");
            if (d != m->end() && d->is_string()) out.empirical.device.name = d->get<std::string>();
            const auto t = m->find("CALIBRATION_TIMESTAMP");
            if (t != m->end() && t->is_string()) out.empirical.calibration_timestamp = t->get<std::string>();
            const auto a = m->find("ARCH");
            if (a != m->end() && a->is_string()) out.empirical.device.arch = a->get<std::string>();
        }
    }
    if (out.empirical.device.name.empty()) out.empirical.device.name = "ERT roofline.json";
    out.spec.device.name = out.empirical.device.name;
    ert_detail::read_side(doc, "empirical", out.empirical, out.ignored, true);
    ert_detail::read_side(doc, "spec", out.spec, out.ignored, false);
    return out;
}

AACO_PORTABLE_NAMESPACE_END
