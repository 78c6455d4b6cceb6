// The journal's canonical bytes: every event round-trips exactly, the bytes of a fixed entry are
// pinned (a format change must be deliberate), and any bytes the encoder could not have written
// are refused with the offset and what was expected, never decoded into something else.
#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "journal/entry_codec.h"

namespace account::internal {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'763'960'400);

Position position(uint64_t account, uint64_t symbol) {
  return Position{.account = AccountId{account},
                  .symbol = SymbolId{symbol},
                  .qty = Qty{12'500},
                  .cost_basis = Cents{1'243'75},
                  .realized_pnl = Cents{-3'12}};
}

Reservation reservation(ReservationStatus status) {
  return Reservation{.id = ReservationId{77},
                     .account = AccountId{3},
                     .order = OrderId{(uint64_t{1} << 40) + 5},
                     .symbol = SymbolId{12},
                     .side = Side::kSell,
                     .limit = Price{99'50},
                     .order_qty = Qty{30'000},
                     .remaining_qty = Qty{10'000},
                     .reserved_cash = Cents{0},
                     .created_at = kT0,
                     .expires_at = kT0 + absl::Hours(48),
                     .updated_at = kT0 + absl::Seconds(3),
                     .status = status};
}

// One of each event, with edge values: the largest ids, negative cash, empty strings, both
// states of every optional.
std::vector<LedgerEvent> every_event() {
  Account account{.id = AccountId{std::numeric_limits<uint64_t>::max()},
                  .google_id = "110169484000000012345",
                  .display_name = "",
                  .created_at = kT0 - absl::Nanoseconds(1),
                  .cash = Cents{0}};
  Account linked = account;
  linked.id = AccountId{2};
  linked.sleeper = SleeperLink{.user_id = "u1", .username = "José", .league_id = "L9",
                               .season = "2026", .roster_id = -1};
  return {
      AccountCreated{.account = account},
      AccountCreated{.account = linked},
      SleeperLinkChanged{.account = AccountId{2}, .link = linked.sleeper},
      SleeperLinkChanged{.account = AccountId{2}, .link = std::nullopt},
      EntryApplied{.entry = ExternalEntry{.key = "fantasy:2:2026:w14",
                                          .kind = EntryKind::kFantasyCredit,
                                          .account = AccountId{2},
                                          .cash = Cents{-1'50},
                                          .time = kT0},
                   .cash_after = Cents{std::numeric_limits<int64_t>::min()}},
      EntryApplied{.entry = ExternalEntry{.key = "issue:maker",
                                          .kind = EntryKind::kShareIssue,
                                          .account = AccountId{3},
                                          .symbol = SymbolId{12},
                                          .qty = Qty{100'000'000},
                                          .time = kT0},
                   .cash_after = Cents{std::numeric_limits<int64_t>::max()},
                   .position_after = position(3, 12)},
      ReservationCreated{.reservation = reservation(ReservationStatus::kActive)},
      ReservationChanged{.change = ReservationChange::kCancelled,
                         .reservation = reservation(ReservationStatus::kCancelled),
                         .cash_freed = Cents{0},
                         .qty_freed = Qty{10'000}},
      FillApplied{.fill = Fill{.execution = ExecutionId{(uint64_t{1} << 40) | 17},
                               .symbol = SymbolId{12},
                               .qty = Qty{100},
                               .price = Price{99'50},
                               .buyer = {AccountId{2}, OrderId{4}},
                               .seller = {AccountId{3}, OrderId{5}},
                               .tick = TickId{1'048'576},
                               .time = kT0 + absl::Milliseconds(1)},
                  .buyer = {.cash_after = Cents{5'00}, .position_after = position(2, 12)},
                  .seller = {.cash_after = Cents{9'95},
                             .position_after = position(3, 12),
                             .realized_pnl = Cents{-12}}},
  };
}

TEST_CASE("journal: every event round-trips through its canonical bytes exactly",
          "[journal][codec]") {
  const std::vector<LedgerEvent> events = every_event();
  const std::string bytes = encode_entry(42, kT0, events);
  const absl::StatusOr<JournalEntry> back = decode_entry(bytes);
  REQUIRE(back.ok());
  CHECK(back->seq == 42);
  CHECK(back->committed_at == kT0);
  CHECK(back->events == events);
  // One entry, one encoding: the decoded entry encodes to the same bytes.
  CHECK(encode_entry(back->seq, back->committed_at, back->events) == bytes);
  // An entry without events is an entry too (a change set of one extension, say).
  const absl::StatusOr<JournalEntry> empty = decode_entry(encode_entry(1, kT0, {}));
  REQUIRE(empty.ok());
  CHECK(empty->events.empty());
}

TEST_CASE("journal: the canonical bytes of a fixed entry do not change unnoticed",
          "[journal][codec]") {
  const std::vector<LedgerEvent> events = {
      ReservationCreated{.reservation = reservation(ReservationStatus::kActive)}};
  const std::string bytes = encode_entry(7, kT0, events);
  std::string hex;
  for (unsigned char c : bytes) {
    static const char* digits = "0123456789abcdef";
    hex.push_back(digits[c >> 4]);
    hex.push_back(digits[c & 15]);
  }
  // Version 1, seq 7, the time, 1 event, tag 4, then the reservation's fields (written out
  // independently of this encoder, from the format's description).
  CHECK(hex ==
        "01078080d9fde9a8ecfa3001044d038580808080200c02bc9b01e0d403a09c01008080d9fde9a8ecfa30"
        "8080c9a78ef3bafb3080f8dbaa80a9ecfa3001");
}

TEST_CASE("journal: the chain hash covers the previous hash and every byte", "[journal][codec]") {
  const std::string bytes = encode_entry(1, kT0, every_event());
  const ChainHash zero{};
  const ChainHash first = chain_hash(zero, bytes);
  CHECK(first != zero);
  CHECK(chain_hash(zero, bytes) == first);
  ChainHash other = zero;
  other[31] = 1;
  CHECK(chain_hash(other, bytes) != first);
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    CHECK(chain_hash(zero, flipped) != first);
  }
}

TEST_CASE("journal: bytes the encoder could not have written are refused with where and why",
          "[journal][codec]") {
  const std::string bytes = encode_entry(42, kT0, every_event());
  auto refused = [](const std::string& b, const std::string& says) {
    const absl::StatusOr<JournalEntry> r = decode_entry(b);
    INFO(r.status().ToString());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(r.status().message()).find(says) != std::string::npos);
  };
  SECTION("cut short anywhere") {
    for (size_t n = 0; n < bytes.size(); ++n) {
      const absl::StatusOr<JournalEntry> r = decode_entry(bytes.substr(0, n));
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == absl::StatusCode::kDataLoss);
    }
  }
  SECTION("a byte left over") { refused(bytes + '\0', "bytes after the last event"); }
  SECTION("another format version") {
    std::string b = bytes;
    b[0] = 2;
    refused(b, "format version 2");
  }
  SECTION("an unknown event tag") {
    // One event, tagged 7, and a byte for it.
    const std::string header = encode_entry(1, kT0, {});
    refused(header.substr(0, header.size() - 1) + std::string("\x01\x07\x00", 3),
            "an event tag: unknown value 7");
  }
  SECTION("an overlong varint") {
    // seq 7 written in two bytes (0x87 0x00) where one (0x07) does.
    std::string b = bytes;
    b.replace(1, 1, std::string("\x87\x00", 2));
    refused(b, "longer than its value needs");
  }
  SECTION("a varint past 64 bits") {
    std::string b = bytes;
    b.replace(1, 1, std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10));
    refused(b, "past 64 bits");
  }
  SECTION("an event count the bytes cannot hold") {
    const std::string header = encode_entry(1, kT0, {});
    std::string b = header.substr(0, header.size() - 1) + std::string("\xff\xff\x03", 3);
    refused(b, "more than the entry's bytes can hold");
  }
  SECTION("a string longer than what is left") {
    const std::string one = encode_entry(
        1, kT0, {SleeperLinkChanged{.account = AccountId{1}, .link = SleeperLink{}}});
    // The link's five fields are one zero byte each; the first is the user id's length: claim
    // 100 bytes.
    std::string b = one;
    b[b.size() - 5] = 100;
    refused(b, "past the end");
  }
}

}  // namespace
}  // namespace account::internal
