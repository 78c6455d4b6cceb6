// Private to the accountctl tool: aligned text tables and the number formats
// operators read (dollars with thousands separators, shares with four
// decimals, UTC times).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "account/units.h"

namespace account::cli {

class TextTable {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };

  explicit TextTable(std::vector<Column> columns);
  // A row with exactly one cell per column.
  void add_row(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // Title row, a rule, then the rows; each line indented by `indent` spaces
  // and without trailing blanks.
  std::string render(size_t indent = 2) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

std::string format_dollars(Cents cents);     // "$1,234.56", "-$0.05"
std::string format_shares(Qty qty);          // 1429 bp -> "0.1429"
std::string format_price(Price price);       // 35000 -> "$350.00"
std::string format_time(absl::Time time);    // "2026-11-24 23:19:02 UTC"

}  // namespace account::cli
