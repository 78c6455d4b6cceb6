// The journal's replay: a hand-built history rebuilds exactly the rows a store keeps, field by
// field, with the seq that last wrote each; and an entry that cannot follow what came before is
// refused with its seq, the event's index and why.
#include "journal/journal_replay.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "journal/entry_codec.h"
#include "replay_history.h"

namespace account::internal {
namespace {

using namespace replay_history;

JournalReplay replayed(const std::vector<JournalRecord>& records) {
  JournalReplay replay;
  for (const JournalRecord& r : records) {
    const absl::Status s = replay.apply(r);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  return replay;
}

Trade trade(const Fill& f, Side side, int64_t notional_cents, int64_t realized_cents) {
  const FillParty& party = side == Side::kBuy ? f.buyer : f.seller;
  return Trade{.execution = f.execution,
               .account = party.account,
               .order = party.order,
               .symbol = f.symbol,
               .side = side,
               .qty = f.qty,
               .price = f.price,
               .notional = Cents{notional_cents},
               .realized_pnl = Cents{realized_cents},
               .tick = f.tick,
               .time = f.time};
}

TEST_CASE("journal replay: a hand-built history gives exactly the rows a store keeps",
          "[journal][replay]") {
  const std::vector<JournalRecord> records = replay_history::records(history());
  const JournalReplay replay = replayed(records);
  const LedgerSnapshot rows = replay.rows();

  SECTION("accounts: created rows, cash from the last cash after, the last link") {
    Account alice = account_row(kAlice, "google-alice", "Alice");
    alice.cash = Cents{714'00};
    alice.sleeper = alice_link();
    Account maker = account_row(kMaker, "google-maker", "Maker");
    maker.cash = Cents{286'00};
    CHECK(rows.accounts == std::vector<Account>{alice, maker});
    CHECK(replay.account_seq(kAlice) == 8);  // The link.
    CHECK(replay.account_seq(kMaker) == 6);  // The second fill's cash.
    CHECK(replay.account_seq(AccountId{3}) == 0);
  }
  SECTION("positions: the last image of each (account, symbol)") {
    CHECK(rows.positions == std::vector<Position>{position(kAlice, 30'000, 286'00, 0),
                                                  position(kMaker, 970'000, 0, 286'00)});
    CHECK(replay.position_seq(kAlice, kSymbol) == 6);
    CHECK(replay.position_seq(kMaker, kSymbol) == 6);
    CHECK(replay.position_seq(kAlice, SymbolId{4}) == 0);
  }
  SECTION("reservations: the row after each one's last change") {
    CHECK(rows.reservations ==
          std::vector<Reservation>{after(alice_buy(), kT0 + absl::Hours(24), Qty{20'000},
                                         Cents{200'00}, ReservationStatus::kExpired),
                                   after(maker_sell(), kT0 + absl::Seconds(6), Qty{0}, Cents{0},
                                         ReservationStatus::kSettled)});
    CHECK(replay.reservation_seq(ReservationId{1}) == 7);
    CHECK(replay.reservation_seq(ReservationId{2}) == 6);
    CHECK(rows.reservation_id_high_water == 2);
    CHECK(replay.reservation_id_high_water_seq() == 4);
  }
  SECTION("executions and two trades per fill, the seller's with its leg's realized P&L") {
    const Fill first = fill(101, Qty{20'000}, Price{95'00}, kT0 + absl::Seconds(5));
    const Fill second = fill(102, Qty{10'000}, Price{96'00}, kT0 + absl::Seconds(6));
    CHECK(rows.executions == std::vector<Fill>{first, second});
    CHECK(rows.trades == std::vector<Trade>{trade(first, Side::kBuy, 190'00, 0),
                                            trade(first, Side::kSell, 190'00, 190'00),
                                            trade(second, Side::kBuy, 96'00, 0),
                                            trade(second, Side::kSell, 96'00, 96'00)});
    CHECK(replay.execution_seq(ExecutionId{101}) == 5);
    CHECK(replay.trade_seq(ExecutionId{102}, Side::kSell) == 6);
    CHECK(replay.trade_seq(ExecutionId{103}, Side::kSell) == 0);
  }
  SECTION("entries by key, and the head") {
    CHECK(rows.entries == std::vector<ExternalEntry>{credit(), issue()});
    CHECK(replay.entry_seq("fantasy:1:2026:w1") == 2);
    CHECK(replay.entry_seq("issue:maker:3") == 3);
    CHECK(replay.entry_seq("nope") == 0);
    CHECK(rows.journal_head == JournalHead{.seq = 8, .hash = records.back().hash});
    CHECK(replay.head() == rows.journal_head);
  }
}

TEST_CASE("journal replay: derived figures in events are not taken into the rows",
          "[journal][replay]") {
  Account created = account_row(kAlice, "g", "");
  created.reserved_cash = Cents{5};
  created.open_notional = Cents{6};
  Position after_issue = position(kAlice, 10'000, 0, 0);
  after_issue.sell_reserved_qty = Qty{7};
  after_issue.buy_pending_qty = Qty{8};
  JournalReplay replay;
  REQUIRE(replay
              .apply(JournalEntry{
                  .seq = 1,
                  .committed_at = kT0,
                  .events = {AccountCreated{created},
                             EntryApplied{.entry = ExternalEntry{.key = "i",
                                                                 .kind = EntryKind::kShareIssue,
                                                                 .account = kAlice,
                                                                 .symbol = kSymbol,
                                                                 .qty = Qty{10'000}},
                                          .position_after = after_issue}}})
              .ok());
  const LedgerSnapshot rows = replay.rows();
  CHECK(rows.accounts.at(0) == account_row(kAlice, "g", ""));
  CHECK(rows.positions.at(0) == position(kAlice, 10'000, 0, 0));
}

TEST_CASE("journal replay: from a checkpoint it continues after the checkpoint's seq",
          "[journal][replay]") {
  const std::vector<JournalRecord> records = replay_history::records(history());
  LedgerSnapshot checkpoint = replayed({records.begin(), records.begin() + 4}).rows();
  REQUIRE(checkpoint.journal_head.seq == 4);
  absl::StatusOr<JournalReplay> replay = JournalReplay::from_checkpoint(checkpoint);
  REQUIRE(replay.ok());
  CHECK(replay->account_seq(kAlice) == 4);  // Which earlier seq wrote it is not known.
  CHECK(replay->apply(records[5]).code() == absl::StatusCode::kDataLoss);  // Seq 6 after 4.
  for (size_t i = 4; i < records.size(); ++i) REQUIRE(replay->apply(records[i]).ok());
  CHECK(replay->rows() == replayed(records).rows());

  SECTION("refused when account ids do not run 1..N or a key appears twice") {
    LedgerSnapshot gap = checkpoint;
    gap.accounts.erase(gap.accounts.begin());
    CHECK(JournalReplay::from_checkpoint(gap).status().code() == absl::StatusCode::kDataLoss);
    LedgerSnapshot twice = checkpoint;
    twice.reservations.push_back(twice.reservations.front());
    const absl::Status s = JournalReplay::from_checkpoint(twice).status();
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(s.message()).find("two rows of reservation 1") != std::string::npos);
  }
}

// Each refusal, one row per reason: after the history's first five entries, an entry of seq 6
// whose event 0 is fine and event 1 is not.
TEST_CASE("journal replay: an event that cannot follow what came before is refused",
          "[journal][replay]") {
  const std::vector<JournalRecord> records = replay_history::records(history());
  const LedgerEvent fine = SleeperLinkChanged{.account = kMaker, .link = std::nullopt};
  Reservation unknown = alice_buy();
  unknown.id = ReservationId{9};
  FillApplied again = std::get<FillApplied>(history()[4][0]);
  FillApplied wrong_symbol = std::get<FillApplied>(history()[5][0]);
  wrong_symbol.seller.position_after.symbol = SymbolId{4};
  struct Row {
    const char* reason;
    LedgerEvent event;
    const char* says;
  };
  const std::vector<Row> rows = {
      {"an account never created",
       SleeperLinkChanged{.account = AccountId{3}, .link = alice_link()},
       "SleeperLinkChanged of account 3, never created"},
      {"an entry for an account never created",
       EntryApplied{.entry = ExternalEntry{.key = "x", .account = AccountId{7}}},
       "of account 7, never created"},
      {"a second AccountCreated of one id", AccountCreated{account_row(kMaker, "again", "")},
       "a second AccountCreated of account 2"},
      {"an account id not the next issued", AccountCreated{account_row(AccountId{4}, "g", "")},
       "AccountCreated of account 4 where account 3 is the next"},
      {"a ReservationChanged of an unknown reservation",
       ReservationChanged{.change = ReservationChange::kCancelled, .reservation = unknown},
       "ReservationChanged of reservation 9, never created"},
      {"a ReservationCreated of an existing id", ReservationCreated{maker_sell()},
       "ReservationCreated of reservation 2, which seq 5 wrote already"},
      {"an EntryApplied whose key exists", EntryApplied{.entry = credit()},
       "EntryApplied \"fantasy:1:2026:w1\", which seq 2 applied already"},
      {"a FillApplied whose execution exists", again,
       "FillApplied of execution 101, which seq 5 applied already"},
      {"a position after of another symbol", wrong_symbol,
       "the seller's position after is of account 2 in symbol 4"},
  };
  for (const Row& row : rows) {
    DYNAMIC_SECTION(row.reason) {
      JournalReplay replay = replayed({records.begin(), records.begin() + 5});
      const absl::Status s = replay.apply(JournalEntry{
          .seq = 6, .committed_at = kT0 + absl::Seconds(9), .events = {fine, row.event}});
      INFO(s.ToString());
      CHECK(s.code() == absl::StatusCode::kDataLoss);
      CHECK(std::string(s.message()).find("journal seq 6, event 1: ") == 0);
      CHECK(std::string(s.message()).find(row.says) != std::string::npos);
      // The entry is applied in part: nothing after it can be trusted.
      CHECK(replay.apply(records[5]).code() == absl::StatusCode::kFailedPrecondition);
    }
  }
}

TEST_CASE("journal replay: an entry out of seq or time order is refused and changes nothing",
          "[journal][replay]") {
  const std::vector<JournalRecord> records = replay_history::records(history());
  JournalReplay replay = replayed({records.begin(), records.begin() + 2});
  const LedgerSnapshot before = replay.rows();

  absl::Status s = replay.apply(records[3]);
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(s.message() == "journal seq 4: expected seq 3, after seq 2");
  s = replay.apply(records[1]);
  CHECK(s.message() == "journal seq 2: expected seq 3, after seq 2");

  absl::StatusOr<JournalEntry> earlier = decode_entry(records[2].bytes);
  REQUIRE(earlier.ok());
  earlier->committed_at = kT0;  // Seq 2 was committed at kT0 + 1 s.
  s = replay.apply(*earlier);
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(std::string(s.message()).find("journal seq 3: committed at ") == 0);

  CHECK(replay.rows() == before);
  CHECK(replay.apply(records[2]).ok());  // Not refused for good: the right entry still follows.

  SECTION("a record whose bytes do not decode, or hold another seq") {
    JournalRecord damaged = records[3];
    damaged.bytes.pop_back();
    s = replay.apply(damaged);
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(s.message()).find("journal seq 4: journal entry: byte ") == 0);
    JournalRecord other = records[3];
    other.bytes = records[4].bytes;
    CHECK(replay.apply(other).message() == "journal seq 4: its bytes hold seq 5");
  }
}

}  // namespace
}  // namespace account::internal
