#include "text_table.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "fmt/format.h"

namespace account::cli {

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(size_t indent) const {
  std::vector<size_t> width(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    width[c] = columns_[c].title.size();
    for (const auto& row : rows_) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text(indent, ' ');
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) text += "  ";
      const size_t pad = width[c] - cells[c].size();
      if (columns_[c].align == Align::kRight) text.append(pad, ' ');
      text += cells[c];
      if (columns_[c].align == Align::kLeft) text.append(pad, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text;
    out += '\n';
  };
  std::vector<std::string> titles;
  std::vector<std::string> rules;
  for (size_t c = 0; c < columns_.size(); ++c) {
    titles.push_back(columns_[c].title);
    rules.push_back(std::string(width[c], '-'));
  }
  line(titles);
  line(rules);
  for (const auto& row : rows_) line(row);
  return out;
}

std::string format_dollars(Cents cents) {
  const int64_t v = cents.value();
  // Magnitude in unsigned arithmetic: INT64_MIN has no positive int64.
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string whole = std::to_string(magnitude / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(i, ",");
  return fmt::format("{}${}.{:02}", v < 0 ? "-" : "", whole, magnitude % 100);
}

std::string format_shares(Qty qty) {
  const int64_t v = qty.value();
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return fmt::format("{}{}.{:04}", v < 0 ? "-" : "", magnitude / kBpPerShare, magnitude % kBpPerShare);
}

std::string format_price(Price price) { return format_dollars(Cents{price.cents_per_share()}); }

std::string format_time(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", time, absl::UTCTimeZone());
}

}  // namespace account::cli
