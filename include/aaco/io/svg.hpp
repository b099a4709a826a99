/// \file svg.hpp
/// \brief A self-contained SVG roofline of an envelope, with the user's kernels plotted on it.
///
/// The plot has log-log axes (decade grid, labelled decades, minor ticks), one horizontal roof
/// per measured precision (its best unit), one slope per memory level that has a figure (HBM,
/// L2, LLC, shared), the ridge points marked and labelled with their arithmetic intensity, the
/// datasheet roofs drawn faint and dashed beside the measured ones (not on a datasheet
/// envelope's own plot, where they would be the same lines), and the caller's kernels as dots
/// in the colour of the roof each is measured against, labelled with their HEU
/// (aaco::heu_percent_text). Axis ranges follow the data.
///
/// Roofs of equal height (MI300X: fp16 = bf16, fp64 matrix = fp32, fp8 = int8) are one line
/// dashed in turn in each of their colours, with one label naming them all ("fp16 matrix =
/// bf16 matrix 1307.4 TFLOP/s") and one ridge. Integer roofs are in TOP/s. Labels are placed
/// inside the plot area only, so none covers the legend beside it. Values outside 1e-9 ..
/// 1e9 (TFLOP/s, GB/s, FLOP/byte), non-finite or not positive are not plotted (a note counts
/// them), so absurd input cannot stretch the axes to infinity.
///
/// The file needs no fonts, scripts or stylesheets beyond what any SVG viewer has; every text
/// from the envelope or the caller is XML-escaped (and invalid UTF-8 replaced), numbers use the
/// classic "C" locale.
///
/// Geometry (hierarchical roofline): a compute roof starts where it meets the fastest memory
/// slope and runs to the right edge; a memory slope runs from the left (or bottom) edge up to the
/// highest compute roof. Ridge point of roof P and level L = P [TFLOP/s] x 1000 / L [GB/s]
/// FLOP/byte. The ridges of every roof with HBM are labelled; for the other levels, the ridge
/// with the highest roof is.
#pragma once
#include <aaco/config.hpp>
#include <aaco/model/envelope.hpp>
#include <aaco/model/memory_level.hpp>
#include <aaco/model/precision.hpp>
#include <aaco/model/roofline.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ios>
#include <limits>
#include <locale>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN

/// One kernel to plot on the roofline.
struct svg_point {
    std::string label;     ///< shown next to the dot
    double ai = 0;         ///< arithmetic intensity, FLOP/byte (> 0)
    double tflops = 0;     ///< achieved TFLOP/s (> 0)
    /// HEU as a fraction (0.8 = 80%), printed as a percentage; NaN = not shown.
    double heu = std::numeric_limits<double>::quiet_NaN();
    /// The precision whose roof the HEU is measured against: the dot takes that roof's colour.
    /// nullopt = black.
    std::optional<precision> prec = std::nullopt;
};

/// Options of to_svg.
struct svg_options {
    /// A datasheet envelope (e.g. the matched profile) whose roofs are drawn faint and dashed
    /// beside the measured ones. Not owned; may be null.
    const envelope* datasheet = nullptr;
    /// Without `datasheet`, draw the faint roofs from the figures' own `datasheet_tflops` /
    /// `datasheet_gbps` where those are known.
    bool datasheet_from_figures = true;
    int width = 1000;      ///< pixels; values below 480 are raised to 480
    int height = 640;      ///< pixels; values below 320 are raised to 320
    std::string title;     ///< replaces the default title "Roofline: <device> (<source>)"
};

namespace svg_detail {

/// Coordinates and numbers for the SVG text: fixed, classic locale.
inline std::string fmt(double v, int decimals = 2) {
    std::ostringstream s;
    s.imbue(std::locale::classic());
    s.setf(std::ios::fixed);
    s.precision(decimals);
    s << v;
    return s.str();
}

/// A figure for a label: 989.4, 67.00, 2.500.
inline std::string num(double v) {
    const double a = std::fabs(v);
    return fmt(v, a >= 100 ? 1 : a >= 1 ? 2 : 3);
}

/// Escapes text for XML character data and attribute values. Control characters other than
/// tab/newline (which become spaces) are dropped, since XML 1.0 forbids them; malformed UTF-8
/// and code points XML forbids become U+FFFD, so the document always parses.
inline std::string xml_escape(std::string_view text) {
    static constexpr const char* replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            case '\t': case '\n': case '\r': out += ' '; break;
            default:
                if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // Multi-byte sequence: length from the lead byte, then validate continuation bytes,
        // overlong forms, surrogates and the range limit.
        const std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                              : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len != 0 && i + len <= text.size();
        std::uint32_t cp = ok ? (c & (0xFF >> (len + 1))) : 0;
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            ok = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const std::uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
        ok = ok && cp >= min_cp[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
             cp != 0xFFFE && cp != 0xFFFF;
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out += replacement;
            ++i;
        }
    }
    return out;
}

/// Distinct colours per precision (colour-blind-friendly-ish categorical palette).
inline const char* precision_color(precision p) {
    switch (p) {
    case precision::fp64: return "#1f77b4";
    case precision::fp32: return "#ff7f0e";
    case precision::tf32: return "#2ca02c";
    case precision::fp16: return "#d62728";
    case precision::bf16: return "#9467bd";
    case precision::fp8: return "#8c564b";
    case precision::int8: return "#e377c2";
    }
    return "#000000";
}

inline const char* level_color(memory_level l) {
    switch (l) {
    case memory_level::hbm: return "#222222";
    case memory_level::l2: return "#0b7285";
    case memory_level::llc: return "#7c6f00";
    case memory_level::shared: return "#6c757d";
    default: return "#999999";
    }
}

inline std::string level_name(memory_level l) {
    switch (l) {
    case memory_level::hbm: return "HBM";
    case memory_level::l2: return "L2";
    case memory_level::llc: return "LLC";
    case memory_level::shared: return "shared";
    default: return std::string(to_string(l));
    }
}

/// The memory levels that make slopes on a roofline (host links are not on-device levels).
inline constexpr std::array<memory_level, 4> plotted_levels = {
    memory_level::hbm, memory_level::l2, memory_level::llc, memory_level::shared};

inline bool positive(double v) { return std::isfinite(v) && v > 0; }

/// Values outside 1e-9 .. 1e9 (TFLOP/s, GB/s or FLOP/byte) are not plotted: no card or kernel
/// is near either end, and beyond them decades would reach 1e309 = inf. Untuned: the widest
/// range that keeps every derived figure (ridge = TFLOP/s x 1000 / GB/s) finite with room.
inline bool plottable_value(double v) { return positive(v) && v >= 1e-9 && v <= 1e9; }

struct roof {
    precision prec;
    compute_unit unit;
    double tflops;
    double datasheet;  ///< NaN when unknown
};

struct slope {
    memory_level level;
    double gbps;
    double datasheet;  ///< NaN when unknown
};

/// The roofs to draw. A datasheet envelope gets no faint datasheet copies: they would be its own
/// lines again. `dropped` counts the figures outside the plottable range.
inline std::vector<roof> collect_roofs(const envelope& e, const svg_options& o, std::size_t& dropped) {
    std::vector<roof> r;
    const bool faint = e.source != envelope_source::datasheet;
    for (precision p : all_precisions) {
        const compute_figure* f = e.best_compute(p);
        if (!f) continue;
        if (!plottable_value(f->tflops)) {
            ++dropped;
            continue;
        }
        double ds = std::numeric_limits<double>::quiet_NaN();
        if (faint && o.datasheet) {
            if (const compute_figure* d = o.datasheet->best_compute(p)) ds = d->tflops;
        } else if (faint && o.datasheet_from_figures) {
            ds = f->datasheet_tflops;
        }
        r.push_back({p, f->unit, f->tflops, plottable_value(ds) ? ds : std::nan("")});
    }
    return r;
}

inline std::vector<slope> collect_slopes(const envelope& e, const svg_options& o, std::size_t& dropped) {
    std::vector<slope> s;
    const bool faint = e.source != envelope_source::datasheet;
    for (memory_level l : plotted_levels) {
        const memory_figure* f = e.best_memory(l);
        if (!f) continue;
        if (!plottable_value(f->gbps)) {
            ++dropped;
            continue;
        }
        double ds = std::numeric_limits<double>::quiet_NaN();
        if (faint && o.datasheet) {
            if (const memory_figure* d = o.datasheet->best_memory(l)) ds = d->gbps;
        } else if (faint && o.datasheet_from_figures) {
            ds = f->datasheet_gbps;
        }
        s.push_back({l, f->gbps, plottable_value(ds) ? ds : std::nan("")});
    }
    return s;
}

/// Roofs whose heights agree to 0.1% are one line on the plot (e.g. MI300X fp16 = bf16). The
/// datasheet prints such pairs with the same digits; measured pairs within 0.1% cannot be told
/// apart at any plot size (0.1% is 0.2 px per decade of 500 px).
inline bool same_height(double a, double b) { return std::fabs(a - b) <= 1e-3 * std::max(a, b); }

/// Roofs of one height, in precision order.
struct roof_group {
    std::vector<const roof*> members;
    double tflops() const { return members.front()->tflops; }
    const char* color() const { return precision_color(members.front()->prec); }
    bool all_integer() const {
        for (const roof* r : members)
            if (!traits(r->prec).is_integer) return false;
        return true;
    }
    bool any_integer() const {
        for (const roof* r : members)
            if (traits(r->prec).is_integer) return true;
        return false;
    }
};

/// Groups `roofs` by height (`value` of each: the measured or the datasheet figure); roofs
/// whose value is not positive are left out.
template <class Value>
std::vector<roof_group> group_roofs(const std::vector<roof>& roofs, Value&& value) {
    std::vector<roof_group> groups;
    for (const roof& r : roofs) {
        if (!positive(value(r))) continue;
        roof_group* home = nullptr;
        for (roof_group& g : groups)
            if (same_height(value(*g.members.front()), value(r))) home = &g;
        if (home)
            home->members.push_back(&r);
        else
            groups.push_back({{&r}});
    }
    return groups;
}

/// Log-log mapping of the plot area.
struct axes {
    double x0, x1, y0, y1;          ///< plot area in pixels (y0 top)
    double lx_lo, lx_hi, ly_lo, ly_hi; ///< decades shown
    double px(double x) const { return x0 + (std::log10(x) - lx_lo) / (lx_hi - lx_lo) * (x1 - x0); }
    double py(double y) const { return y1 - (std::log10(y) - ly_lo) / (ly_hi - ly_lo) * (y1 - y0); }
    double x_lo() const { return std::pow(10.0, lx_lo); }
    double x_hi() const { return std::pow(10.0, lx_hi); }
    double y_lo() const { return std::pow(10.0, ly_lo); }
    double y_hi() const { return std::pow(10.0, ly_hi); }
};

/// The smallest and largest of some positive values.
struct span {
    double lo = std::numeric_limits<double>::infinity();
    double hi = 0;
    void add(double v) {
        if (!positive(v)) return;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return hi <= 0; }
};

/// Decade bounds around a span: `pad_lo`/`pad_hi` decades of margin, at most `max_decades`.
inline void decades(const span& s, double pad_lo, double pad_hi, double& lo, double& hi) {
    // Untuned: 14 decades still leave ~45 px per decade on a 640 px axis.
    constexpr double max_decades = 14;
    lo = std::floor(std::log10(s.lo) - pad_lo);
    hi = std::ceil(std::log10(s.hi) + pad_hi);
    if (hi - lo < 1) hi = lo + 1;
    if (hi - lo > max_decades) lo = hi - max_decades;
}

/// A kernel's coordinates are inside the plottable range (not yet: inside the axes).
inline bool point_in_range(const svg_point& p) { return plottable_value(p.ai) && plottable_value(p.tflops); }

inline axes choose_axes(const std::vector<roof>& roofs, const std::vector<slope>& slopes,
                        const std::vector<svg_point>& pts, double x0, double x1, double y0,
                        double y1) {
    axes a{x0, x1, y0, y1, -1, 3, -1, 3};
    span xs, ys;
    for (const auto& r : roofs)
        for (const auto& s : slopes) xs.add(r.tflops * 1000 / s.gbps);
    for (const auto& r : roofs) {
        ys.add(r.tflops);
        ys.add(r.datasheet);
    }
    for (const auto& p : pts)
        if (point_in_range(p)) {
            xs.add(p.ai);
            ys.add(p.tflops);
        }
    if (xs.empty()) xs.add(1), xs.add(100);  // no ridge and no point: a generic 1..100 view
    decades(xs, 1, 1, a.lx_lo, a.lx_hi);
    if (ys.empty()) {
        // Slopes only: show them across the x range.
        for (const auto& s : slopes) {
            ys.add(s.gbps * a.x_lo() / 1000);
            ys.add(s.gbps * a.x_hi() / 1000);
        }
        if (ys.empty()) ys.add(1), ys.add(1000);
        decades(ys, 0, 0, a.ly_lo, a.ly_hi);
    } else {
        // One decade below the lowest roof or point, and headroom for labels above the top.
        decades(ys, 1, 0.3, a.ly_lo, a.ly_hi);
    }
    return a;
}

/// Text of a decade tick: plain numbers for 0.001 .. 10000, else 1e-5 / 1e6.
inline std::string decade_label(int k) {
    if (k >= 0 && k <= 4) return fmt(std::pow(10.0, k), 0);
    if (k < 0 && k >= -3) return fmt(std::pow(10.0, k), -k);
    return "1e" + std::to_string(k);
}

/// A run of label text in one colour (empty colour = the element's own fill).
struct text_run {
    std::string text;
    std::string color;
};

/// Small SVG writer: accumulates elements into a string.
class canvas {
public:
    void line(double xa, double ya, double xb, double yb, const std::string& color, double width,
              const std::string& extra = {}) {
        out_ += "<line x1=\"" + fmt(xa) + "\" y1=\"" + fmt(ya) + "\" x2=\"" + fmt(xb) +
                "\" y2=\"" + fmt(yb) + "\" stroke=\"" + color + "\" stroke-width=\"" +
                fmt(width, 1) + "\"" + extra + "/>\n";
    }
    void circle(double cx, double cy, double r, const std::string& fill, const std::string& stroke,
                const std::string& extra = {}) {
        out_ += "<circle cx=\"" + fmt(cx) + "\" cy=\"" + fmt(cy) + "\" r=\"" + fmt(r, 1) +
                "\" fill=\"" + fill + "\" stroke=\"" + stroke + "\"" + extra + "/>\n";
    }
    /// `body` is raw text; it is escaped here.
    void text(double x, double y, std::string_view body, int size, const std::string& extra = {}) {
        out_ += "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" font-size=\"" +
                std::to_string(size) + "\"" + extra + ">" + xml_escape(body) + "</text>\n";
    }
    /// Text in several colours: one <tspan> per coloured run (plain text for a single run).
    void text(double x, double y, const std::vector<text_run>& runs, int size,
              const std::string& extra = {}) {
        if (runs.size() == 1 && runs.front().color.empty()) return text(x, y, runs.front().text, size, extra);
        out_ += "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" font-size=\"" +
                std::to_string(size) + "\"" + extra + ">";
        for (const text_run& r : runs)
            out_ += r.color.empty() ? xml_escape(r.text)
                                    : "<tspan fill=\"" + r.color + "\">" + xml_escape(r.text) + "</tspan>";
        out_ += "</text>\n";
    }
    void raw(const std::string& s) { out_ += s; }
    const std::string& str() const { return out_; }

private:
    std::string out_;
};

inline std::string plain(const std::vector<text_run>& runs) {
    std::string s;
    for (const text_run& r : runs) s += r.text;
    return s;
}

/// The names of a roof group: "fp16 matrix"; for equal roofs on one unit "fp16 = bf16 matrix",
/// on different units "fp64 matrix = fp32 vector"; each name in its roof's colour when there
/// are several (a single roof keeps its element's colour).
inline std::vector<text_run> roof_name_runs(const roof_group& g) {
    std::vector<text_run> runs;
    const bool one = g.members.size() == 1;
    bool one_unit = true;
    for (const roof* r : g.members) one_unit = one_unit && r->unit == g.members.front()->unit;
    for (std::size_t i = 0; i < g.members.size(); ++i) {
        const roof& r = *g.members[i];
        if (i > 0) runs.push_back({" = ", "#444444"});
        runs.push_back({std::string(to_string(r.prec)) + (one_unit ? "" : " " + std::string(to_string(r.unit))),
                        one ? "" : precision_color(r.prec)});
    }
    if (one_unit) runs.push_back({" " + std::string(to_string(g.members.front()->unit)), one ? "" : "#444444"});
    return runs;
}

/// The height of a roof group with its unit: "1307.4 TFLOP/s"; integer roofs in TOP/s; a
/// mixed group says so ("2614.9 TFLOP/s (int8: TOP/s)").
inline std::string roof_value_text(const roof_group& g) {
    const std::string v = num(g.tflops());
    if (g.all_integer()) return v + " TOP/s";
    if (g.any_integer()) return v + " TFLOP/s (int8: TOP/s)";
    return v + " TFLOP/s";
}

/// "fp16 matrix 1307.4 TFLOP/s", "fp16 = bf16 matrix 1307.4 TFLOP/s".
inline std::vector<text_run> roof_label_runs(const roof_group& g) {
    std::vector<text_run> runs = roof_name_runs(g);
    runs.push_back({" " + roof_value_text(g), g.members.size() == 1 ? "" : "#444444"});
    return runs;
}


inline std::string slope_label(const slope& s) { return level_name(s.level) + " " + num(s.gbps) + " GB/s"; }

/// Draws a horizontal roof line for a group: one roof solid (or in the faint style); equal
/// roofs share the line, dashed in turn in each colour (segments of `seg` px), so every one of
/// them stays visible.
inline void roof_line(canvas& c, double xa, double xb, double y, const roof_group& g,
                      double width, const std::string& style, bool faint) {
    const std::size_t k = g.members.size();
    if (k == 1) return c.line(xa, y, xb, y, g.color(), width, style);
    const double seg = faint ? 7 : 12;
    const double period = seg * static_cast<double>(k);
    for (std::size_t i = 0; i < k; ++i) {
        const std::string dash = " stroke-dasharray=\"" + fmt(seg, 0) + " " + fmt(period - seg, 0) +
                                 "\" stroke-dashoffset=\"" + fmt(period - seg * static_cast<double>(i), 0) + "\"" +
                                 (faint ? " opacity=\"0.4\"" : "");
        c.line(xa, y, xb, y, precision_color(g.members[i]->prec), width, dash);
    }
}

/// Draws roofs and slopes with the hierarchical-roofline geometry described in the file
/// comment. `faint` selects the datasheet style and the datasheet values.
inline void draw_roofline(canvas& c, const axes& a, const std::vector<roof>& roofs,
                          const std::vector<slope>& slopes, bool faint) {
    auto roof_value = [&](const roof& r) { return faint ? r.datasheet : r.tflops; };
    auto slope_value = [&](const slope& s) { return faint ? s.datasheet : s.gbps; };
    double fastest = 0, top = 0;
    for (const auto& s : slopes)
        if (positive(slope_value(s))) fastest = std::max(fastest, slope_value(s));
    for (const auto& r : roofs)
        if (positive(roof_value(r))) top = std::max(top, roof_value(r));
    // The faint set borrows the measured geometry where the datasheet lacks a side.
    if (faint && fastest == 0)
        for (const auto& s : slopes) fastest = std::max(fastest, s.gbps);
    if (faint && top == 0)
        for (const auto& r : roofs) top = std::max(top, r.tflops);
    const std::string style = faint ? " stroke-dasharray=\"7 5\" opacity=\"0.4\"" : "";
    const double width = faint ? 1.8 : 2.6;
    for (const roof_group& g : group_roofs(roofs, roof_value)) {
        const double v = roof_value(*g.members.front());
        if (v < a.y_lo() || v > a.y_hi()) continue;
        const double xs = fastest > 0 ? std::max(a.x_lo(), v * 1000 / fastest) : a.x_lo();
        if (xs >= a.x_hi()) continue;
        roof_line(c, a.px(xs), a.x1, a.py(v), g, width, style, faint);
    }
    for (const auto& s : slopes) {
        const double bw = slope_value(s);
        if (!positive(bw)) continue;
        const double xa = std::max(a.x_lo(), a.y_lo() * 1000 / bw);
        const double y_end = top > 0 ? std::min(top, a.y_hi()) : a.y_hi();
        const double xb = std::min(a.x_hi(), y_end * 1000 / bw);
        if (xa >= xb) continue;
        c.line(a.px(xa), a.py(xa * bw / 1000), a.px(xb), a.py(xb * bw / 1000),
               level_color(s.level), width, style);
    }
}

inline void draw_grid(canvas& c, const axes& a, bool integer_roofs) {
    c.raw("<rect x=\"" + fmt(a.x0) + "\" y=\"" + fmt(a.y0) + "\" width=\"" + fmt(a.x1 - a.x0) +
          "\" height=\"" + fmt(a.y1 - a.y0) + "\" fill=\"#ffffff\" stroke=\"#444444\"/>\n");
    for (int k = static_cast<int>(a.lx_lo); k <= static_cast<int>(a.lx_hi); ++k) {
        const double x = a.px(std::pow(10.0, k));
        if (k > a.lx_lo && k < a.lx_hi) c.line(x, a.y0, x, a.y1, "#dddddd", 1);
        c.line(x, a.y1, x, a.y1 + 6, "#444444", 1);
        c.text(x, a.y1 + 20, decade_label(k), 12, " text-anchor=\"middle\"");
        for (int m = 2; m <= 9 && k < a.lx_hi; ++m) {
            const double xm = a.px(m * std::pow(10.0, k));
            c.line(xm, a.y1, xm, a.y1 + 3, "#888888", 1);
        }
    }
    for (int k = static_cast<int>(a.ly_lo); k <= static_cast<int>(a.ly_hi); ++k) {
        const double y = a.py(std::pow(10.0, k));
        if (k > a.ly_lo && k < a.ly_hi) c.line(a.x0, y, a.x1, y, "#dddddd", 1);
        c.line(a.x0 - 6, y, a.x0, y, "#444444", 1);
        c.text(a.x0 - 9, y + 4, decade_label(k), 12, " text-anchor=\"end\"");
        for (int m = 2; m <= 9 && k < a.ly_hi; ++m) {
            const double ym = a.py(m * std::pow(10.0, k));
            c.line(a.x0 - 3, ym, a.x0, ym, "#888888", 1);
        }
    }
    c.text((a.x0 + a.x1) / 2, a.y1 + 40,
           integer_roofs ? "Arithmetic intensity (FLOP/byte; OP/byte for int8)"
                         : "Arithmetic intensity (FLOP/byte)",
           14, " text-anchor=\"middle\"");
    const double yc = (a.y0 + a.y1) / 2;
    c.text(a.x0 - 58, yc, integer_roofs ? "Performance (TFLOP/s; TOP/s for int8)" : "Performance (TFLOP/s)", 14,
           " text-anchor=\"middle\" transform=\"rotate(-90 " + fmt(a.x0 - 58) + " " + fmt(yc) + ")\"");
}

/// Greedy label placement: each label tries a list of candidate positions and takes the first
/// whose (estimated) box stays inside the plot and overlaps no label or marker placed before;
/// when none is free, the first that stays inside the plot; when none does, the first moved
/// inside. So a label never leaves the plot area (the legend is beside it). Text width is
/// estimated at 0.6 em per character (DejaVu Sans / Helvetica average).
class label_layout {
public:
    enum class anchor { start, end };
    struct candidate {
        double x, y;
        anchor a;
    };

    explicit label_layout(const axes& ax) : ax_(ax) {}

    /// Reserves the square around a marker so that no label covers it.
    void reserve_marker(double x, double y, double r) {
        used_.push_back({x - r, y - r, x + r, y + r});
    }
    /// Reserves a box drawn by someone else (a rotated slope label, in pieces).
    void reserve(double left, double top, double right, double bottom) {
        used_.push_back({left, top, right, bottom});
    }
    /// True when the box overlaps nothing reserved or placed so far.
    bool is_free(double left, double top, double right, double bottom) const {
        return is_free(box{left, top, right, bottom});
    }

    /// Places `runs` at the first free candidate (see the class comment) and draws it with a
    /// white halo, so that a line crossing it does not hide it. Returns the position taken.
    candidate place(canvas& c, const std::vector<text_run>& runs, int size, const std::string& attrs,
                    const std::vector<candidate>& candidates) {
        if (candidates.empty()) return {0, 0, anchor::start};
        const std::string body = plain(runs);
        std::optional<candidate> chosen;
        for (const auto& k : candidates)
            if (inside(box_of(k, body, size)) && is_free(box_of(k, body, size))) {
                chosen = k;
                break;
            }
        for (std::size_t i = 0; !chosen && i < candidates.size(); ++i)
            if (inside(box_of(candidates[i], body, size))) chosen = candidates[i];
        if (!chosen) chosen = moved_inside(candidates.front(), body, size);
        used_.push_back(box_of(*chosen, body, size));
        c.text(chosen->x, chosen->y, runs, size,
               std::string(chosen->a == anchor::end ? " text-anchor=\"end\"" : "") + attrs +
                   " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\""
                   " paint-order=\"stroke\"");
        return *chosen;
    }
    candidate place(canvas& c, std::string_view body, int size, const std::string& attrs,
                    const std::vector<candidate>& candidates) {
        return place(c, std::vector<text_run>{{std::string(body), ""}}, size, attrs, candidates);
    }

private:
    struct box {
        double x0, y0, x1, y1;
    };

    static std::size_t glyphs(std::string_view s) {
        std::size_t n = 0;
        for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
        return n;
    }
    static double width_of(std::string_view body, int size) {
        return 0.6 * size * static_cast<double>(glyphs(body));
    }
    static box box_of(const candidate& k, std::string_view body, int size) {
        const double w = width_of(body, size);
        const double left = k.a == anchor::end ? k.x - w : k.x;
        return {left, k.y - 0.8 * size, left + w, k.y + 0.25 * size};
    }
    bool inside(const box& b) const {
        return b.x0 >= ax_.x0 + 2 && b.x1 <= ax_.x1 - 2 && b.y0 >= ax_.y0 + 2 && b.y1 <= ax_.y1 - 2;
    }
    bool is_free(const box& b) const {
        for (const box& u : used_)
            if (b.x0 < u.x1 && u.x0 < b.x1 && b.y0 < u.y1 && u.y0 < b.y1) return false;
        return true;
    }
    /// `k` shifted so that its box lies inside the plot (left-aligned when wider than it).
    candidate moved_inside(candidate k, std::string_view body, int size) const {
        const box b = box_of(k, body, size);
        double dx = 0, dy = 0;
        if (b.x1 > ax_.x1 - 2) dx = ax_.x1 - 2 - b.x1;
        if (b.x0 + dx < ax_.x0 + 2) dx = ax_.x0 + 2 - b.x0;
        if (b.y1 > ax_.y1 - 2) dy = ax_.y1 - 2 - b.y1;
        if (b.y0 + dy < ax_.y0 + 2) dy = ax_.y0 + 2 - b.y0;
        k.x += dx;
        k.y += dy;
        return k;
    }

    const axes& ax_;
    std::vector<box> used_;
};

/// Candidates around a point, nearest first: right/left x below/above, then further out.
inline std::vector<label_layout::candidate> around(double x, double y, double dx, double above,
                                                   double below) {
    using A = label_layout::anchor;
    std::vector<label_layout::candidate> k;
    for (int ring = 0; ring < 4; ++ring) {
        const double extra = 14.0 * ring;
        k.push_back({x + dx, y + below + extra, A::start});
        k.push_back({x + dx, y - above - extra, A::start});
        k.push_back({x - dx, y + below + extra, A::end});
        k.push_back({x - dx, y - above - extra, A::end});
    }
    return k;
}

/// A roof group's label: at the right end of the roof, above it, else below it (stepping away
/// from the line), else further left.
inline void label_roof(canvas& c, label_layout& layout, const axes& a, const roof_group& g) {
    if (g.tflops() < a.y_lo() || g.tflops() > a.y_hi()) return;
    using A = label_layout::anchor;
    const double y = a.py(g.tflops());
    std::vector<label_layout::candidate> k;
    for (int step = 0; step < 4; ++step) {
        const double x = a.x1 - 6 - 170.0 * step;
        for (int ring = 0; ring < 3; ++ring) {
            k.push_back({x, y - 5 - 14.0 * ring, A::end});
            k.push_back({x, y + 15 + 14.0 * ring, A::end});
        }
    }
    layout.place(c, roof_label_runs(g), 12, " font-weight=\"bold\" fill=\"" + std::string(g.color()) + "\"", k);
}

/// A ridge point whose marker is drawn; its label comes later, on top of every line.
struct ridge_mark {
    double x, y;
    double ai;
    std::string color;
    bool integer;  ///< the roof counts integer operations: OP/byte
};

inline void add_ridge(std::vector<ridge_mark>& out, canvas& c, label_layout& layout,
                      const axes& a, double tflops, double gbps, const std::string& color,
                      bool integer) {
    const double ridge = tflops * 1000 / gbps;
    if (ridge < a.x_lo() || ridge > a.x_hi() || tflops < a.y_lo() || tflops > a.y_hi()) return;
    const double x = a.px(ridge), y = a.py(tflops);
    c.circle(x, y, 4, "#ffffff", color, " stroke-width=\"2\"");
    layout.reserve_marker(x, y, 5);
    out.push_back({x, y, ridge, color, integer});
}

/// Slope labels run along their slope, just above it: at the first of several places along
/// its visible part (staggered per slope, so that close slopes such as L2 and LLC do not stack
/// their labels) where the text covers no marker or label placed before, else at the first
/// place; always moved back down the slope where the text would leave the plot (into the
/// legend). Each label is reserved in `layout` as small boxes along its baseline.
inline void draw_slope_labels(canvas& c, label_layout& layout, const axes& a,
                              const std::vector<slope>& slopes, double top) {
    // Angle of a slope-1 line on screen, from the pixels per decade of the two axes.
    const double sx = (a.x1 - a.x0) / (a.lx_hi - a.lx_lo);
    const double sy = (a.y1 - a.y0) / (a.ly_hi - a.ly_lo);
    const double rad = std::atan2(sy, sx);
    const double angle = -rad * 180.0 / 3.14159265358979323846;
    struct piece {
        double x0, y0, x1, y1;
    };
    for (std::size_t i = 0; i < slopes.size(); ++i) {
        const slope& s = slopes[i];
        const double xa = std::max(a.x_lo(), a.y_lo() * 1000 / s.gbps);
        const double y_end = top > 0 ? std::min(top, a.y_hi()) : a.y_hi();
        const double xb = std::min(a.x_hi(), y_end * 1000 / s.gbps);
        if (xa >= xb) continue;
        const std::string text = slope_label(s);
        const double w = 0.6 * 12 * static_cast<double>(text.size());
        // Where the label starts, at a fraction `along` of the visible part.
        auto start_at = [&](double along, double& x, double& y) {
            const double lx = std::log10(xa) + along * (std::log10(xb) - std::log10(xa));
            x = a.px(std::pow(10.0, lx));
            y = a.py(std::pow(10.0, lx) * s.gbps / 1000) - 6;
            // The far end is w along the slope: inside the plot, left of its edge, below its top.
            const double over_x = x + w * std::cos(rad) - (a.x1 - 4);
            const double over_y = (a.y0 + 14) - (y - w * std::sin(rad));
            const double back = std::max({0.0, over_x / std::cos(rad), over_y / std::sin(rad)});
            x -= back * std::cos(rad);
            y += back * std::sin(rad);
            return x >= a.x0 + 4;
        };
        auto pieces_at = [&](double x, double y) {
            std::vector<piece> out;
            for (double t = 0; t < w; t += 8) {
                const double bx = x + t * std::cos(rad), by = y - t * std::sin(rad);
                out.push_back({bx - 5, by - 11, bx + 5, by + 2});
            }
            return out;
        };
        const double first = 0.08 + 0.2 * static_cast<double>(i % 4);
        double x = 0, y = 0;
        bool placed = false;
        for (double along : {first, 0.1, 0.3, 0.5, 0.7, 0.9}) {
            double cx = 0, cy = 0;
            if (!start_at(along, cx, cy)) continue;
            bool free = true;
            for (const piece& p : pieces_at(cx, cy)) free = free && layout.is_free(p.x0, p.y0, p.x1, p.y1);
            if (free || !placed) {
                x = cx;
                y = cy;
                placed = true;
            }
            if (free) break;
        }
        if (!placed) continue;  // no room for the text on this slope
        for (const piece& p : pieces_at(x, y)) layout.reserve(p.x0, p.y0, p.x1, p.y1);
        c.text(x, y, text, 12,
               " font-weight=\"bold\" fill=\"" + std::string(level_color(s.level)) +
                   "\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\""
                   " paint-order=\"stroke\" transform=\"rotate(" + fmt(angle) + " " + fmt(x) +
                   " " + fmt(y) + ")\"");
    }
}

/// A kernel can be plotted when both coordinates are in the plottable range and inside the axes.
inline bool plottable(const axes& a, const svg_point& p) {
    return point_in_range(p) && p.ai >= a.x_lo() && p.ai <= a.x_hi() && p.tflops >= a.y_lo() &&
           p.tflops <= a.y_hi();
}

inline std::string heu_text(const svg_point& p) {
    if (!std::isfinite(p.heu)) return p.label;
    return p.label + " (HEU " + heu_percent_text(p.heu) + ")";
}

inline const char* point_color(const svg_point& p) { return p.prec ? precision_color(*p.prec) : "#000000"; }

/// A legend swatch for a roof group: one short line, or one segment per colour.
inline void legend_swatch(canvas& c, double x, double y, const roof_group& g) {
    const double k = static_cast<double>(g.members.size());
    for (std::size_t i = 0; i < g.members.size(); ++i)
        c.line(x + 26 * static_cast<double>(i) / k, y, x + 26 * static_cast<double>(i + 1) / k, y,
               precision_color(g.members[i]->prec), 2.6);
}

struct legend_content {
    const std::vector<roof_group>* groups;
    const std::vector<slope>* slopes;
    bool any_datasheet = false;
    bool any_ridge = false;
    bool any_points = false;
    bool coloured_points = false;
    std::size_t failures = 0;
};

inline void draw_legend(canvas& c, double x, double y, const legend_content& l) {
    c.text(x, y, "Legend", 14, " font-weight=\"bold\"");
    y += 22;
    auto entry = [&](const std::vector<text_run>& text) {
        c.text(x + 34, y, text, 12);
        y += 18;
    };
    auto plain_entry = [&](const std::string& text) { entry({{text, ""}}); };
    for (const roof_group& g : *l.groups) {
        legend_swatch(c, x, y - 4, g);
        if (g.members.size() == 1) {
            entry(roof_label_runs(g));
        } else {  // names, then the height on a second line: the legend column is narrow
            entry(roof_name_runs(g));
            y -= 3;
            plain_entry(roof_value_text(g));
        }
    }
    for (const auto& s : *l.slopes) {
        c.line(x, y - 4, x + 26, y - 4, level_color(s.level), 2.6);
        plain_entry(slope_label(s));
    }
    if (l.any_datasheet) {
        c.line(x, y - 4, x + 26, y - 4, "#444444", 1.8,
               " stroke-dasharray=\"7 5\" opacity=\"0.4\"");
        plain_entry("datasheet (same colours)");
    }
    if (l.any_ridge) {
        c.circle(x + 13, y - 4, 4, "#ffffff", "#444444", " stroke-width=\"2\"");
        plain_entry("ridge point (FLOP/byte)");
    }
    if (l.any_points) {
        c.circle(x + 13, y - 4, 5, "#000000", "#ffffff", " stroke-width=\"1.5\"");
        plain_entry(l.coloured_points ? "kernel, HEU % (roof colour)" : "kernel (HEU %)");
    }
    if (l.failures > 0)
        c.text(x, y + 6, std::to_string(l.failures) + " figure(s) failed to measure", 12,
               " fill=\"#b00020\"");
}

inline void draw_title(canvas& c, const envelope& e, const svg_options& o, double w) {
    const std::string device = e.device.name.empty() ? "unknown device" : e.device.name;
    const std::string title =
        o.title.empty() ? "Roofline: " + device + " (" + std::string(to_string(e.source)) + ")"
                        : o.title;
    c.raw("<title>" + xml_escape(title) + "</title>\n");
    c.text(w / 2, 28, title, 18, " text-anchor=\"middle\" font-weight=\"bold\"");
    std::string sub = std::string(to_string(e.source)) + " envelope";
    if (!e.calibration_timestamp.empty()) sub += ", calibrated " + e.calibration_timestamp;
    if (!e.profile_key.empty()) sub += ", profile " + e.profile_key;
    if (!e.aaco_version.empty()) sub += ", aaco " + e.aaco_version;
    c.text(w / 2, 48, sub, 12, " text-anchor=\"middle\" fill=\"#555555\"");
}

} // namespace svg_detail

/// The roofline of `e` as a standalone SVG document, with `points` plotted on it.
inline std::string to_svg(const envelope& e, const std::vector<svg_point>& points = {},
                          const svg_options& options = {}) {
    using namespace svg_detail;
    const double w = std::max(options.width, 480), h = std::max(options.height, 320);
    // Margins: left for the y labels, right for the legend, top for the title.
    const double x0 = 80, x1 = w - 270, y0 = 72, y1 = h - 62;
    std::size_t dropped_figures = 0;
    const std::vector<roof> roofs = collect_roofs(e, options, dropped_figures);
    const std::vector<slope> slopes = collect_slopes(e, options, dropped_figures);
    const std::vector<roof_group> groups = group_roofs(roofs, [](const roof& r) { return r.tflops; });
    const axes a = choose_axes(roofs, slopes, points, x0, x1, y0, y1);
    bool integer_roofs = false;
    for (const roof& r : roofs) integer_roofs = integer_roofs || traits(r.prec).is_integer;

    canvas c;
    c.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    c.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt(w, 0) + "\" height=\"" +
          fmt(h, 0) + "\" viewBox=\"0 0 " + fmt(w, 0) + " " + fmt(h, 0) +
          "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
    c.raw("<rect x=\"0\" y=\"0\" width=\"" + fmt(w, 0) + "\" height=\"" + fmt(h, 0) +
          "\" fill=\"#ffffff\"/>\n");
    draw_title(c, e, options, w);
    draw_grid(c, a, integer_roofs);
    bool any_datasheet = false;
    for (const auto& r : roofs) any_datasheet = any_datasheet || positive(r.datasheet);
    for (const auto& s : slopes) any_datasheet = any_datasheet || positive(s.datasheet);
    if (any_datasheet) draw_roofline(c, a, roofs, slopes, true);
    draw_roofline(c, a, roofs, slopes, false);

    double top = 0;
    for (const auto& r : roofs) top = std::max(top, r.tflops);
    const slope* hbm = nullptr;
    for (const auto& s : slopes)
        if (s.level == memory_level::hbm) hbm = &s;
    // Ridges: every roof height with HBM (or, without HBM, the first level), once per group of
    // equal roofs; the top roof with the other levels.
    label_layout layout(a);
    std::vector<ridge_mark> ridges;
    const slope* primary = hbm ? hbm : (slopes.empty() ? nullptr : &slopes.front());
    if (primary)
        for (const roof_group& g : groups)
            add_ridge(ridges, c, layout, a, g.tflops(), primary->gbps, g.color(), g.all_integer());
    for (const auto& s : slopes)
        if (&s != primary && top > 0)
            add_ridge(ridges, c, layout, a, top, s.gbps, level_color(s.level), false);
    std::size_t skipped = 0;
    bool coloured_points = false;
    for (const auto& p : points) {
        if (!plottable(a, p)) {
            ++skipped;
            continue;
        }
        coloured_points = coloured_points || p.prec.has_value();
        c.circle(a.px(p.ai), a.py(p.tflops), 5, point_color(p), p.prec ? "#000000" : "#ffffff",
                 " stroke-width=\"1.5\"");
        layout.reserve_marker(a.px(p.ai), a.py(p.tflops), 6);
    }

    // Labels last, on top of every line: slopes (rotated), roofs, kernels, then ridges.
    draw_slope_labels(c, layout, a, slopes, top);
    // Highest roof first: it gets the slot above its line, lower ones make room.
    std::vector<const roof_group*> by_height;
    for (const auto& g : groups) by_height.push_back(&g);
    // Ties keep the groups' order (they point into one vector). std::sort, not stable_sort:
    // libstdc++'s stable_sort trips clang's deprecation warning for get_temporary_buffer.
    std::sort(by_height.begin(), by_height.end(), [](const roof_group* l, const roof_group* r) {
        return l->tflops() > r->tflops() || (l->tflops() == r->tflops() && l < r);
    });
    for (const roof_group* g : by_height) label_roof(c, layout, a, *g);
    for (const auto& p : points) {
        if (!plottable(a, p)) continue;
        const double px = a.px(p.ai), py = a.py(p.tflops);
        const auto at = layout.place(c, heu_text(p), 12, "", around(px, py, 9, 8, 17));
        // A label pushed away from its dot gets a leader line back to it.
        if (std::fabs(at.y - py) > 24)
            c.line(px, py, at.x, at.y + (at.y < py ? 3 : -12), "#666666", 0.8);
    }
    for (const auto& r : ridges)
        layout.place(c, "ridge " + num(r.ai) + (r.integer ? " OP/B" : " FLOP/B"), 10,
                     " fill=\"" + r.color + "\"", around(r.x, r.y, 6, 7, 14));
    if (roofs.empty() && slopes.empty())
        c.text((a.x0 + a.x1) / 2, (a.y0 + a.y1) / 2, "no compute or memory figure to plot", 16,
               " text-anchor=\"middle\" fill=\"#b00020\"");
    std::string note;
    if (skipped > 0)
        note = std::to_string(skipped) +
               " point(s) not plotted (not finite and > 0, or outside the axes)";
    if (dropped_figures > 0)
        note += (note.empty() ? "" : "; ") + std::to_string(dropped_figures) +
                " figure(s) not plotted (outside 1e-9 .. 1e9)";
    if (!note.empty()) c.text(a.x0, h - 5, note, 11, " fill=\"#b00020\"");
    legend_content legend{&groups, &slopes};
    legend.any_datasheet = any_datasheet;
    legend.any_ridge = !ridges.empty();
    legend.any_points = points.size() > skipped;
    legend.coloured_points = coloured_points;
    legend.failures = e.failures.size();
    draw_legend(c, x1 + 24, y0 + 10, legend);
    c.raw("</svg>\n");
    return c.str();
}

AACO_PORTABLE_NAMESPACE_END
