#include "journal/chain_check.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "base/strings.h"
#include "journal/entry_codec.h"

namespace account::internal {
namespace {

std::string hex(const ChainHash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

std::string utc(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

}  // namespace

ChainChecker::ChainChecker(const ChainHash& anchor) {
  result_.last_good.hash = anchor;
  // Only hash(0) says where the chain starts; a pruned journal's anchor does not.
  if (std::all_of(anchor.begin(), anchor.end(), [](uint8_t b) { return b == 0; })) next_seq_ = 1;
}

ChainChecker::ChainChecker(const JournalHead& anchor) : next_seq_(anchor.seq + 1) {
  result_.last_good = anchor;
}

void ChainChecker::feed(absl::Span<const JournalRecord> records) {
  for (const JournalRecord& record : records) {
    if (!result_.ok()) return;
    check(record);
  }
}

void ChainChecker::check(const JournalRecord& record) {
  const auto fail = [&](const auto&... why) {
    result_.first_bad_seq = record.seq;
    result_.reason = cat(why...);
  };
  const uint64_t expected = next_seq_.value_or(std::max<uint64_t>(record.seq, 1));
  if (record.seq != expected) {
    if (result_.entries_checked == 0 && !next_seq_) {
      return fail("seq ", record.seq, " where a journal's seqs start at 1");
    }
    return fail("seq ", record.seq, " where seq ", expected, " should follow seq ", expected - 1);
  }
  const ChainHash hash = chain_hash(result_.last_good.hash, record.bytes);
  if (hash != record.hash) {
    return fail("seq ", record.seq, ": the stored hash ", hex(record.hash), " is not the chain's ",
                hex(hash));
  }
  // A hash over the bytes cannot tell bytes that were hashed wrong from the start.
  const absl::StatusOr<JournalEntry> entry = decode_entry(record.bytes);
  if (!entry.ok()) {
    return fail("seq ", record.seq, ": the bytes do not decode: ", entry.status().message());
  }
  if (entry->seq != record.seq) {
    return fail("seq ", record.seq, ": the bytes hold seq ", entry->seq);
  }
  if (entry->committed_at != record.committed_at) {
    return fail("seq ", record.seq, ": the bytes hold commit time ", utc(entry->committed_at),
                ", the record ", utc(record.committed_at));
  }
  ++result_.entries_checked;
  result_.last_good = JournalHead{.seq = record.seq, .hash = hash};
  next_seq_ = record.seq + 1;
}

ChainCheck check_chain(absl::Span<const JournalRecord> records, const ChainHash& anchor) {
  ChainChecker checker(anchor);
  checker.feed(records);
  return checker.result();
}

}  // namespace account::internal
