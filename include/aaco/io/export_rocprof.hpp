/// \file export_rocprof.hpp
/// \brief rocprof-compute's `roofline.csv`: write aaco's ceilings in it, and read one back.
///
/// **The format** (rocprof-compute's roofline benchmark, the file its `profile` step writes and
/// its `analyze` step reads): a header row, then one row per device. The first column is
/// `device` (the GPU index); every ceiling is a triple of columns `X,XLow,XHigh`: the figure and
/// the ends of an interval around it. Bandwidths are in GB/s, rates in GFLOP/s (GOP/s for the
/// integer ones). rocprof-compute's own order, which aaco keeps:
///
///     device, HBMBw, MALLBw, L2Bw, L1Bw, LDSBw, FP8Flops, FP16Flops, BF16Flops, FP32Flops,
///     FP64Flops, I8Ops, I32Ops, I64Ops, MFMAF4Flops, MFMAF6Flops, MFMAF8Flops, MFMAF16Flops,
///     MFMABF16Flops, MFMAF32Flops, MFMAF64Flops, MFMAI8Ops   (each followed by its Low, High)
///
/// **Where rocprof-compute looks for it:** `<workload directory>/roofline.csv`, the directory it
/// profiles into (`workloads/<name>/<arch>/` by default, or `--path`/`--output-directory`); next
/// to `sysinfo.csv`, `pmc_perf.csv`. Its `profile` step runs its own benchmark only when that
/// file is absent, and `analyze` reads it from the `-p` directory. So copying aaco's file there
/// (before profiling, or before analyze) makes rocprof-compute draw aaco's measured ceilings.
/// It checks that every row has as many cells as the header.
///
/// **What aaco writes:** one row (the envelope's device; `device` = its runtime index, 0 for a
/// datasheet envelope). X = the ceiling's median (export_detail::ceiling_figure: the highest
/// roof per precision and unit, the fastest op of the level's roof working set), XLow/XHigh =
/// the 2.5th/97.5th percentiles of its samples, or their min/max where the percentiles were not
/// computed (export_detail::interval_of). A ceiling aaco did not measure has no columns at all;
/// a ceiling without samples (a datasheet envelope) has its X and empty XLow/XHigh. Mapping:
/// HBMBw = hbm, MALLBw = llc (Infinity Cache), L2Bw = l2, LDSBw = shared; the vector units fill
/// FP64Flops/FP32Flops/FP16Flops/BF16Flops/FP8Flops/I8Ops, the matrix units the MFMA columns.
/// aaco has no L1 bandwidth figure, and roofline.csv has no column for tf32/xf32 or the host
/// links: those are left out (rocprof_omissions() lists them).
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/csv.hpp>
#include <aaco/io/export_detail.hpp>
#include <aaco/model/envelope.hpp>

#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

namespace rocprof_detail {

/// One ceiling column of roofline.csv and the aaco figure behind it.
struct column {
    std::string_view name;     ///< "HBMBw"; Low/High are name + "Low"/"High"
    bool memory;               ///< a bandwidth (GB/s) rather than a rate (GFLOP/s)
    memory_level level;        ///< when memory
    precision prec;            ///< when not memory
    compute_unit unit;         ///< when not memory
};

constexpr column mem(std::string_view n, memory_level l) {
    return {n, true, l, precision::fp32, compute_unit::vector};
}
constexpr column cmp(std::string_view n, precision p, compute_unit u) {
    return {n, false, memory_level::hbm, p, u};
}

/// rocprof-compute's columns that aaco has a figure for, in rocprof-compute's order. Its other
/// columns (L1Bw, I32Ops, I64Ops, MFMAF4Flops, MFMAF6Flops) have no aaco figure.
inline constexpr std::array<column, 16> columns = {{
    mem("HBMBw", memory_level::hbm),
    mem("MALLBw", memory_level::llc),
    mem("L2Bw", memory_level::l2),
    mem("LDSBw", memory_level::shared),
    cmp("FP8Flops", precision::fp8, compute_unit::vector),
    cmp("FP16Flops", precision::fp16, compute_unit::vector),
    cmp("BF16Flops", precision::bf16, compute_unit::vector),
    cmp("FP32Flops", precision::fp32, compute_unit::vector),
    cmp("FP64Flops", precision::fp64, compute_unit::vector),
    cmp("I8Ops", precision::int8, compute_unit::vector),
    cmp("MFMAF8Flops", precision::fp8, compute_unit::matrix),
    cmp("MFMAF16Flops", precision::fp16, compute_unit::matrix),
    cmp("MFMABF16Flops", precision::bf16, compute_unit::matrix),
    cmp("MFMAF32Flops", precision::fp32, compute_unit::matrix),
    cmp("MFMAF64Flops", precision::fp64, compute_unit::matrix),
    cmp("MFMAI8Ops", precision::int8, compute_unit::matrix),
}};

/// The value of a column for `e` in the column's unit (GB/s or GFLOP/s), with its interval;
/// nullopt when the envelope has no such figure.
struct cell {
    double value;
    export_detail::sample_interval interval;
};

inline std::optional<cell> cell_of(const envelope& e, const column& c) {
    if (c.memory) {
        const memory_figure* f = export_detail::ceiling_figure(e, c.level);
        if (!f) return std::nullopt;
        return cell{f->gbps, export_detail::interval_of(f->stats)};
    }
    const compute_figure* f = export_detail::ceiling_figure(e, c.prec, c.unit);
    if (!f) return std::nullopt;
    export_detail::sample_interval i = export_detail::interval_of(export_detail::roof_stats(*f));
    constexpr double gflops_per_tflops = 1000.0;
    i.low *= gflops_per_tflops;
    i.high *= gflops_per_tflops;
    return cell{f->roof_tflops() * gflops_per_tflops, i};
}

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

inline std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return std::string(s.substr(b, e - b));
}

/// Parses a plain decimal number of a roofline.csv cell; nullopt for an empty cell. Throws
/// parse_error naming the column for anything else (text, NaN, infinity).
inline std::optional<double> parse_cell(const std::string& raw, const std::string& column_name,
                                        const csv::reader& in) {
    const std::string s = trim(raw);
    if (s.empty()) return std::nullopt;
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || !std::isfinite(v))
        in.fail("column " + column_name + ": '" + s.substr(0, 40) + "' is not a finite number");
    return v;
}

} // namespace rocprof_detail

/// The envelope's ceilings as rocprof-compute's roofline.csv (see the file comment). Throws
/// invalid_argument when the envelope has no figure roofline.csv can hold (rocprof-compute
/// refuses a file without ceiling columns).
inline std::string to_rocprof_csv(const envelope& e) {
    using namespace rocprof_detail;
    std::vector<std::string> header{"device"};
    std::vector<std::string> row{std::to_string(e.device.id >= 0 ? e.device.id : 0)};
    for (const column& c : columns) {
        const std::optional<cell> v = cell_of(e, c);
        if (!v) continue;
        header.push_back(std::string(c.name));
        header.push_back(std::string(c.name) + "Low");
        header.push_back(std::string(c.name) + "High");
        row.push_back(export_detail::number(v->value));
        row.push_back(v->interval.known() ? export_detail::number(v->interval.low) : std::string());
        row.push_back(v->interval.known() ? export_detail::number(v->interval.high) : std::string());
    }
    if (header.size() == 1)
        throw invalid_argument("rocprof-csv: the envelope of '" + e.device.name +
                               "' has no figure that roofline.csv can hold (HBM, LLC, L2, shared "
                               "memory, or a compute ceiling other than tf32)");
    return csv::row(header) + csv::row(row);
}

/// The figures of `e` that roofline.csv cannot hold, as figure keys ("compute.tf32.matrix",
/// "memory.h2d.copy", ...), so a caller can say what was left out.
inline std::vector<std::string> rocprof_omissions(const envelope& e) {
    using namespace rocprof_detail;
    std::vector<std::string> out;
    for (const compute_figure& f : e.compute) {
        bool held = false;
        for (const column& c : columns)
            held = held || (!c.memory && c.prec == f.prec && c.unit == f.unit);
        if (!held) out.push_back(export_detail::figure_key(f));
    }
    for (const memory_figure& f : e.memory) {
        bool held = false;
        for (const column& c : columns) held = held || (c.memory && c.level == f.level);
        if (!held) out.push_back(export_detail::figure_key(f));
    }
    return out;
}

/// What read_rocprof_csv() found.
struct rocprof_roofline {
    envelope env;                     ///< one figure per ceiling column that holds a value > 0
    int device = -1;                  ///< the `device` cell of the row read
    std::vector<std::string> ignored; ///< header columns with no aaco figure (L1Bw, I32Ops, ...)
};

/// Reads rocprof-compute's roofline.csv (aaco's or rocprof-compute's own): the row of `device`,
/// or the first row when `device` < 0. Column names are matched case-insensitively (older
/// rocprof-compute benchmarks wrote "hbmBwHigh"). A value of 0 or an empty cell means "not
/// measured" (rocprof-compute writes 0 for a data type a GPU lacks) and gives no figure. The
/// envelope is `measured` with sample counts 0 (the file keeps none); XLow/XHigh become the
/// statistics' p2_5/p97_5; memory figures are filed under `read`, since the file does not say
/// which op was timed. Throws aaco::parse_error naming the line and column.
inline rocprof_roofline read_rocprof_csv(std::string_view text, int device = -1,
                                         const std::string& what = "roofline.csv") {
    using namespace rocprof_detail;
    csv::reader in(text, what);
    std::vector<std::string> header, row;
    if (!in.next(header) || (header.size() == 1 && trim(header[0]).empty()))
        in.fail("empty file (expected a header row starting with 'device')");
    for (std::string& h : header) h = trim(h);
    if (!(iequals(header[0], "device") || iequals(header[0], "devID")))
        in.fail("first column is '" + header[0].substr(0, 40) +
                "', expected 'device': not a rocprof-compute roofline.csv");
    bool found = false;
    std::vector<std::string> chosen;
    int chosen_device = -1;
    while (in.next(row)) {
        if (row.size() == 1 && trim(row[0]).empty()) continue;  // blank line
        if (row.size() != header.size())
            in.fail("row has " + std::to_string(row.size()) + " cells, the header " +
                    std::to_string(header.size()));
        const std::optional<double> id = parse_cell(row[0], header[0], in);
        if (!id || *id != std::floor(*id) || *id < 0 || *id > 1e6)
            in.fail("column " + header[0] + ": '" + row[0] + "' is not a device index");
        if (!found && (device < 0 || static_cast<int>(*id) == device)) {
            found = true;
            chosen = row;
            chosen_device = static_cast<int>(*id);
        }
    }
    if (!found)
        throw parse_error(what + ": " +
                          (device < 0 ? std::string("no data row")
                                      : "no row for device " + std::to_string(device)));
    rocprof_roofline out;
    out.device = chosen_device;
    out.env.source = envelope_source::measured;
    out.env.aaco_version.clear();
    out.env.device.id = chosen_device;
    out.env.device.name = "rocprof-compute roofline.csv, device " + std::to_string(chosen_device);
    const std::string origin = "rocprof-compute roofline.csv";
    auto value_at = [&](std::size_t i) {
        return parse_cell(chosen[i], header[i], in);
    };
    std::vector<bool> used(header.size(), false);
    used[0] = true;
    for (const column& c : columns) {
        std::size_t x = header.size(), lo = header.size(), hi = header.size();
        for (std::size_t i = 1; i < header.size(); ++i) {
            if (iequals(header[i], c.name)) x = i;
            if (iequals(header[i], std::string(c.name) + "Low")) lo = i;
            if (iequals(header[i], std::string(c.name) + "High")) hi = i;
        }
        if (c.name == "MFMAI8Ops")  // rocprof-compute's C++ benchmark spelled this one "MFMAFI8OpsLow"
            for (std::size_t i = 1; i < header.size(); ++i)
                if (iequals(header[i], "MFMAFI8OpsLow")) lo = i;
        for (std::size_t i : {x, lo, hi})
            if (i < header.size()) used[i] = true;
        if (x == header.size()) continue;
        const std::optional<double> v = value_at(x);
        if (!v || *v == 0) continue;
        if (*v < 0) in.fail("column " + header[x] + ": negative value " + chosen[x]);
        sample_stats st;
        st.median = *v;
        // NaN for an absent or empty Low/High cell (std::optional trips g++ 12's
        // maybe-uninitialized warning here).
        const double nan = export_detail::nan_value();
        const double l = lo < header.size() ? value_at(lo).value_or(nan) : nan;
        const double h = hi < header.size() ? value_at(hi).value_or(nan) : nan;
        if (c.memory) {
            memory_figure f;
            f.level = c.level;
            f.op = stream_op::read;
            f.gbps = *v;
            st.p2_5 = l;
            st.p97_5 = h;
            f.stats = st;
            f.method = origin;
            out.env.memory.push_back(f);
        } else {
            compute_figure f;
            f.prec = c.prec;
            f.unit = c.unit;
            f.tflops = *v / 1000.0;
            st.median = f.tflops;
            st.p2_5 = l / 1000.0;
            st.p97_5 = h / 1000.0;
            f.stats = st;
            f.instruction = origin;
            out.env.compute.push_back(f);
        }
    }
    for (std::size_t i = 0; i < header.size(); ++i)
        if (!used[i]) out.ignored.push_back(header[i]);
    return out;
}

/// read_rocprof_csv() of the file at `path` (at most 16 MiB). Throws parse_error starting with
/// the path.
inline rocprof_roofline load_rocprof_csv(const std::string& path, int device = -1) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw parse_error("cannot read roofline.csv '" + path + "'");
    constexpr std::size_t limit = std::size_t{16} << 20;  // untuned: a real file is < 2 KB
    std::string text;
    char buf[1 << 16];
    while (text.size() <= limit && f.read(buf, sizeof buf).gcount() > 0)
        text.append(buf, static_cast<std::size_t>(f.gcount()));
    if (text.size() > limit)
        throw parse_error("roofline.csv '" + path + "' is larger than " + std::to_string(limit) + " bytes");
    return read_rocprof_csv(text, device, "roofline.csv '" + path + "'");
}

AACO_PORTABLE_NAMESPACE_END
