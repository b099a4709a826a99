/// \file csv.hpp
/// \brief A small, strict CSV reader (RFC 4180: comma-separated, double-quoted fields with ""
/// for a quote, CRLF or LF line ends) and the matching field writer. Host-only.
///
/// The reader walks a string_view once, row by row, without copying the text, so a 100 MB
/// profile is read in one linear pass. It never guesses: an unterminated quote, or a quote in
/// the middle of an unquoted field, is an aaco::parse_error naming the line.
#pragma once
#include <aaco/config.hpp>
#include <aaco/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

AACO_PORTABLE_NAMESPACE_BEGIN
namespace csv {

/// Reads rows of fields from CSV text.
class reader {
public:
    /// `what` names the input in error messages ("ncu report 'a.csv'").
    explicit reader(std::string_view text, std::string what = "CSV")
        : text_(text), what_(std::move(what)) {
        // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first field.
        if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    }

    /// Reads the next row into `fields` (cleared first). Returns false at the end of the text.
    /// A blank line is returned as a row with one empty field.
    bool next(std::vector<std::string>& fields) {
        fields.clear();
        if (pos_ >= text_.size()) return false;
        ++line_;
        row_line_ = line_;
        std::string field;
        bool quoted_field = false;
        while (true) {
            if (pos_ >= text_.size()) {
                fields.push_back(std::move(field));
                return true;
            }
            const char c = text_[pos_];
            if (c == '"' && field.empty() && !quoted_field) {
                read_quoted(field);
                quoted_field = true;
                continue;
            }
            if (c == ',') {
                fields.push_back(std::move(field));
                field.clear();
                quoted_field = false;
                ++pos_;
                continue;
            }
            if (c == '\n' || c == '\r') {
                pos_ += (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ? 2 : 1;
                fields.push_back(std::move(field));
                return true;
            }
            if (quoted_field)
                fail("text after the closing quote of a field (field " +
                     std::to_string(fields.size() + 1) + ")");
            if (c == '"')
                fail("a quote inside an unquoted field (field " + std::to_string(fields.size() + 1) +
                     "); quote the whole field and double the quote");
            // Copy the run of plain characters at once.
            const std::size_t end = text_.find_first_of(",\r\n\"", pos_);
            const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
            field.append(text_.substr(pos_, stop - pos_));
            pos_ = stop;
        }
    }

    /// The line on which the last row returned by next() started (1-based).
    std::size_t line() const { return row_line_; }

    /// Throws aaco::parse_error "<what>, line N: <why>".
    [[noreturn]] void fail(const std::string& why) const {
        throw parse_error(what_ + ", line " + std::to_string(line_) + ": " + why);
    }

private:
    void read_quoted(std::string& field) {
        ++pos_;  // opening quote
        const std::size_t start_line = line_;
        while (true) {
            const std::size_t q = text_.find('"', pos_);
            if (q == std::string_view::npos) {
                line_ = start_line;
                fail("a quoted field is never closed (the text ends inside it)");
            }
            for (std::size_t i = pos_; i < q; ++i)
                if (text_[i] == '\n') ++line_;
            field.append(text_.substr(pos_, q - pos_));
            pos_ = q + 1;
            if (pos_ < text_.size() && text_[pos_] == '"') {  // "" = one quote
                field += '"';
                ++pos_;
                continue;
            }
            return;
        }
    }

    std::string_view text_;
    std::string what_;
    std::size_t pos_ = 0;
    std::size_t line_ = 0;
    std::size_t row_line_ = 0;
};

/// One field for a CSV row: quoted (with quotes doubled) when it holds a comma, a quote, a line
/// break or leading/trailing spaces; as is otherwise.
inline std::string field(std::string_view s) {
    bool quote = !s.empty() && (s.front() == ' ' || s.back() == ' ');
    for (char c : s)
        if (c == ',' || c == '"' || c == '\n' || c == '\r') quote = true;
    if (!quote) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// A row of fields joined by commas, ending in "\n".
inline std::string row(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += field(fields[i]);
    }
    return out + "\n";
}

} // namespace csv
AACO_PORTABLE_NAMESPACE_END
