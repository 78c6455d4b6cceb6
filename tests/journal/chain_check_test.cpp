// The journal's chain check: a valid chain passes fed in any pages; a flipped byte, a changed
// stored hash, a gap, bytes that do not decode or disagree with their record are each named by
// the seq of the first record they break; a pruned journal checks from its anchor.
#include "journal/chain_check.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "journal/entry_codec.h"
#include "replay_history.h"

namespace account::internal {
namespace {

// `count` entries from seq 1, one credit each.
std::vector<JournalRecord> chain(size_t count) {
  std::vector<std::vector<LedgerEvent>> entries;
  for (size_t i = 1; i <= count; ++i) {
    entries.push_back({EntryApplied{.entry = ExternalEntry{.key = "credit:" + std::to_string(i),
                                                           .kind = EntryKind::kAdjustment,
                                                           .account = AccountId{1 + i % 5},
                                                           .cash = Cents{static_cast<int64_t>(i)},
                                                           .time = replay_history::kT0},
                                    .cash_after = Cents{static_cast<int64_t>(i * 3)}}});
  }
  return replay_history::records(entries);
}

ChainCheck fed_in_pages(const std::vector<JournalRecord>& records, ChainChecker checker,
                        size_t page) {
  const absl::Span<const JournalRecord> all(records);
  for (size_t at = 0; at < all.size(); at += page) checker.feed(all.subspan(at, page));
  return checker.result();
}

bool says(const ChainCheck& check, const std::string& what) {
  return check.reason.find(what) != std::string::npos;
}

TEST_CASE("chain check: a valid chain of 1,000 entries passes, fed in pages of 7",
          "[journal][chain]") {
  const std::vector<JournalRecord> records = chain(1'000);
  const ChainCheck check = fed_in_pages(records, ChainChecker(ChainHash{}), 7);
  INFO(check.reason);
  CHECK(check.ok());
  CHECK(check.entries_checked == 1'000);
  CHECK(check.last_good == JournalHead{.seq = 1'000, .hash = records.back().hash});
  CHECK(check_chain(records, ChainHash{}).last_good.seq == 1'000);
  // No records: nothing checked, nothing wrong.
  CHECK(check_chain({}, ChainHash{}).ok());
}

TEST_CASE("chain check: each break is named by the seq of the first record it breaks",
          "[journal][chain]") {
  std::vector<JournalRecord> records = chain(1'000);
  const uint64_t k = 613;
  JournalRecord& record_k = records[k - 1];
  const auto checked = [&]() { return fed_in_pages(records, ChainChecker(ChainHash{}), 7); };

  SECTION("a byte flipped in a record's bytes") {
    for (size_t i : {size_t{0}, record_k.bytes.size() / 2, record_k.bytes.size() - 1}) {
      std::vector<JournalRecord> flipped = records;
      flipped[k - 1].bytes[i] = static_cast<char>(flipped[k - 1].bytes[i] ^ 0x20);
      const ChainCheck check = fed_in_pages(flipped, ChainChecker(ChainHash{}), 7);
      CHECK(check.first_bad_seq == k);
      CHECK(says(check, "seq 613: the stored hash "));
      CHECK(check.entries_checked == k - 1);
      CHECK(check.last_good.seq == k - 1);
    }
  }
  SECTION("a changed stored hash") {
    record_k.hash[5] ^= 1;
    const ChainCheck check = checked();
    CHECK(check.first_bad_seq == k);
    CHECK(says(check, "is not the chain's"));
  }
  SECTION("a gap names the seq after it") {
    records.erase(records.begin() + (k - 1));
    const ChainCheck check = checked();
    CHECK(check.first_bad_seq == k + 1);
    CHECK(check.reason == "seq 614 where seq 613 should follow seq 612");
  }
  SECTION("bytes hashed as stored but not an entry") {
    record_k.bytes = "not an entry";
    record_k.hash = chain_hash(records[k - 2].hash, record_k.bytes);
    const ChainCheck check = checked();
    CHECK(check.first_bad_seq == k);
    CHECK(says(check, "seq 613: the bytes do not decode: journal entry: byte "));
  }
  SECTION("bytes of another seq or commit time than their record's") {
    record_k.bytes = encode_entry(k + 1, record_k.committed_at, {});
    record_k.hash = chain_hash(records[k - 2].hash, record_k.bytes);
    ChainCheck check = checked();
    CHECK(check.first_bad_seq == k);
    CHECK(check.reason == "seq 613: the bytes hold seq 614");
    record_k.bytes = encode_entry(k, record_k.committed_at + absl::Nanoseconds(1), {});
    record_k.hash = chain_hash(records[k - 2].hash, record_k.bytes);
    check = checked();
    CHECK(check.first_bad_seq == k);
    CHECK(says(check, "seq 613: the bytes hold commit time "));
  }
  SECTION("a journal that does not start at seq 1 from hash(0)") {
    const ChainCheck check = check_chain(absl::MakeConstSpan(records).subspan(1), ChainHash{});
    CHECK(check.first_bad_seq == 2);
    CHECK(check.entries_checked == 0);
  }
}

TEST_CASE("chain check: a pruned journal checks from its anchor", "[journal][chain]") {
  const std::vector<JournalRecord> records = chain(1'000);
  const absl::Span<const JournalRecord> kept = absl::MakeConstSpan(records).subspan(500);
  const ChainHash anchor = records[499].hash;  // The hash of seq 500, kept by the prune.

  ChainCheck check = check_chain(kept, anchor);
  CHECK(check.ok());
  CHECK(check.entries_checked == 500);
  CHECK(check.last_good.seq == 1'000);
  check = fed_in_pages({kept.begin(), kept.end()},
                       ChainChecker(JournalHead{.seq = 500, .hash = anchor}), 7);
  CHECK(check.ok());

  SECTION("the wrong anchor breaks the first kept entry") {
    check = check_chain(kept, records[498].hash);
    CHECK(check.first_bad_seq == 501);
    CHECK(says(check, "the stored hash"));
  }
  SECTION("an anchor of another seq") {
    ChainChecker checker(JournalHead{.seq = 499, .hash = anchor});
    checker.feed(kept);
    CHECK(checker.result().first_bad_seq == 501);
    CHECK(checker.result().reason == "seq 501 where seq 500 should follow seq 499");
  }
  SECTION("after the first break, later pages are not checked") {
    ChainChecker checker(anchor);
    checker.feed(kept.subspan(0, 10));
    checker.feed(kept.subspan(11, 10));  // Seq 511 missing.
    checker.feed(kept.subspan(21));
    CHECK(checker.result().first_bad_seq == 512);
    CHECK(checker.result().entries_checked == 10);
  }
}

}  // namespace
}  // namespace account::internal
