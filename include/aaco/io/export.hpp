/// \file export.hpp
/// \brief Exports of an envelope into the formats of other tools, and the `FORMAT:FILE` targets
/// of `aaco-calibrate --export`. Routes to one header per format:
///
/// | format        | header                 | for                                            |
/// |---------------|------------------------|------------------------------------------------|
/// | `rocprof-csv` | io/export_rocprof.hpp  | rocprof-compute's `roofline.csv`               |
/// | `ert-json`    | io/export_ert.hpp      | the Empirical Roofline Toolkit's roofline.json |
/// | `prometheus`  | io/export_prometheus.hpp | node_exporter's textfile collector (`.prom`) |
/// | `csv`         | io/export_csv.hpp      | one row per figure, for spreadsheets and pandas |
///
/// Every exporter converts units to the target's and leaves out what was not measured; none
/// invents a figure. Host-only.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/export_csv.hpp>
#include <aaco/io/export_ert.hpp>
#include <aaco/io/export_prometheus.hpp>
#include <aaco/io/export_rocprof.hpp>
#include <aaco/model/envelope.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// The formats of export_envelope().
enum class export_format { rocprof_csv, ert_json, prometheus, csv };

inline constexpr std::array<export_format, 4> all_export_formats = {
    export_format::rocprof_csv, export_format::ert_json, export_format::prometheus, export_format::csv};

constexpr std::string_view to_string(export_format f) {
    switch (f) {
    case export_format::rocprof_csv: return "rocprof-csv";
    case export_format::ert_json: return "ert-json";
    case export_format::prometheus: return "prometheus";
    case export_format::csv: return "csv";
    }
    return "unknown";
}

/// Parses a format name; throws invalid_argument naming it and the known ones.
inline export_format parse_export_format(std::string_view s) {
    for (export_format f : all_export_formats)
        if (to_string(f) == s) return f;
    throw invalid_argument("unknown export format '" + std::string(s) +
                           "' (expected rocprof-csv, ert-json, prometheus or csv)");
}

/// One `FORMAT:FILE` of `--export`; `path` "-" is standard output.
struct export_target {
    export_format format = export_format::csv;
    std::string path;
    bool to_stdout() const { return path == "-"; }
};

/// Parses and checks `FORMAT:FILE` before anything is measured: the format must be known, FILE
/// must be "-" or a path that is not a directory and whose parent directory exists. Throws
/// invalid_argument naming the value and what is expected. (Whether the file can really be
/// written is known only when it is; the check keeps typos from costing a calibration.)
inline export_target parse_export_target(std::string_view spec) {
    const std::string text(spec);
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0)
        throw invalid_argument("--export '" + text +
                               "': expected FORMAT:FILE, e.g. rocprof-csv:roofline.csv or "
                               "prometheus:- (FORMAT: rocprof-csv, ert-json, prometheus, csv)");
    export_target t;
    try {
        t.format = parse_export_format(text.substr(0, colon));
    } catch (const invalid_argument& e) {
        throw invalid_argument("--export '" + text + "': " + e.what());
    }
    t.path = text.substr(colon + 1);
    if (t.path.empty())
        throw invalid_argument("--export '" + text + "': FILE is empty (give a path, or - for stdout)");
    if (t.to_stdout()) return t;
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(t.path);
    if (fs::is_directory(p, ec))
        throw invalid_argument("--export '" + text + "': '" + t.path + "' is a directory, expected a file");
    const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
    if (!fs::is_directory(parent, ec))
        throw invalid_argument("--export '" + text + "': directory '" + parent.string() +
                               "' does not exist");
    return t;
}

/// Options of export_envelope().
struct export_options {
    /// ert-json's `spec` side: a datasheet envelope (not owned; may be null).
    const envelope* datasheet = nullptr;
    /// prometheus: the `host` label.
    std::string host;
};

/// The envelope in format `f`. Throws invalid_argument when the format cannot hold any figure of
/// the envelope (rocprof-csv without a single ceiling).
inline std::string export_envelope(const envelope& e, export_format f, const export_options& o = {}) {
    switch (f) {
    case export_format::rocprof_csv: return to_rocprof_csv(e);
    case export_format::ert_json: return to_ert_json(e, o.datasheet);
    case export_format::prometheus: {
        prometheus_options p;
        p.host = o.host;
        return to_prometheus(e, p);
    }
    case export_format::csv: return to_csv(e);
    }
    throw invalid_argument("export_envelope: unknown format");
}

/// Writes `text` to `path` atomically: to a temporary file beside it, then renamed over it, so a
/// reader (node_exporter's textfile collector, rocprof-compute) sees the old file or the new one,
/// never a torn one. Throws aaco::error naming the path and the reason.
inline void write_file_atomically(const std::string& path, const std::string& text) {
    namespace fs = std::filesystem;
    static std::atomic<unsigned long> counter{0};
    std::ostringstream suffix;
    suffix << ".aaco-tmp-" << std::hex
           << static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count())
           << '-' << counter.fetch_add(1);
    fs::path temp(path);
    temp += suffix.str();
    auto give_up = [&](const std::string& why) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw error("cannot write '" + path + "': " + why);
    };
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) give_up("cannot create '" + temp.string() + "'");
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) give_up("write failed");
    }
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) give_up("rename failed: " + ec.message());
}

AACO_PORTABLE_NAMESPACE_END
