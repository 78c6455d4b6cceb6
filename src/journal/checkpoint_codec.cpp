#include "journal/checkpoint_codec.h"

#include <string>
#include <vector>

#include "base/sha256.h"
#include "base/strings.h"
#include "journal/canonical_reader.h"
#include "journal/canonical_writer.h"

namespace account::internal {
namespace {

constexpr const char* kWhat = "journal checkpoint";

// Reads a count, then that many rows with `read`, refusing rows not in strictly ascending key
// order: one set of rows has one encoding.
template <typename Row, typename Read, typename Key>
std::vector<Row> read_table(CanonicalReader& r, const char* what, Read read, Key key) {
  std::vector<Row> rows;
  const uint64_t count = r.unsigned_int(what);
  // Each row takes at least one byte a field: no more rows than bytes left.
  if (r.ok() && count > r.bytes_left()) {
    r.fail(cat(what, ": ", count, " rows, more than the bytes left can hold"));
    return rows;
  }
  rows.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; r.ok() && i < count; ++i) {
    const size_t at = r.offset();
    Row row = read(r);
    if (r.ok() && !rows.empty() && !(key(rows.back()) < key(row))) {
      r.rewind(at);
      r.fail(cat(what, ": row ", i, " is not after the row before it in key order"));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string encode_checkpoint_state(const LedgerSnapshot& rows) {
  std::string out;
  CanonicalWriter w(out);
  w.byte(kCheckpointFormatVersion);
  w.unsigned_int(rows.journal_head.seq);
  w.text(std::string_view(reinterpret_cast<const char*>(rows.journal_head.hash.data()),
                          rows.journal_head.hash.size()));
  w.unsigned_int(rows.reservation_id_high_water);
  w.unsigned_int(rows.accounts.size());
  for (const Account& a : rows.accounts) w.account(a);
  w.unsigned_int(rows.positions.size());
  for (const Position& p : rows.positions) w.position(p);
  w.unsigned_int(rows.reservations.size());
  for (const Reservation& r : rows.reservations) w.reservation(r);
  w.unsigned_int(rows.executions.size());
  for (const Fill& f : rows.executions) w.fill(f);
  w.unsigned_int(rows.entries.size());
  for (const ExternalEntry& e : rows.entries) w.entry(e);
  w.finish();
  return out;
}

absl::StatusOr<LedgerSnapshot> decode_checkpoint_state(std::string_view bytes) {
  CanonicalReader r(bytes, kWhat);
  if (!r.format_version(kCheckpointFormatVersion)) return r.status();
  LedgerSnapshot rows;
  rows.journal_head.seq = r.unsigned_int("the checkpoint's seq");
  const std::string hash = r.text("the checkpoint's hash");
  if (r.ok() && hash.size() != rows.journal_head.hash.size()) {
    r.fail(cat("the checkpoint's hash: ", hash.size(), " bytes, not 32"));
  }
  if (r.ok()) std::copy(hash.begin(), hash.end(), rows.journal_head.hash.begin());
  rows.reservation_id_high_water = r.unsigned_int("the reservation id high-water mark");
  rows.accounts = read_table<Account>(
      r, "accounts", [](CanonicalReader& in) { return in.account(); },
      [](const Account& a) { return a.id; });
  rows.positions = read_table<Position>(
      r, "positions", [](CanonicalReader& in) { return in.position(); },
      [](const Position& p) { return std::pair(p.account, p.symbol); });
  rows.reservations = read_table<Reservation>(
      r, "reservations", [](CanonicalReader& in) { return in.reservation(); },
      [](const Reservation& v) { return v.id; });
  rows.executions = read_table<Fill>(
      r, "executions", [](CanonicalReader& in) { return in.fill(); },
      [](const Fill& f) { return f.execution; });
  rows.entries = read_table<ExternalEntry>(
      r, "entries", [](CanonicalReader& in) { return in.entry(); },
      [](const ExternalEntry& e) { return std::string_view(e.key); });
  if (r.ok() && !r.at_end()) r.fail(cat(r.bytes_left(), " bytes after the last table"));
  if (!r.ok()) return r.status();
  return rows;
}

ChainHash checkpoint_digest(const ChainHash& hash, std::string_view state) {
  Sha256 h;
  h.update(hash);
  h.update(state);
  return h.finish();
}

absl::StatusOr<LedgerSnapshot> open_checkpoint(const JournalCheckpoint& checkpoint) {
  if (checkpoint_digest(checkpoint.hash, checkpoint.state) != checkpoint.digest) {
    return absl::DataLossError(cat("the journal checkpoint at seq ", checkpoint.seq,
                                   ": its digest is not SHA-256 of its hash and state (the "
                                   "stored checkpoint was changed)"));
  }
  absl::StatusOr<LedgerSnapshot> rows = decode_checkpoint_state(checkpoint.state);
  if (!rows.ok()) return rows.status();
  if (rows->journal_head.seq != checkpoint.seq || rows->journal_head.hash != checkpoint.hash) {
    return absl::DataLossError(cat("the journal checkpoint at seq ", checkpoint.seq,
                                   ": its state is of seq ", rows->journal_head.seq,
                                   rows->journal_head.seq == checkpoint.seq ? " with another hash"
                                                                            : ""));
  }
  return rows;
}

}  // namespace account::internal
