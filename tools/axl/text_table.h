// Text tables for the summaries `axl` prints (run reports, campaigns).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace axl::tools {

// A text table: columns as wide as their widest cell, numbers right-aligned so
// their digits line up.
class Table {
public:
    enum class Align { left, right };
    struct Column {
        const char* heading;
        Align align;
    };

    explicit Table(std::vector<Column> columns) : m_columns(std::move(columns)) {}

    // The usual layout: columns of words, left-aligned, then columns of numbers.
    static Table words_then_numbers(std::initializer_list<const char*> words,
                                    std::initializer_list<const char*> numbers) {
        std::vector<Column> columns;
        for (const char* heading : words) columns.push_back({heading, Align::left});
        for (const char* heading : numbers) columns.push_back({heading, Align::right});
        return Table(std::move(columns));
    }

    void add_row(std::vector<std::string> cells) { m_rows.push_back(std::move(cells)); }

    // Lines of text after a row, outside the columns (a fault description).
    void add_note(std::string note) { m_notes_after[m_rows.size() - 1].push_back(std::move(note)); }

    // Every line after `indent` (a table inside a section of its own).
    void render(fmt::memory_buffer& out, std::string_view indent = {}) const {
        std::vector<size_t> widths;
        for (const Column& column : m_columns) widths.push_back(std::string_view(column.heading).size());
        for (const auto& row : m_rows)
            for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());

        std::vector<std::string> headings;
        for (const Column& column : m_columns) headings.emplace_back(column.heading);
        render_row(out, indent, headings, widths);
        for (size_t r = 0; r < m_rows.size(); ++r) {
            render_row(out, indent, m_rows[r], widths);
            if (auto notes = m_notes_after.find(r); notes != m_notes_after.end())
                for (const std::string& note : notes->second)
                    fmt::format_to(std::back_inserter(out), "{}    {}\n", indent, note);
        }
    }

private:
    void render_row(fmt::memory_buffer& out, std::string_view indent, const std::vector<std::string>& cells,
                    const std::vector<size_t>& widths) const {
        std::string line(indent);
        for (size_t c = 0; c < cells.size(); ++c) {
            if (c != 0) line += "  ";
            bool last = c + 1 == cells.size();
            if (m_columns[c].align == Align::right)
                line += fmt::format("{:>{}}", cells[c], widths[c]);
            else
                line += last ? cells[c] : fmt::format("{:<{}}", cells[c], widths[c]);  // no trailing blanks
        }
        fmt::format_to(std::back_inserter(out), "{}\n", line);
    }

    std::vector<Column> m_columns;
    std::vector<std::vector<std::string>> m_rows;
    std::map<size_t, std::vector<std::string>> m_notes_after;
};

}  // namespace axl::tools
