/// \file ncu.hpp
/// \brief HEU of every kernel of an Nsight Compute profile: read `ncu --csv --page raw` output,
/// count each kernel's FLOPs per precision and its bytes at DRAM, L2 and L1, and place it on the
/// envelope's hierarchical roofline.
///
/// **Input.** The raw page of an ncu report as CSV (README, "HEU of every kernel of a profile",
/// has the command): a header row (`"ID","Process ID",...,"Kernel Name",...,<metric>,...`), a units
/// row below it (empty cells under the non-metric columns, "nsecond", "byte", "inst", ... under
/// the metrics), then one row per profiled launch. Lines ncu writes around the CSV when its log
/// shares the stream (`==PROF== ...`, `==WARNING== ...`) are skipped; an `==ERROR==` line is an
/// error. Cells may carry ncu's thousands separators ("1,234,567", inside quotes).
///
/// **What is counted** (the metric names README lists; ncu_metrics() has the table):
///  - time: `gpu__time_duration.sum`;
///  - vector FLOPs, as Nsight Compute's own roofline sections count them: FMA thread
///    instructions x 2 + ADD + MUL, from `smsp__sass_thread_inst_executed_op_{d,f,h}{fma,add,mul}_pred_on.sum`
///    (the `sm__` forms are accepted too). For fp16 this is a lower bound: a packed HFMA2 thread
///    instruction does two FMAs but counts once, as in ncu's half-precision roofline;
///  - tensor-core FLOPs per data type from `sm__ops_path_tensor_src_<type>[_dst_<type>].sum`
///    (operations = FLOPs, 2 per multiply-add: a 4096^3 GEMM counts 2 x 4096^3);
///  - bytes: DRAM = `dram__bytes_read.sum` + `dram__bytes_write.sum` (or `dram__bytes.sum`),
///    L2 = `lts__t_bytes.sum`, L1 = `l1tex__t_bytes.sum`.
///
/// Every counter but the fp8 and fp16 tensor ones is required: a missing one is an error naming
/// the quantity and the column names accepted for it, never a silent zero. fp8 tensor counters
/// exist only on GPUs with fp8 tensor cores, and Nsight Compute of CUDA 13.0 did not export the
/// fp16 ones on an H200; without their columns those FLOPs are reported as not counted (NaN, a
/// note, and a kernel with no counted FLOPs says which were not counted), never as zero.
///
/// **Refused, with the column (and line) named:** a missing metric, a column name of another ncu
/// version or of the details page (`Metric Name`/`Metric Value`: export with `--page raw`), a
/// counter that counts instructions or cycles rather than operations (`..._pipe_tensor_op_hmma`),
/// a missing or repeated units row, a repeated header (two outputs concatenated), an ID seen
/// twice (several passes or reports in one file), a cell that is not a number ("n/a", "nan",
/// "1,23", empty), a negative, infinite or implausible value (above 1e21, e.g. 1e308), a zero
/// kernel time, an unknown unit.
///
/// **Analysis** (analyze_ncu): launches of the same kernel name are summed. Per kernel: achieved
/// TFLOP/s per precision and unit; arithmetic intensity AI_l = FLOPs / bytes_l at each level;
/// the attainable roof of its main precision (the one with the most FLOPs) =
/// min(compute ceiling, min over levels of AI_l x ceiling_l) (a hierarchical roofline); HEU =
/// achieved / attainable with the ceiling that binds; and a warning above the roof. The L1 roof
/// is the envelope's shared-memory figure: on NVIDIA GPUs L1 and shared memory are one SRAM with
/// one data path (aaco has no separate L1 bandwidth probe); the report says so.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>
#include <aaco/io/csv.hpp>
#include <aaco/io/export_detail.hpp>
#include <aaco/io/markdown.hpp>
#include <aaco/io/svg.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/roofline.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// What a group of ncu columns measures.
enum class ncu_kind { time, bytes, flops };

/// One quantity the reader needs and the column sets that give it: the first alternative whose
/// columns are all present is used; its columns are summed, each times its factor.
struct ncu_quantity {
    std::string name;                 ///< "time", "dram bytes", "fp16 matrix FLOPs"
    ncu_kind kind = ncu_kind::flops;
    bool required = true;
    memory_level level = memory_level::hbm;  ///< bytes: the level
    precision prec = precision::fp32;        ///< flops: the precision ...
    compute_unit unit = compute_unit::vector; ///< ... and unit
    std::vector<std::vector<std::pair<std::string, double>>> alternatives;
};

/// The metric table (see the file comment). l1 bytes are filed under memory_level::l1.
inline std::vector<ncu_quantity> ncu_metrics() {
    using alt = std::vector<std::pair<std::string, double>>;
    auto sass = [](const char* prefix, const char* t) {
        const std::string p = std::string(prefix) + "__sass_thread_inst_executed_op_";
        return alt{{p + t + "fma_pred_on.sum", 2.0}, {p + t + "add_pred_on.sum", 1.0}, {p + t + "mul_pred_on.sum", 1.0}};
    };
    auto vec = [&](const char* name, precision p, const char* t) {
        ncu_quantity q;
        q.name = name;
        q.prec = p;
        q.unit = compute_unit::vector;
        q.alternatives = {sass("smsp", t), sass("sm", t)};
        return q;
    };
    auto tensor = [](const char* name, precision p, std::vector<alt> alts, bool required = true) {
        ncu_quantity q;
        q.name = name;
        q.prec = p;
        q.unit = compute_unit::matrix;
        q.required = required;
        q.alternatives = std::move(alts);
        return q;
    };
    const std::string t = "sm__ops_path_tensor_src_";
    std::vector<ncu_quantity> out;
    ncu_quantity time;
    time.name = "kernel time";
    time.kind = ncu_kind::time;
    time.alternatives = {{{"gpu__time_duration.sum", 1.0}}};
    out.push_back(time);
    auto bytes = [](const char* name, memory_level l, std::vector<alt> alts) {
        ncu_quantity q;
        q.name = name;
        q.kind = ncu_kind::bytes;
        q.level = l;
        q.alternatives = std::move(alts);
        return q;
    };
    out.push_back(bytes("DRAM bytes", memory_level::hbm,
                        {{{"dram__bytes_read.sum", 1.0}, {"dram__bytes_write.sum", 1.0}}, {{"dram__bytes.sum", 1.0}}}));
    out.push_back(bytes("L2 bytes", memory_level::l2, {{{"lts__t_bytes.sum", 1.0}}}));
    out.push_back(bytes("L1 bytes", memory_level::l1, {{{"l1tex__t_bytes.sum", 1.0}}}));
    out.push_back(vec("fp64 vector FLOPs", precision::fp64, "d"));
    out.push_back(vec("fp32 vector FLOPs", precision::fp32, "f"));
    out.push_back(vec("fp16 vector FLOPs", precision::fp16, "h"));
    out.push_back(tensor("fp64 matrix FLOPs", precision::fp64,
                         {{{t + "fp64.sum", 1.0}}, {{t + "fp64_sparsity_off.sum", 1.0}}}));
    out.push_back(tensor("tf32 matrix FLOPs", precision::tf32,
                         {{{t + "tf32_dst_fp32.sum", 1.0}}, {{t + "tf32_dst_fp32_sparsity_off.sum", 1.0}}}));
    // Optional, like fp8: on the H200 with the ncu of CUDA 13.0 (2026-12-02) the two fp16
    // counters of README's command were not exported (ncu dropped them without a message) while
    // the bf16, tf32, fp64, int8 and fp8 ones were (tests/fixtures/ncu/real_*.csv).
    out.push_back(tensor("fp16 matrix FLOPs", precision::fp16,
                         {{{t + "fp16_dst_fp16.sum", 1.0}, {t + "fp16_dst_fp32.sum", 1.0}},
                          {{t + "fp16.sum", 1.0}},
                          {{t + "fp16_dst_fp16_sparsity_off.sum", 1.0}, {t + "fp16_dst_fp32_sparsity_off.sum", 1.0}},
                          {{t + "fp16_sparsity_off.sum", 1.0}}},
                         false));
    out.push_back(tensor("bf16 matrix FLOPs", precision::bf16,
                         {{{t + "bf16_dst_fp32.sum", 1.0}}, {{t + "bf16_dst_fp32_sparsity_off.sum", 1.0}}}));
    out.push_back(tensor("int8 matrix ops", precision::int8,
                         {{{t + "int8.sum", 1.0}}, {{t + "int8_sparsity_off.sum", 1.0}}}));
    out.push_back(tensor("fp8 matrix FLOPs", precision::fp8,
                         {{{t + "fp8.sum", 1.0}},
                          {{t + "fp8_dst_fp16.sum", 1.0}, {t + "fp8_dst_fp32.sum", 1.0}},
                          {{t + "fp8_sparsity_off.sum", 1.0}}},
                         false));
    return out;
}

/// Column names other ncu versions (or other pages, or nvprof) use that the reader cannot turn
/// into FLOPs or bytes, with why.
inline std::vector<std::pair<std::string_view, std::string_view>> ncu_unusable_columns() {
    return {
        {"sm__inst_executed_pipe_tensor_op_hmma.sum",
         "counts tensor instructions, whose FLOPs depend on the instruction shape; collect the "
         "sm__ops_path_tensor_src_* operation counters"},
        {"smsp__inst_executed_pipe_tensor_op_hmma.sum", "counts tensor instructions, not operations"},
        {"sm__inst_executed_pipe_tensor.sum", "counts tensor instructions, not operations"},
        {"sm__pipe_tensor_op_hmma_cycles_active.sum", "counts busy cycles, not operations"},
        {"sm__pipe_tensor_cycles_active.sum", "counts busy cycles, not operations"},
        {"flop_count_sp", "is an nvprof metric; use Nsight Compute's metric names"},
        {"flop_count_dp", "is an nvprof metric; use Nsight Compute's metric names"},
        {"dram_read_bytes", "is an nvprof metric; use dram__bytes_read.sum"},
        {"Metric Value", "belongs to the details page; export with --page raw"},
    };
}

/// One kernel (all its launches) of a profile.
struct ncu_kernel {
    std::string name;
    std::size_t launches = 0;
    std::string first_id;      ///< ID of its first launch in the file
    double seconds = 0;        ///< summed gpu__time_duration
    double dram_bytes = 0, l2_bytes = 0, l1_bytes = 0;
    /// FLOPs (ops for int8) per precision x unit, index flop_index(); NaN = not counted.
    std::array<double, 14> flops{};

    static constexpr std::size_t flop_index(precision p, compute_unit u) {
        return static_cast<std::size_t>(p) * 2 + (u == compute_unit::matrix ? 0 : 1);
    }
    double flops_of(precision p, compute_unit u) const { return flops[flop_index(p, u)]; }
    /// Bytes at `l` (hbm = DRAM, l2, l1); NaN for another level.
    double bytes_at(memory_level l) const {
        return l == memory_level::hbm ? dram_bytes : l == memory_level::l2 ? l2_bytes
               : l == memory_level::l1 ? l1_bytes : export_detail::nan_value();
    }
};

/// What read_ncu_csv() found.
struct ncu_profile {
    std::vector<ncu_kernel> kernels;  ///< one per kernel name, in the order first seen
    std::size_t launches = 0;         ///< data rows read
    std::vector<std::string> notes;   ///< what was skipped or not counted, and which columns were used
};

namespace ncu_detail {

inline std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return std::string(s.substr(b, e - b));
}

/// Caps on untrusted profiles. Untuned, chosen far above real data.
struct limits {
    static constexpr double max_value = 1e21;   ///< 1 EFLOP/s for 1000 s; bytes likewise
    static constexpr double max_seconds = 1e6;  ///< 11 days of one kernel
    static constexpr std::size_t max_bytes = std::size_t{1} << 30;  ///< 1 GiB of CSV
};

/// Parses ncu's number format: digits with optional ',' thousands separators (groups of three),
/// an optional fraction and exponent. Returns an empty string on success, else why not.
inline std::string parse_number(std::string_view cell, double& out) {
    const std::string s = trim(cell);
    if (s.empty()) return "empty (the metric was not collected for this launch)";
    std::string plain;
    std::size_t i = 0;
    if (s[i] == '-' || s[i] == '+') plain += s[i++];
    const std::size_t int_start = i;
    std::size_t group = 0;
    bool grouped = false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == ','); ++i) {
        if (s[i] == ',') {
            if (i == int_start || (grouped && group != 3) || (!grouped && group > 3))
                return "'" + s + "' has misplaced thousands separators";
            grouped = true;
            group = 0;
            continue;
        }
        plain += s[i];
        ++group;
    }
    if (i == int_start || (grouped && group != 3)) {
        if (s == "n/a" || s == "N/A" || s.find("n/a") != std::string::npos)
            return "'" + s + "' is not a number (ncu writes n/a where a metric does not apply or was not collected)";
        if (i == int_start) return "'" + s.substr(0, 40) + "' is not a number";
        return "'" + s + "' has misplaced thousands separators";
    }
    if (i < s.size() && s[i] == '.') {
        plain += s[i++];
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') plain += s[i++];
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        plain += s[i++];
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) plain += s[i++];
        const std::size_t exp_start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') plain += s[i++];
        if (i == exp_start) return "'" + s + "' has an incomplete exponent";
    }
    if (i != s.size()) return "'" + s.substr(0, 40) + "' is not a number";
    const char* first = plain.data() + (plain[0] == '+' ? 1 : 0);
    const auto r = std::from_chars(first, plain.data() + plain.size(), out);
    if (r.ec == std::errc::result_out_of_range) return "'" + s.substr(0, 40) + "' is out of range";
    if (r.ec != std::errc() || r.ptr != plain.data() + plain.size()) return "'" + s.substr(0, 40) + "' is not a number";
    return {};
}

/// Factor to base units (seconds, bytes, count) of an ncu unit; NaN when unknown for `kind`.
inline double unit_factor(ncu_kind kind, std::string_view unit) {
    const std::string u = trim(unit);
    auto prefixed = [&](std::string_view base, bool binary_too) -> double {
        if (u == base) return 1;
        if (u.size() == base.size() + 1 && u.compare(1, std::string::npos, base) == 0) {
            switch (u[0]) {
            case 'K': return 1e3;
            case 'M': return 1e6;
            case 'G': return 1e9;
            case 'T': return 1e12;
            case 'P': return 1e15;
            default: break;
            }
        }
        if (binary_too && u.size() == base.size() + 2 && u[1] == 'i' && u.compare(2, std::string::npos, base) == 0) {
            switch (u[0]) {
            case 'K': return 1024.0;
            case 'M': return 1024.0 * 1024;
            case 'G': return 1024.0 * 1024 * 1024;
            case 'T': return 1024.0 * 1024 * 1024 * 1024;
            default: break;
            }
        }
        return export_detail::nan_value();
    };
    switch (kind) {
    case ncu_kind::time:
        if (u == "nsecond" || u == "ns") return 1e-9;
        if (u == "usecond" || u == "us") return 1e-6;
        if (u == "msecond" || u == "ms") return 1e-3;
        if (u == "second" || u == "s") return 1;
        return export_detail::nan_value();
    case ncu_kind::bytes: {
        const double f = prefixed("byte", true);
        return std::isfinite(f) ? f : u == "B" ? 1 : export_detail::nan_value();
    }
    case ncu_kind::flops:
        if (u.empty() || u == "ops" || u == "op" || u == "flop" || u == "FLOP") return 1;
        return prefixed("inst", false);
    }
    return export_detail::nan_value();
}

/// The profile text without ncu's log lines around the CSV (`==PROF==`, `==WARNING==`).
inline std::string_view strip_log_lines(std::string_view text, std::size_t& skipped, std::size_t& first_line,
                                        const std::string& what) {
    std::size_t pos = 0;
    first_line = 1;
    while (pos < text.size() && text.compare(pos, 2, "==") == 0) {
        const std::size_t end = text.find('\n', pos);
        const std::string_view line = text.substr(pos, end == std::string_view::npos ? text.size() - pos : end - pos);
        if (line.rfind("==ERROR==", 0) == 0)
            throw parse_error(what + ", line " + std::to_string(first_line) + ": ncu reported an error: " +
                              std::string(line.substr(0, 200)));
        ++skipped;
        ++first_line;
        if (end == std::string_view::npos) return {};
        pos = end + 1;
    }
    return text.substr(pos);
}

/// A used column: its index and the factor to base units.
struct column_use {
    std::size_t index = 0;
    double factor = 1;     ///< the quantity's factor (2 for FMA)
    double unit = 1;       ///< unit row -> base unit
    std::string name;
};

struct resolved {
    const ncu_quantity* q = nullptr;
    std::vector<column_use> columns;  ///< empty: not counted (optional quantity absent)
};

} // namespace ncu_detail

/// Reads an ncu `--csv --page raw` export (see the file comment). `what` names the input in
/// messages. Throws aaco::parse_error naming the line, the column and the cell.
inline ncu_profile read_ncu_csv(std::string_view text, const std::string& what = "ncu report") {
    using namespace ncu_detail;
    ncu_profile out;
    std::size_t skipped = 0, first_line = 1;
    const std::string_view body = strip_log_lines(text, skipped, first_line, what);
    if (skipped) out.notes.push_back(std::to_string(skipped) + " ncu log line(s) before the CSV skipped");
    csv::reader in(body, what);
    auto fail_at = [&](const std::string& why) -> void {
        throw parse_error(what + ", line " + std::to_string(in.line() + first_line - 1) + ": " + why);
    };
    std::vector<std::string> header;
    if (!in.next(header) || (header.size() == 1 && trim(header[0]).empty()))
        throw parse_error(what + ": empty (expected the header row of `ncu --csv --page raw`)");
    for (std::string& h : header) h = trim(h);
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < header.size(); ++i)
        if (!header[i].empty() && !index.emplace(header[i], i).second)
            fail_at("column '" + header[i] + "' appears twice in the header");
    if (index.count("Metric Name") && index.count("Metric Value"))
        fail_at("this is the details page (columns 'Metric Name', 'Metric Value'); export with "
                "ncu --csv --page raw, which has one column per metric");
    const auto id_col = index.find("ID");
    std::size_t name_col = header.size();
    for (const char* n : {"Kernel Name", "Function Name", "Demangled Name"})
        if (index.count(n)) {
            name_col = index.at(n);
            break;
        }
    if (id_col == index.end() || name_col == header.size())
        fail_at("not an ncu --page raw CSV: the header has no " +
                std::string(id_col == index.end() ? "'ID'" : "'Kernel Name'") + " column");
    // Resolve every quantity to the columns of its first complete alternative.
    std::vector<ncu_quantity> table = ncu_metrics();
    std::vector<resolved> plan;
    std::string missing;
    std::vector<std::pair<std::string, std::string>> optional_missing;  // name, columns accepted
    for (const ncu_quantity& q : table) {
        resolved r;
        r.q = &q;
        for (const auto& alt : q.alternatives) {
            bool all = true;
            for (const auto& term : alt) all = all && index.count(term.first);
            if (!all) continue;
            for (const auto& term : alt) r.columns.push_back({index.at(term.first), term.second, 1, term.first});
            break;
        }
        if (r.columns.empty()) {
            std::string accepted;
            for (const auto& alt : q.alternatives) {
                std::string set;
                for (const auto& term : alt) set += (set.empty() ? "" : " + ") + term.first;
                accepted += (accepted.empty() ? "" : ", or ") + set;
            }
            if (q.required) missing += "\n  " + q.name + ": needs " + accepted;
            else optional_missing.emplace_back(q.name, accepted);
        }
        plan.push_back(std::move(r));
    }
    std::string hint;
    for (const auto& [col, why] : ncu_unusable_columns())
        if (index.count(std::string(col))) hint += "\n  column '" + std::string(col) + "' " + std::string(why);
    // An optional counter is missing without a word only where nothing suggests why: a report that
    // counts tensor instructions instead (another ncu, another page) is refused as a whole.
    for (const auto& [name, accepted] : optional_missing) {
        if (!hint.empty()) missing += "\n  " + name + ": needs " + accepted;
        else out.notes.push_back(name + " not counted: no column " + accepted);
    }
    if (!missing.empty()) {
        throw parse_error(what + ": metrics missing (collect them with the ncu command in aaco's README):" +
                          missing + hint);
    }
    // The units row: directly below the header, empty under ID.
    std::vector<std::string> row;
    if (!in.next(row))
        throw parse_error(what + ": no units row and no data below the header");
    if (row.size() != header.size())
        fail_at("row has " + std::to_string(row.size()) + " cells, the header " + std::to_string(header.size()));
    if (!trim(row[id_col->second]).empty())
        fail_at("no units row below the header (found ID '" + trim(row[id_col->second]).substr(0, 20) +
                "'): the units of the metrics are unknown; export with ncu --csv --page raw, which "
                "writes them");
    for (resolved& r : plan)
        for (column_use& c : r.columns) {
            c.unit = unit_factor(r.q->kind, row[c.index]);
            if (!std::isfinite(c.unit))
                fail_at("column " + c.name + ": unknown unit '" + trim(row[c.index]).substr(0, 30) + "' for " +
                        r.q->name);
        }
    // Data rows.
    std::unordered_map<std::string, std::size_t> by_name;
    std::unordered_set<std::string> ids;
    while (in.next(row)) {
        if (row.size() == 1 && trim(row[0]).empty()) continue;  // blank line
        if (row.size() != header.size())
            fail_at("row has " + std::to_string(row.size()) + " cells, the header " + std::to_string(header.size()));
        const std::string id = trim(row[id_col->second]);
        if (id == "ID") fail_at("the header row repeats: two ncu outputs were concatenated; export one report per file");
        if (id.empty()) fail_at("a second units row: two ncu outputs were concatenated; export one report per file");
        if (id.find_first_not_of("0123456789") != std::string::npos)
            fail_at("column ID: '" + id.substr(0, 20) + "' is not a launch ID");
        if (!ids.insert(id).second)
            fail_at("ID " + id + " appears twice: several passes or reports in one file (export one report, "
                    "one row per launch)");
        const std::string name = row[name_col];
        auto [it, fresh] = by_name.emplace(name, out.kernels.size());
        if (fresh) {
            ncu_kernel k;
            k.name = name;
            k.first_id = id;
            for (double& f : k.flops) f = 0;
            out.kernels.push_back(std::move(k));
        }
        ncu_kernel& k = out.kernels[it->second];
        ++k.launches;
        ++out.launches;
        for (const resolved& r : plan) {
            if (r.columns.empty()) {
                k.flops[ncu_kernel::flop_index(r.q->prec, r.q->unit)] = export_detail::nan_value();
                continue;
            }
            double sum = 0;
            for (const column_use& c : r.columns) {
                double v = 0;
                const std::string why = parse_number(row[c.index], v);
                if (!why.empty()) fail_at("column " + c.name + " (ID " + id + "): " + why);
                v *= c.unit;
                if (!std::isfinite(v) || v < 0 || v > limits::max_value)
                    fail_at("column " + c.name + " (ID " + id + "): " + trim(row[c.index]).substr(0, 40) +
                            " is " + (v < 0 ? "negative" : "implausible (above 1e21)"));
                sum += v * c.factor;
            }
            switch (r.q->kind) {
            case ncu_kind::time:
                if (!(sum > 0) || sum > limits::max_seconds)
                    fail_at("column " + r.columns.front().name + " (ID " + id + "): kernel time " +
                            trim(row[r.columns.front().index]) + " must be > 0 and below 1e6 s");
                k.seconds += sum;
                break;
            case ncu_kind::bytes:
                (r.q->level == memory_level::hbm ? k.dram_bytes : r.q->level == memory_level::l2 ? k.l2_bytes
                                                                                                  : k.l1_bytes) += sum;
                break;
            case ncu_kind::flops: k.flops[ncu_kernel::flop_index(r.q->prec, r.q->unit)] += sum; break;
            }
        }
    }
    if (out.launches == 0) throw parse_error(what + ": no data row (no kernel was profiled)");
    return out;
}

/// read_ncu_csv() of the file at `path` (at most 1 GiB). Throws parse_error starting with it.
inline ncu_profile load_ncu_csv(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw parse_error("cannot read ncu report '" + path + "'");
    std::string text;
    char buf[1 << 16];
    while (text.size() <= ncu_detail::limits::max_bytes && f.read(buf, sizeof buf).gcount() > 0)
        text.append(buf, static_cast<std::size_t>(f.gcount()));
    if (text.size() > ncu_detail::limits::max_bytes)
        throw parse_error("ncu report '" + path + "' is larger than 1 GiB");
    return read_ncu_csv(text, "ncu report '" + path + "'");
}

/// One precision x unit a kernel executed.
struct ncu_part {
    precision prec = precision::fp32;
    compute_unit unit = compute_unit::vector;
    double flops = 0;
    double tflops = 0;                               ///< achieved
    double ceiling_tflops = export_detail::nan_value(); ///< the envelope's roof, NaN if none
};

/// A kernel at one memory level.
struct ncu_level {
    memory_level level = memory_level::hbm;  ///< hbm (DRAM), l2, l1
    double bytes = 0;
    double gbps = 0;                         ///< achieved
    double ai = export_detail::nan_value();  ///< main precision's FLOPs / bytes; NaN without bytes
    double ceiling_gbps = export_detail::nan_value();
    std::string ceiling;                     ///< "hbm", "l2", "shared (as L1)"; empty if none
};

/// One kernel placed on the roofline.
struct ncu_kernel_result {
    ncu_kernel kernel;
    std::vector<ncu_part> parts;       ///< precisions with FLOPs > 0, most FLOPs first
    std::array<ncu_level, 3> levels;   ///< DRAM, L2, L1
    double attainable_tflops = export_detail::nan_value(); ///< of parts.front(); NaN when unknown
    double heu = export_detail::nan_value();
    std::string binding;               ///< "fp16.matrix", "hbm", "l2", "shared (as L1)"
    bound b = bound::compute;
    bool above_roof = false;
    std::string note;                  ///< why HEU is missing, or the above-roof warning
};

/// A profile against an envelope.
struct ncu_report {
    std::vector<ncu_kernel_result> kernels;  ///< by time, longest first
    std::size_t launches = 0;
    double seconds = 0;                      ///< all kernels
    std::vector<std::string> notes;
};

namespace ncu_detail {

inline void place_on_roofline(ncu_kernel_result& r) {
    const ncu_part& main = r.parts.front();
    if (!std::isfinite(main.ceiling_tflops)) {
        r.note = "no " + ceiling_name(main.prec, main.unit) + " ceiling in the envelope: no HEU";
        return;
    }
    double attainable = main.ceiling_tflops;
    r.binding = ceiling_name(main.prec, main.unit);
    r.b = bound::compute;
    for (ncu_level& l : r.levels) {
        if (!(l.bytes > 0) || !std::isfinite(l.ceiling_gbps)) continue;
        const double roof = memory_roof_tflops(l.ceiling_gbps, l.ai);
        if (roof < attainable) {
            attainable = roof;
            r.binding = l.ceiling;
            r.b = bound::memory;
        }
    }
    r.attainable_tflops = attainable;
    r.heu = main.tflops / attainable;
    r.above_roof = r.heu > 1.0;
    if (!r.above_roof) return;
    r.note = r.b == bound::compute
                 ? "above the " + r.binding + " roof: the FLOP count, the precision or the ceiling is wrong"
                 : "above the " + r.binding + " roof: that level's byte count or its ceiling is wrong";
}

} // namespace ncu_detail

/// Places every kernel of `p` on the roofline of `env` (see the file comment).
inline ncu_report analyze_ncu(const ncu_profile& p, const envelope& env) {
    ncu_report rep;
    rep.launches = p.launches;
    rep.notes = p.notes;
    const memory_figure* ceil[3] = {export_detail::ceiling_figure(env, memory_level::hbm),
                                    export_detail::ceiling_figure(env, memory_level::l2),
                                    export_detail::ceiling_figure(env, memory_level::shared)};
    const char* names[3] = {"hbm", "l2", "shared (as L1)"};
    const memory_level levels[3] = {memory_level::hbm, memory_level::l2, memory_level::l1};
    if (ceil[2])
        rep.notes.push_back("L1 roof: the shared-memory figure (L1 and shared memory are one SRAM on NVIDIA GPUs)");
    for (int i = 0; i < 3; ++i)
        if (!ceil[i])
            rep.notes.push_back(std::string("the envelope has no ") + (i == 2 ? "shared-memory" : names[i]) +
                                " figure: no " + (i == 0 ? "DRAM" : i == 1 ? "L2" : "L1") + " roof");
    if (env.device.vendor == "AMD")
        rep.notes.push_back("ncu profiles NVIDIA GPUs; this envelope is of " + env.device.name);
    // The quantities the profile did not collect (NaN in every kernel), for the kernels' notes.
    std::string uncounted;
    if (!p.kernels.empty())
        for (precision prec : all_precisions)
            for (compute_unit u : {compute_unit::matrix, compute_unit::vector})
                if (std::isnan(p.kernels.front().flops_of(prec, u)))
                    uncounted += (uncounted.empty() ? "" : ", ") + ceiling_name(prec, u) + " FLOPs";
    for (const ncu_kernel& k : p.kernels) {
        ncu_kernel_result r;
        r.kernel = k;
        rep.seconds += k.seconds;
        for (precision prec : all_precisions)
            for (compute_unit u : {compute_unit::matrix, compute_unit::vector}) {
                const double f = k.flops_of(prec, u);
                if (!(f > 0)) continue;
                ncu_part part;
                part.prec = prec;
                part.unit = u;
                part.flops = f;
                part.tflops = f / k.seconds / 1e12;
                if (const compute_figure* c = export_detail::ceiling_figure(env, prec, u))
                    part.ceiling_tflops = c->roof_tflops();
                r.parts.push_back(part);
            }
        std::stable_sort(r.parts.begin(), r.parts.end(),
                         [](const ncu_part& a, const ncu_part& b) { return a.flops > b.flops; });
        const double main_flops = r.parts.empty() ? 0 : r.parts.front().flops;
        for (int i = 0; i < 3; ++i) {
            ncu_level& l = r.levels[static_cast<std::size_t>(i)];
            l.level = levels[i];
            l.bytes = k.bytes_at(levels[i]);
            l.gbps = l.bytes / k.seconds / 1e9;
            if (l.bytes > 0 && main_flops > 0) l.ai = main_flops / l.bytes;
            if (ceil[i]) {
                l.ceiling_gbps = ceil[i]->gbps;
                l.ceiling = names[i];
            }
        }
        if (r.parts.empty())
            r.note = uncounted.empty()
                         ? "no FLOPs counted: a data-movement kernel (see its GB/s)"
                         : "no FLOPs counted (" + uncounted + " not collected): a data-movement kernel, "
                           "or math of those precisions (see its GB/s)";
        else ncu_detail::place_on_roofline(r);
        rep.kernels.push_back(std::move(r));
    }
    std::stable_sort(rep.kernels.begin(), rep.kernels.end(),
                     [](const ncu_kernel_result& a, const ncu_kernel_result& b) {
                         return a.kernel.seconds > b.kernel.seconds;
                     });
    return rep;
}

namespace ncu_detail {

/// "1.23 ms", "45.6 us".
inline std::string duration(double s) {
    if (s >= 1) return md_detail::num(s) + " s";
    if (s >= 1e-3) return md_detail::num(s * 1e3) + " ms";
    return md_detail::num(s * 1e6) + " us";
}

/// A kernel's name without its parameter list and template arguments, cut to `max` characters.
inline std::string short_name(const std::string& name, std::size_t max = 32) {
    std::string s = name.substr(0, name.find('('));
    const std::size_t lt = s.find('<');
    if (lt != std::string::npos && lt > 0) s = s.substr(0, lt);
    if (s.empty()) s = name;
    if (s.size() > max) s = s.substr(0, max - 3) + "...";
    return s;
}

} // namespace ncu_detail

/// The report as markdown: one row per kernel, longest first.
inline std::string ncu_markdown(const ncu_report& r) {
    using md_detail::escape;
    using md_detail::num;
    std::string out = "## Kernels of the Nsight Compute profile\n\n" + std::to_string(r.kernels.size()) +
                      " kernels, " + std::to_string(r.launches) + " launches, " +
                      ncu_detail::duration(r.seconds) + " of kernel time; sorted by time. TFLOP/s is TOP/s "
                      "for int8; AI is the main precision's FLOP per byte at each level.\n\n";
    out += md_detail::header({"kernel", "launches", "time", "TFLOP/s by precision", "AI DRAM", "AI L2", "AI L1",
                              "DRAM GB/s", "attainable TFLOP/s", "HEU", "bound by", "note"});
    for (const ncu_kernel_result& k : r.kernels) {
        std::string rates;
        for (const ncu_part& p : k.parts)
            rates += (rates.empty() ? "" : "; ") + ceiling_name(p.prec, p.unit) + " " + num(p.tflops);
        out += md_detail::row({escape(k.kernel.name), std::to_string(k.kernel.launches),
                               ncu_detail::duration(k.kernel.seconds), rates.empty() ? "-" : rates,
                               num(k.levels[0].ai), num(k.levels[1].ai), num(k.levels[2].ai), num(k.levels[0].gbps),
                               num(k.attainable_tflops), md_detail::percent(k.heu), escape(k.binding),
                               escape(k.note)});
    }
    if (!r.notes.empty()) {
        out += "\n";
        for (const std::string& n : r.notes) out += "- " + escape(n) + "\n";
    }
    return out;
}

/// The kernels as points of a hierarchical roofline for to_svg(): for each of the `max_kernels`
/// longest kernels with FLOPs, one point per memory level with traffic, at that level's AI and
/// the main precision's achieved rate, labelled "name [DRAM]", "name [L2]", "name [L1]"; the DRAM
/// point carries the kernel's HEU.
inline std::vector<svg_point> ncu_svg_points(const ncu_report& r, std::size_t max_kernels = 6) {
    std::vector<svg_point> pts;
    std::size_t shown = 0;
    for (const ncu_kernel_result& k : r.kernels) {
        if (shown == max_kernels) break;
        if (k.parts.empty()) continue;
        ++shown;
        const char* tag[3] = {" [DRAM]", " [L2]", " [L1]"};
        for (std::size_t i = 0; i < 3; ++i) {
            if (!std::isfinite(k.levels[i].ai)) continue;
            svg_point p;
            p.label = ncu_detail::short_name(k.kernel.name) + tag[i];
            p.ai = k.levels[i].ai;
            p.tflops = k.parts.front().tflops;
            if (i == 0) p.heu = k.heu;
            pts.push_back(p);
        }
    }
    return pts;
}

AACO_PORTABLE_NAMESPACE_END
