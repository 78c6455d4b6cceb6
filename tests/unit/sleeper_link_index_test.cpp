// The ledger's Sleeper link indexes (one account per Sleeper user and per
// roster) when several links are staged in one group commit: checked at the
// Txn and LedgerState level, where the order of staging is exact.
#include <catch2/catch.hpp>

#include <string>

#include "account/status.h"
#include "ledger_commands.h"
#include "ledger_state.h"

namespace account {
namespace {

SleeperLink link_of(std::string user, std::string league, int64_t roster) {
  return SleeperLink{.user_id = std::move(user),
                     .username = "someone",
                     .league_id = std::move(league),
                     .season = "2026",
                     .roster_id = roster};
}

// Accounts 1 (A), 2 (B) and 3 (C); B links user u2, roster 2 of league L.
std::unique_ptr<internal::LedgerState> ledger() {
  LedgerSnapshot snapshot;
  for (uint64_t id = 1; id <= 3; ++id) {
    snapshot.accounts.push_back(Account{.id = AccountId{id}, .google_id = "g" + std::to_string(id)});
  }
  snapshot.accounts[1].sleeper = link_of("u2", "L", 2);
  return internal::LedgerState::from_snapshot(LedgerLimits{}, snapshot).value();
}

void commit(internal::LedgerState& state, internal::Txn& txn) {
  ChangeSet changes;
  txn.change_set(&changes);
  state.apply(txn, changes, absl::UnixEpoch());
}

TEST_CASE("in one group an account may take the Sleeper user another gives up, in any order",
          "[ledger][sleeper]") {
  constexpr AccountId a{1}, b{2}, c{3};
  std::unique_ptr<internal::LedgerState> state = ledger();
  internal::Txn txn(*state);
  // A stages first (so its link applies first), then B leaves u2, then A takes it.
  REQUIRE(internal::stage_link_sleeper(txn, a, link_of("u5", "M", 5)).ok());
  REQUIRE(internal::stage_link_sleeper(txn, b, link_of("u3", "L", 3)).ok());
  REQUIRE(internal::stage_link_sleeper(txn, a, link_of("u2", "L", 2)).ok());
  commit(*state, txn);

  // A holds u2 and roster L/2 now: nobody else may link them.
  internal::Txn next(*state);
  CHECK(reason_of(internal::stage_link_sleeper(next, c, link_of("u2", "N", 9))) ==
        Reason::kSleeperLinkTaken);
  CHECK(reason_of(internal::stage_link_sleeper(next, c, link_of("u9", "L", 2))) ==
        Reason::kSleeperLinkTaken);
  CHECK(reason_of(internal::stage_link_sleeper(next, c, link_of("u3", "N", 9))) ==
        Reason::kSleeperLinkTaken);
  // What A gave up (u5 was only staged, never held) and nothing else is free.
  CHECK(internal::stage_link_sleeper(next, c, link_of("u5", "M", 5)).ok());
}

TEST_CASE("two accounts cannot take one Sleeper user in the same group", "[ledger][sleeper]") {
  constexpr AccountId a{1}, c{3};
  std::unique_ptr<internal::LedgerState> state = ledger();
  internal::Txn txn(*state);
  REQUIRE(internal::stage_link_sleeper(txn, a, link_of("u7", "M", 7)).ok());
  CHECK(reason_of(internal::stage_link_sleeper(txn, c, link_of("u7", "N", 1))) ==
        Reason::kSleeperLinkTaken);
  CHECK(reason_of(internal::stage_link_sleeper(txn, c, link_of("u8", "M", 7))) ==
        Reason::kSleeperLinkTaken);
}

}  // namespace
}  // namespace account
