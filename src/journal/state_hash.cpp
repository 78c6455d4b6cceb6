#include "journal/state_hash.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/sha256.h"
#include "journal/canonical_writer.h"

namespace account::internal {
namespace {

// A hash of millions of rows encodes them into a buffer of about this size at a time.
constexpr size_t kChunkBytes = 64 * 1024;

// Hands the encoded bytes to `sink` whenever the buffer passes kChunkBytes, and at the end.
class ChunkedWriter {
 public:
  explicit ChunkedWriter(std::function<void(std::string_view)> sink) : sink_(std::move(sink)) {
    buffer_.resize(kChunkBytes + 1024);
    writer_.emplace(buffer_);
  }
  CanonicalWriter& w() { return *writer_; }
  // Called between rows, so that a chunk never splits one (not that the hash would care).
  void row_done() {
    if (writer_->at() >= kChunkBytes) flush();
  }
  void flush() {
    sink_(std::string_view(buffer_.data(), writer_->at()));
    writer_.emplace(buffer_);
  }

 private:
  std::function<void(std::string_view)> sink_;
  std::string buffer_;
  std::optional<CanonicalWriter> writer_;
};

template <typename Row, typename Keep, typename Less>
std::vector<const Row*> sorted_rows(const std::vector<Row>& rows, Keep keep, Less less) {
  std::vector<const Row*> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    if (keep(row)) out.push_back(&row);
  }
  std::sort(out.begin(), out.end(), [&](const Row* a, const Row* b) { return less(*a, *b); });
  return out;
}

template <typename Row, typename Write>
void write_table(ChunkedWriter& out, const std::vector<const Row*>& rows, Write write) {
  out.w().unsigned_int(rows.size());
  for (const Row* row : rows) {
    write(out.w(), *row);
    out.row_done();
  }
}

bool position_has_figures(const Position& p) { return p.has_stored_figures(); }

void write_state(const LedgerSnapshot& state, ChunkedWriter& out) {
  const auto all = [](const auto&) { return true; };
  const auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  const auto by_account_symbol = [](const Position& a, const Position& b) {
    return std::tie(a.account, a.symbol) < std::tie(b.account, b.symbol);
  };
  const auto by_key = [](const ExternalEntry& a, const ExternalEntry& b) { return a.key < b.key; };
  const auto active = [](const Reservation& r) { return r.active(); };

  out.w().byte(kStateFormatVersion);
  write_table(out, sorted_rows(state.accounts, all, by_id),
              [](CanonicalWriter& w, const Account& a) { w.account(a); });
  write_table(out, sorted_rows(state.positions, position_has_figures, by_account_symbol),
              [](CanonicalWriter& w, const Position& p) { w.position(p); });
  write_table(out, sorted_rows(state.reservations, active, by_id),
              [](CanonicalWriter& w, const Reservation& r) { w.reservation(r); });
  write_table(out, sorted_rows(state.entries, all, by_key),
              [](CanonicalWriter& w, const ExternalEntry& e) { w.entry(e); });
  out.flush();
}

}  // namespace

std::string canonical_state_bytes(const LedgerSnapshot& state) {
  std::string bytes;
  ChunkedWriter out([&bytes](std::string_view chunk) { bytes.append(chunk); });
  write_state(state, out);
  return bytes;
}

ChainHash state_hash(const LedgerSnapshot& state) {
  Sha256 hash;
  ChunkedWriter out([&hash](std::string_view chunk) { hash.update(chunk); });
  write_state(state, out);
  return hash.finish();
}

}  // namespace account::internal
