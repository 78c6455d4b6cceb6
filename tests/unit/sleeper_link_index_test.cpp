// The ledger's Sleeper link indexes (one account per Sleeper user and per
// roster) when several links are staged in one group commit: checked at the
// Txn and LedgerState level, where the order of staging is exact.
#include <catch2/catch.hpp>

#include <string>

#include "account/account_service.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/memory_store.h"
#include "account/status.h"
#include "ledger/ledger_commands.h"
#include "ledger/ledger_state.h"

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
LedgerSnapshot three_accounts() {
  LedgerSnapshot snapshot;
  for (uint64_t id = 1; id <= 3; ++id) {
    snapshot.accounts.push_back(Account{.id = AccountId{id}, .google_id = "g" + std::to_string(id)});
  }
  snapshot.accounts[1].sleeper = link_of("u2", "L", 2);
  return snapshot;
}

std::unique_ptr<internal::LedgerState> ledger(const LedgerSnapshot& snapshot = three_accounts()) {
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

TEST_CASE("a fantasy entry staged in a group holds its source for the rest of the group",
          "[ledger][sleeper]") {
  constexpr AccountId b{2}, c{3};
  std::unique_ptr<internal::LedgerState> state = ledger();
  MemoryStore store;
  const LedgerLimits limits;
  const internal::CommandContext ctx = internal::command_context(limits, absl::UnixEpoch(), store, false);
  internal::Txn txn(*state);
  // B is paid from u2 / roster L/2, relinks, and C asks for u2 in the same group.
  const std::string key = fantasy_entry_key(b, link_of("u2", "L", 2), 0).value();
  REQUIRE(internal::stage_entry(txn, ctx,
                                ExternalEntry{.key = key, .kind = EntryKind::kFantasyCredit,
                                              .account = b, .cash = Cents{500}})
              .ok());
  REQUIRE(internal::stage_link_sleeper(txn, b, link_of("u3", "M", 3)).ok());
  CHECK(reason_of(internal::stage_link_sleeper(txn, c, link_of("u2", "N", 9))) ==
        Reason::kSleeperLinkTaken);
  CHECK(reason_of(internal::stage_link_sleeper(txn, c, link_of("u9", "L", 2))) ==
        Reason::kSleeperLinkTaken);
  // Another revision 0 of B's season, from the link B staged: one per revision.
  CHECK(reason_of(internal::stage_entry(
            txn, ctx,
            ExternalEntry{.key = fantasy_entry_key(b, link_of("u3", "M", 3), 0).value(),
                          .kind = EntryKind::kFantasyCredit, .account = b,
                          .cash = Cents{500}})) == Reason::kEntryConflict);
  commit(*state, txn);

  // Applied, the hold is the ledger's.
  CHECK(state->funded_user_holder("u2", "2026") == b);
  CHECK(state->funded_roster_holder("L", 2) == b);
  CHECK_FALSE(state->funded_user_holder("u2", "2027"));
  internal::Txn next(*state);
  CHECK(reason_of(internal::stage_link_sleeper(next, c, link_of("u2", "N", 9))) ==
        Reason::kSleeperLinkTaken);
}

TEST_CASE("links duplicated before they were unique stay held until the last one leaves",
          "[ledger][sleeper]") {
  // Accounts 2 and 3 both link u2, roster L/2: a store written before the rule.
  LedgerSnapshot snapshot = three_accounts();
  snapshot.accounts[2].sleeper = link_of("u2", "L", 2);
  std::unique_ptr<internal::LedgerState> state = ledger(snapshot);
  constexpr AccountId a{1}, b{2}, c{3};
  internal::Txn txn(*state);
  REQUIRE(internal::stage_link_sleeper(txn, b, link_of("u5", "M", 5)).ok());
  commit(*state, txn);
  // B left; C still links u2 and roster L/2, so A may not take them.
  internal::Txn next(*state);
  CHECK(reason_of(internal::stage_link_sleeper(next, a, link_of("u2", "N", 9))) ==
        Reason::kSleeperLinkTaken);
  CHECK(reason_of(internal::stage_link_sleeper(next, a, link_of("u9", "L", 2))) ==
        Reason::kSleeperLinkTaken);
  REQUIRE(internal::stage_link_sleeper(next, c, link_of("u6", "M", 6)).ok());
  commit(*state, next);
  internal::Txn last(*state);
  CHECK(internal::stage_link_sleeper(last, a, link_of("u2", "L", 2)).ok());
}

TEST_CASE("audit reports one Sleeper user or roster linked by two accounts", "[ledger][sleeper]") {
  auto store = std::make_shared<MemoryStore>();
  ChangeSet legacy;  // Written straight to the store, as a store from before the rule holds it.
  for (uint64_t id = 1; id <= 2; ++id) {
    legacy.new_accounts.push_back(
        Account{.id = AccountId{id}, .google_id = "g" + std::to_string(id)});
    legacy.links.push_back(AccountLink{AccountId{id}, link_of("u2", "L", 2)});
  }
  REQUIRE(store->commit(legacy).ok());
  std::unique_ptr<AccountService> service = AccountService::open({.store = store}).value();
  const AuditReport report = service->audit();
  REQUIRE(report.violations.size() == 2);
  CHECK(report.violations[0] == "sleeper: user u2 is linked by accounts 1, 2");
  CHECK(report.violations[1] == "sleeper: roster 2 of league L is linked by accounts 1, 2");
}

}  // namespace
}  // namespace account
