// A journal checkpoint's canonical bytes (journal/checkpoint_codec.h): the rows round-trip
// exactly, each set of rows has one encoding (rows out of key order are refused), and a
// checkpoint whose digest or head does not match its bytes is refused naming which.
#include <catch2/catch.hpp>

#include <string>

#include "journal/checkpoint_codec.h"
#include "journal/journal_replay.h"
#include "replay_history.h"

namespace account::internal {
namespace {

LedgerSnapshot history_rows() {
  JournalReplay replay;
  for (const JournalRecord& r : replay_history::records(replay_history::history())) {
    REQUIRE(replay.apply(r).ok());
  }
  LedgerSnapshot rows = replay.rows();
  rows.trades.clear();
  return rows;
}

JournalCheckpoint checkpoint_of(const LedgerSnapshot& rows) {
  JournalCheckpoint c{.seq = rows.journal_head.seq, .hash = rows.journal_head.hash,
                      .state = encode_checkpoint_state(rows)};
  c.digest = checkpoint_digest(c.hash, c.state);
  return c;
}

TEST_CASE("a checkpoint's rows round-trip, and replay from it equals replay from the start",
          "[journal][retention]") {
  const LedgerSnapshot rows = history_rows();
  REQUIRE(!rows.accounts.empty());
  REQUIRE(!rows.executions.empty());
  REQUIRE(!rows.reservations.empty());
  const std::string bytes = encode_checkpoint_state(rows);
  CHECK(decode_checkpoint_state(bytes).value() == rows);
  CHECK(encode_checkpoint_state(decode_checkpoint_state(bytes).value()) == bytes);
  const LedgerSnapshot opened = open_checkpoint(checkpoint_of(rows)).value();
  CHECK(opened == rows);
  const JournalReplay from = JournalReplay::from_checkpoint(opened).value();
  LedgerSnapshot again = from.rows();
  CHECK(again == rows);
}

TEST_CASE("checkpoint bytes that encode could not have written are refused", "[journal][retention]") {
  const LedgerSnapshot rows = history_rows();
  const std::string bytes = encode_checkpoint_state(rows);
  const auto refused = [](const std::string& b, const char* why) {
    absl::StatusOr<LedgerSnapshot> got = decode_checkpoint_state(b);
    REQUIRE(got.status().code() == absl::StatusCode::kDataLoss);
    CAPTURE(got.status().message());
    CHECK(got.status().message().find("journal checkpoint: byte ") == 0);
    CHECK(std::string(got.status().message()).find(why) != std::string::npos);
  };
  refused(bytes.substr(0, bytes.size() - 1), "end");
  refused(bytes + '\0', "bytes after the last table");
  std::string other_version = bytes;
  other_version[0] = 2;
  refused(other_version, "format version 2");
  // Two accounts swapped: the same rows, out of key order.
  LedgerSnapshot swapped = rows;
  REQUIRE(swapped.accounts.size() >= 2);
  std::swap(swapped.accounts[0], swapped.accounts[1]);
  refused(encode_checkpoint_state(swapped), "not after the row before it");
}

TEST_CASE("a checkpoint whose digest or head does not match its bytes is refused",
          "[journal][retention]") {
  const LedgerSnapshot rows = history_rows();
  JournalCheckpoint changed = checkpoint_of(rows);
  changed.state[changed.state.size() / 2] ^= 1;
  absl::StatusOr<LedgerSnapshot> got = open_checkpoint(changed);
  CHECK(got.status().code() == absl::StatusCode::kDataLoss);
  CHECK(got.status().message().find("digest") != std::string_view::npos);
  JournalCheckpoint other_seq = checkpoint_of(rows);
  other_seq.seq += 1;
  got = open_checkpoint(other_seq);
  CHECK(got.status().code() == absl::StatusCode::kDataLoss);
  CHECK(got.status().message().find("its state is of seq") != std::string_view::npos);
}

}  // namespace
}  // namespace account::internal
