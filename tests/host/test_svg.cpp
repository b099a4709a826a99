// SVG roofline: well-formed, labelled, escaped, ranges from the data.
#include <aaco/io/svg.hpp>
#include <aaco/model/profiles.hpp>
#include <aaco/model/roofline.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <locale>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

aaco::envelope h100_like() {
    using namespace aaco;
    envelope e;
    e.device.name = "NVIDIA H100 80GB HBM3";
    e.calibration_timestamp = "2026-02-15T12:00:00Z";
    e.profile_key = "h100-sxm";
    auto add = [&](precision p, compute_unit u, double tflops, double ds) {
        compute_figure f;
        f.prec = p;
        f.unit = u;
        f.tflops = tflops;
        f.datasheet_tflops = ds;
        e.compute.push_back(f);
    };
    add(precision::fp16, compute_unit::matrix, 800, 989.4);
    add(precision::fp16, compute_unit::vector, 100, std::nan(""));  // not the fp16 roof
    add(precision::fp32, compute_unit::vector, 60, 67);
    add(precision::fp8, compute_unit::matrix, 1600, 1978.9);
    memory_figure hbm;
    hbm.level = memory_level::hbm;
    hbm.gbps = 3200;  // fp16 ridge = 800 * 1000 / 3200 = 250 FLOP/byte
    hbm.datasheet_gbps = 3352;
    memory_figure l2 = hbm;
    l2.level = memory_level::l2;
    l2.gbps = 10000;
    l2.datasheet_gbps = std::nan("");
    e.memory = {hbm, l2};
    return e;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t count(const std::string& s, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
    return n;
}

/// A small XML well-formedness check: tags balance and nest, attribute quotes pair up, every
/// '&' starts a known entity, and no raw '<' or '>' sits in text. Returns "" or the problem.
std::string xml_problem(const std::string& doc) {
    std::vector<std::string> stack;
    std::size_t i = 0;
    bool seen_root = false;
    while (i < doc.size()) {
        const char c = doc[i];
        if (c == '&') {
            const std::size_t semi = doc.find(';', i);
            if (semi == std::string::npos) return "unterminated entity";
            const std::string ent = doc.substr(i, semi - i + 1);
            if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" &&
                ent != "&apos;")
                return "unknown entity " + ent;
            i = semi + 1;
            continue;
        }
        if (c == '>') return "raw '>' in text at " + std::to_string(i);
        if (c != '<') {
            ++i;
            continue;
        }
        if (doc.compare(i, 5, "<?xml") == 0) {
            const std::size_t end = doc.find("?>", i);
            if (end == std::string::npos) return "unterminated declaration";
            i = end + 2;
            continue;
        }
        if (doc.compare(i, 4, "<!--") == 0) {
            const std::size_t end = doc.find("-->", i);
            if (end == std::string::npos) return "unterminated comment";
            i = end + 3;
            continue;
        }
        // A tag: find its end outside quotes.
        std::size_t j = i + 1;
        char quote = 0;
        for (; j < doc.size(); ++j) {
            if (quote) {
                if (doc[j] == quote) quote = 0;
                else if (doc[j] == '<') return "'<' inside an attribute value";
            } else if (doc[j] == '"' || doc[j] == '\'') {
                quote = doc[j];
            } else if (doc[j] == '>') {
                break;
            } else if (doc[j] == '<') {
                return "'<' inside a tag at " + std::to_string(j);
            }
        }
        if (j >= doc.size()) return "unterminated tag";
        std::string tag = doc.substr(i + 1, j - i - 1);
        if (tag.empty()) return "empty tag";
        if (tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (stack.empty() || stack.back() != name) return "mismatched </" + name + ">";
            stack.pop_back();
        } else if (tag.back() != '/') {
            const std::string name = tag.substr(0, tag.find_first_of(" \t\n"));
            if (stack.empty() && seen_root) return "second root element";
            seen_root = true;
            stack.push_back(name);
        }
        i = j + 1;
    }
    if (!stack.empty()) return "unclosed <" + stack.back() + ">";
    if (!seen_root) return "no root element";
    return "";
}

/// The text contents of every <text> element, unescaped enough for comparisons.
std::vector<std::string> texts(const std::string& doc) {
    std::vector<std::string> out;
    const std::regex re("<text[^>]*>([^<]*)</text>");
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), re); it != std::sregex_iterator();
         ++it)
        out.push_back((*it)[1].str());
    return out;
}

bool has_text(const std::string& doc, const std::string& t) {
    for (const auto& s : texts(doc))
        if (s == t) return true;
    return false;
}

/// Every coordinate-like attribute value is a finite plain number.
void check_numbers(const std::string& doc) {
    const std::regex re(R"re(\b(x|y|x1|y1|x2|y2|cx|cy|r|width|height)="([^"]*)")re");
    std::size_t n = 0;
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), re); it != std::sregex_iterator();
         ++it, ++n) {
        const std::string v = (*it)[2].str();
        CAPTURE(v);
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        CHECK(*end == '\0');
        CHECK(std::isfinite(d));
    }
    CHECK(n > 10);
}

struct comma_numpunct : std::numpunct<char> {
    char do_decimal_point() const override { return ','; }
};

} // namespace

TEST_SUITE("io.svg") {

TEST_CASE("the checker itself catches broken XML") {
    CHECK(xml_problem("<svg><g></svg>") != "");
    CHECK(xml_problem("<svg><text>a < b</text></svg>") != "");
    CHECK(xml_problem("<svg><text>a & b</text></svg>") != "");
    CHECK(xml_problem("<svg><text x=\"1>2\">a</text></svg>") == "");
    CHECK(xml_problem("<?xml version=\"1.0\"?>\n<svg><line/><text>a &amp; b</text></svg>") == "");
}

TEST_CASE("roofline of an H100-like envelope") {
    const std::vector<aaco::svg_point> pts = {{"gemm", 400, 700, 0.875},
                                              {"softmax", 0.5, 1.2, 0.75},
                                              {"broken", -1, 3, 0.5}};
    const std::string svg = aaco::to_svg(h100_like(), pts);
    CHECK(xml_problem(svg) == "");
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(has(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    check_numbers(svg);
    // Title with device and source.
    CHECK(has_text(svg, "Roofline: NVIDIA H100 80GB HBM3 (measured)"));
    CHECK(has(svg, "profile h100-sxm"));
    // One roof per measured precision (fp16's best unit only), one slope per level.
    CHECK(has_text(svg, "fp16 matrix 800.0 TFLOP/s"));
    CHECK_FALSE(has_text(svg, "fp16 vector 100.0 TFLOP/s"));
    CHECK(has_text(svg, "fp32 vector 60.00 TFLOP/s"));
    CHECK(has_text(svg, "fp8 matrix 1600.0 TFLOP/s"));
    CHECK(has_text(svg, "HBM 3200.0 GB/s"));
    CHECK(has_text(svg, "L2 10000.0 GB/s"));
    // Distinct colours for the three roofs.
    std::set<std::string> colours;
    for (auto p : {aaco::precision::fp16, aaco::precision::fp32, aaco::precision::fp8})
        colours.insert(aaco::svg_detail::precision_color(p));
    CHECK(colours.size() == 3);
    for (const auto& col : colours) CHECK(has(svg, "stroke=\"" + col + "\""));
    // Ridge points with HBM: 250 (fp16), 18.75 (fp32), 500 (fp8); with L2 for the top roof: 160.
    CHECK(has_text(svg, "ridge 250.0 FLOP/B"));
    CHECK(has_text(svg, "ridge 18.75 FLOP/B"));
    CHECK(has_text(svg, "ridge 500.0 FLOP/B"));
    CHECK(has_text(svg, "ridge 160.0 FLOP/B"));
    // Decade ticks cover the data: ridges 18.75..500 and points 0.5..400 -> 0.01 .. 10000.
    CHECK(has_text(svg, "0.01"));
    CHECK(has_text(svg, "10000"));
    CHECK(has_text(svg, "Arithmetic intensity (FLOP/byte)"));
    CHECK(has_text(svg, "Performance (TFLOP/s)"));
    // Points with their HEU; the broken one is reported, not drawn.
    CHECK(has_text(svg, "gemm (HEU 87.5%)"));
    CHECK(has_text(svg, "softmax (HEU 75.0%)"));
    CHECK_FALSE(has(svg, "broken"));
    CHECK(has(svg, "1 point(s) not plotted"));
    // Datasheet roofs come from the figures' own datasheet values: faint and dashed.
    CHECK(has(svg, "stroke-dasharray=\"7 5\" opacity=\"0.4\""));
    CHECK(has_text(svg, "Legend"));
    CHECK(has_text(svg, "datasheet (same colours)"));
}

TEST_CASE("datasheet envelope option, and no datasheet at all") {
    aaco::envelope measured = h100_like();
    aaco::svg_options off;
    off.datasheet_from_figures = false;
    const std::string plain = aaco::to_svg(measured, {}, off);
    CHECK(xml_problem(plain) == "");
    CHECK_FALSE(has(plain, "stroke-dasharray"));

    aaco::envelope ds = measured;
    ds.source = aaco::envelope_source::datasheet;
    ds.compute[0].tflops = 989.4;
    ds.memory[0].gbps = 3352;
    aaco::svg_options with;
    with.datasheet = &ds;
    const std::string svg = aaco::to_svg(measured, {}, with);
    CHECK(xml_problem(svg) == "");
    // Faint copies: one per roof with a datasheet value plus one per slope.
    CHECK(count(svg, "stroke-dasharray=\"7 5\" opacity=\"0.4\"") >= 5);
}

TEST_CASE("names are escaped everywhere") {
    aaco::envelope e = h100_like();
    e.device.name = "<GPU & \"quoted\" 'x'>\x01";
    e.profile_key = "a<b";
    const std::string svg = aaco::to_svg(e, {{"k<1>&", 100, 100, 0.5}});
    CHECK(xml_problem(svg) == "");
    CHECK(has(svg, "&lt;GPU &amp; &quot;quoted&quot; &apos;x&apos;&gt;"));
    CHECK_FALSE(has(svg, "<GPU"));
    CHECK_FALSE(has(svg, "\x01"));
    CHECK(has(svg, "profile a&lt;b"));
    CHECK(has(svg, "k&lt;1&gt;&amp; (HEU 50.0%)"));
    aaco::svg_options o;
    o.title = "My <title>";
    const std::string titled = aaco::to_svg(e, {}, o);
    CHECK(has(titled, "<title>My &lt;title&gt;</title>"));
    CHECK(xml_problem(titled) == "");
}

TEST_CASE("invalid UTF-8 is replaced, valid UTF-8 kept") {
    aaco::envelope e = h100_like();
    e.device.name = "caf\xC3\xA9 \xFF bad \xE2\x82 cut \xED\xA0\x80 surrogate";
    const std::string svg = aaco::to_svg(e);
    CHECK(has(svg, "caf\xC3\xA9"));
    CHECK_FALSE(has(svg, "\xFF"));
    CHECK_FALSE(has(svg, "\xED\xA0\x80"));
    CHECK(count(svg, "\xEF\xBF\xBD") >= 3);
    CHECK(xml_problem(svg) == "");
}

TEST_CASE("sparse envelopes: slopes only, roofs only, nothing") {
    aaco::envelope slopes_only = h100_like();
    slopes_only.compute.clear();
    std::string svg = aaco::to_svg(slopes_only);
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    CHECK(has_text(svg, "HBM 3200.0 GB/s"));
    CHECK_FALSE(has(svg, "ridge "));

    aaco::envelope roofs_only = h100_like();
    roofs_only.memory.clear();
    svg = aaco::to_svg(roofs_only);
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    CHECK(has_text(svg, "fp16 matrix 800.0 TFLOP/s"));
    CHECK_FALSE(has(svg, "ridge "));

    svg = aaco::to_svg(aaco::envelope{});
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    CHECK(has_text(svg, "no compute or memory figure to plot"));
    CHECK(has_text(svg, "Roofline: unknown device (measured)"));
}

TEST_CASE("extreme and non-finite values never produce NaN coordinates") {
    aaco::envelope e = h100_like();
    e.compute[0].tflops = 1e-300;
    e.compute[2].tflops = std::numeric_limits<double>::quiet_NaN();
    e.compute[3].tflops = 1e300;
    e.memory[1].gbps = -5;
    const std::string svg = aaco::to_svg(
        e, {{"inf", std::numeric_limits<double>::infinity(), 1, 0.1}, {"tiny", 1e-200, 1e-200, 2}},
        aaco::svg_options{nullptr, true, 10, 10, ""});
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    CHECK(has(svg, "width=\"480\" height=\"320\""));  // clamped to the minimum size
}

TEST_CASE("coordinates ignore the global locale") {
    const std::locale previous =
        std::locale::global(std::locale(std::locale::classic(), new comma_numpunct));
    const std::string svg = aaco::to_svg(h100_like(), {{"gemm", 400, 700, 0.875}});
    std::locale::global(previous);
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    CHECK(has_text(svg, "gemm (HEU 87.5%)"));
}

// ---- issue 10, item 12: the plot reads well in every case ----

namespace {

/// A kernel point measured against the roof of `p` of `e`, as aaco-calibrate makes it.
aaco::svg_point kernel(const aaco::envelope& e, const std::string& label, double tflops,
                       double ai, aaco::precision p) {
    aaco::svg_point pt{label, ai, tflops, aaco::heu(e, tflops, ai, p).value};
    pt.prec = p;
    return pt;
}

/// Every <line> with this stroke colour, as its raw element text.
std::vector<std::string> lines_in(const std::string& svg, const std::string& colour) {
    std::vector<std::string> out;
    const std::regex re("<line [^>]*stroke=\"" + colour + "\"[^>]*/>");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it)
        out.push_back(it->str());
    return out;
}

/// The labels placed by the layout (they carry a white halo and are not rotated): each one's
/// estimated box (0.6 em per glyph, as the layout estimates it) must lie left of `right`.
void check_labels_left_of(const std::string& svg, double right) {
    const std::regex re(R"re(<text x="([-0-9.]+)" y="[-0-9.]+" font-size="([0-9]+)"([^>]*)>(.*?)</text>)re");
    std::size_t n = 0;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) {
        const std::string attrs = (*it)[3].str();
        if (attrs.find("paint-order") == std::string::npos || attrs.find("rotate(") != std::string::npos)
            continue;
        const double x = std::stod((*it)[1].str());
        const double size = std::stod((*it)[2].str());
        const std::string body = std::regex_replace((*it)[4].str(), std::regex("<[^>]*>"), "");
        std::size_t glyphs = 0;
        for (char ch : body) glyphs += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
        const bool end_anchor = attrs.find("text-anchor=\"end\"") != std::string::npos;
        const double far = end_anchor ? x : x + 0.6 * size * static_cast<double>(glyphs);
        CAPTURE(body);
        CHECK(far <= right);
        ++n;
    }
    CHECK(n > 5);
}

} // namespace

TEST_CASE("equal roofs are all visible, labelled once, with one ridge") {
    const aaco::envelope mi300 = aaco::datasheet_envelope("mi300x");  // fp16 = bf16 = 1307.4
    const std::string svg = aaco::to_svg(mi300);
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    using aaco::precision;
    using aaco::svg_detail::precision_color;
    // Both colours are drawn on the shared line, each dashed and offset from the other.
    const auto fp16 = lines_in(svg, precision_color(precision::fp16));
    const auto bf16 = lines_in(svg, precision_color(precision::bf16));
    REQUIRE_FALSE(fp16.empty());
    REQUIRE_FALSE(bf16.empty());
    CHECK(has(fp16.front(), "stroke-dasharray=\"12 12\" stroke-dashoffset=\"24\""));
    CHECK(has(bf16.front(), "stroke-dasharray=\"12 12\" stroke-dashoffset=\"12\""));
    // One label names both, each in its colour; no label for either alone.
    CHECK(has(svg, "<tspan fill=\"" + std::string(precision_color(precision::fp16)) + "\">fp16</tspan>"));
    CHECK(has(svg, "<tspan fill=\"" + std::string(precision_color(precision::bf16)) + "\">bf16</tspan>"));
    CHECK(has(svg, "> matrix</tspan><tspan fill=\"#444444\"> 1307.4 TFLOP/s</tspan>"));
    CHECK_FALSE(has_text(svg, "fp16 matrix 1307.4 TFLOP/s"));
    CHECK_FALSE(has_text(svg, "bf16 matrix 1307.4 TFLOP/s"));
    // fp64 matrix = fp32 (163.4): one ridge label for them; fp16 = bf16: one; fp8 = int8: one.
    CHECK(count(svg, "ridge 30.69 FLOP/B") == 1);
    CHECK(count(svg, "ridge 245.5 FLOP/B") == 1);
    CHECK(count(svg, "ridge 491.1 ") == 1);
    // fp8 and int8 share a line too; the label says which unit is whose.
    CHECK(has(svg, "2614.9 TFLOP/s (int8: TOP/s)"));
}

TEST_CASE("a datasheet-only plot has no faint datasheet copies and no such legend entry") {
    const std::string svg = aaco::to_svg(aaco::datasheet_envelope("h100-sxm"));
    CHECK(xml_problem(svg) == "");
    CHECK_FALSE(has(svg, "datasheet (same colours)"));
    CHECK_FALSE(has(svg, "opacity=\"0.4\""));
    // A measured envelope keeps them.
    CHECK(has(aaco::to_svg(h100_like()), "datasheet (same colours)"));
}

TEST_CASE("labels stay inside the plot area, never over the legend") {
    const aaco::envelope mi300 = aaco::datasheet_envelope("mi300x");
    // A point near the right edge whose label has no free slot: before, it ran into the legend.
    const std::string svg = aaco::to_svg(
        mi300, {kernel(mi300, "800@150:fp16", 800, 150, aaco::precision::fp16),
                kernel(mi300, "2000@1000:fp64", 2000, 1000, aaco::precision::fp64),
                kernel(mi300, "50@2:fp32", 50, 2, aaco::precision::fp32),
                kernel(mi300, "a-long-kernel-name@9000", 100, 9000, aaco::precision::fp32)});
    CHECK(xml_problem(svg) == "");
    check_labels_left_of(svg, 1000 - 270);  // x1 of a 1000 px wide plot; the legend is right of it

    // A crowd of kernels at the right edge: most labels find no free slot and must still stay
    // inside the plot rather than take their first (right-hand) slot over the legend.
    std::vector<aaco::svg_point> crowd;
    for (int i = 0; i < 12; ++i)
        crowd.push_back(kernel(mi300, "kernel-number-" + std::to_string(i), 20.0 + 2.0 * i, 9000,
                               aaco::precision::fp32));
    const std::string crowded = aaco::to_svg(mi300, crowd);
    CHECK(xml_problem(crowded) == "");
    check_labels_left_of(crowded, 1000 - 270);
}

TEST_CASE("each kernel is drawn in the colour of the roof it is measured against") {
    const aaco::envelope mi300 = aaco::datasheet_envelope("mi300x");
    const std::string svg = aaco::to_svg(
        mi300, {kernel(mi300, "a", 2000, 1000, aaco::precision::fp64),
                kernel(mi300, "b", 50, 2, aaco::precision::fp32), {"plain", 10, 10, 0.1}});
    using aaco::svg_detail::precision_color;
    CHECK(has(svg, "r=\"5.0\" fill=\"" + std::string(precision_color(aaco::precision::fp64)) + "\""));
    CHECK(has(svg, "r=\"5.0\" fill=\"" + std::string(precision_color(aaco::precision::fp32)) + "\""));
    CHECK(has(svg, "r=\"5.0\" fill=\"#000000\""));  // a point without a precision stays black
    CHECK(has_text(svg, "kernel, HEU % (roof colour)"));
}

TEST_CASE("absurd inputs never give inf coordinates or hundreds of digits") {
    const aaco::envelope mi300 = aaco::datasheet_envelope("mi300x");
    aaco::envelope weird = mi300;
    weird.compute[0].tflops = 1e300;  // fp64 matrix: not plottable, counted in the note
    const std::string svg = aaco::to_svg(
        weird, {kernel(mi300, "1e308@1e308", 1e308, 1e308, aaco::precision::fp16),
                {"inf", std::numeric_limits<double>::infinity(), 1, 0.5},
                {"huge-heu", 10, 10, 1e300}});
    CHECK(xml_problem(svg) == "");
    check_numbers(svg);
    CHECK_FALSE(has(svg, "inf\""));
    CHECK_FALSE(std::regex_search(svg, std::regex("[0-9]{20}")));
    CHECK(has(svg, "2 point(s) not plotted"));
    CHECK(has(svg, "1 figure(s) not plotted (outside 1e-9 .. 1e9)"));
    // HEU in one format everywhere: one decimal, scientific from a million percent.
    CHECK(has_text(svg, "huge-heu (HEU 1.0e+302%)"));
    CHECK(aaco::svg_detail::heu_text({"k", 1, 1, 0.8754}) == "k (HEU 87.5%)");
}

TEST_CASE("integer roofs are in TOP/s") {
    aaco::envelope e;
    e.source = aaco::envelope_source::datasheet;
    aaco::compute_figure f;
    f.prec = aaco::precision::int8;
    f.unit = aaco::compute_unit::matrix;
    f.tflops = 100;
    e.compute = {f};
    aaco::memory_figure m;
    m.gbps = 1000;
    e.memory = {m};
    const std::string svg = aaco::to_svg(e);
    CHECK(has_text(svg, "int8 matrix 100.0 TOP/s"));
    CHECK(has_text(svg, "ridge 100.0 OP/B"));
    CHECK(has_text(svg, "Performance (TFLOP/s; TOP/s for int8)"));
    CHECK_FALSE(has(svg, "100.0 TFLOP/s"));
}

} // TEST_SUITE
