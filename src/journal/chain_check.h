// Checks a stored journal's hash chain (docs/journal.md, `verify`): each record's seq follows the
// one before, its bytes decode to its own seq and commit time, and its stored hash is
// chain_hash(previous hash, bytes). It stops at the first record that fails and names its seq.
//
// The journal may hold millions of entries, so the records are fed a page at a time:
//   ChainChecker checker(JournalHead{});  // A journal from seq 1: hash(0) is 32 zero bytes.
//   for (uint64_t after = 0; checker.result().ok();) {
//     absl::StatusOr<std::vector<JournalRecord>> page = store.journal(after, 10'000);
//     if (!page.ok() || page->empty()) break;
//     checker.feed(*page);
//     after = page->back().seq;
//   }
//   if (!checker.result().ok()) std::cout << checker.result().reason << "\n";
//
// Thread-safety: ChainChecker is a value, one thread at a time; check_chain() is pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/types/span.h"
#include "account/journal_entry.h"

namespace account::internal {

struct ChainCheck {
  uint64_t entries_checked = 0;  // Records that passed every check.
  // The last record that passed (seq and hash), or the anchor before any.
  JournalHead last_good;
  // The first record that failed, and why: "seq 8 after seq 6", "the stored hash ... is not the
  // chain's ...", "the bytes do not decode: ..." (decode_entry's DataLoss message), or that the
  // bytes hold another seq or commit time than the record. nullopt while every record passed.
  std::optional<uint64_t> first_bad_seq;
  std::string reason;

  bool ok() const { return !first_bad_seq.has_value(); }
};

class ChainChecker {
 public:
  // Chains on from `anchor`, the hash of the entry before the first record fed. 32 zero bytes is
  // hash(0): the first record must then be seq 1. Any other anchor (after a prune) takes its seq
  // from the first record; the constructor below checks that seq too.
  explicit ChainChecker(const ChainHash& anchor);
  // Chains on from `anchor`: the first record must be seq anchor.seq + 1.
  explicit ChainChecker(const JournalHead& anchor);

  // Checks `records`, which follow those fed before. After the first failure, ignores the rest.
  void feed(absl::Span<const JournalRecord> records);

  const ChainCheck& result() const { return result_; }

 private:
  void check(const JournalRecord& record);

  std::optional<uint64_t> next_seq_;  // nullopt: taken from the first record.
  ChainCheck result_;
};

// The chain from `anchor` (as ChainChecker(anchor)) over `records` in one call.
ChainCheck check_chain(absl::Span<const JournalRecord> records, const ChainHash& anchor);

}  // namespace account::internal
