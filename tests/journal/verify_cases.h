// `accountctl verify` (and `events`) on a durable store, through the context the installed
// binary uses (default_cli_context, DATABASE_URL): what docs/journal.md promises of verify, run on
// SqliteStore by sqlite_verify_test.cpp and on PostgresStore by postgres_verify_test.cpp.
//
// - A ledger's history, closed: verify passes and prints equal state hashes.
// - One stored row changed past the store (raw SQL): verify fails, naming the row and the seq
//   that last wrote it.
// - One byte of one stored entry flipped: verify fails, naming that seq as the chain's break.
// - Beside a ledger that commits all the while: verify never fails.
#pragma once

#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/stores/open_store.h"
#include "cli/cli_fixture.h"
#include "journal/entry_codec.h"

namespace account::testing::verify {

// One kind of store, as the cases reach it.
struct VerifyTarget {
  std::string url;                                     // A new store's DATABASE_URL.
  std::function<void(const std::string& sql)> execute;  // Raw SQL, past the store.
  // A blob literal in the store's SQL holding the bytes whose hex is `hex`.
  std::function<std::string(const std::string& hex)> bytes_literal;
};

constexpr SymbolId kSymbol{17};

inline CliResult accountctl(const std::string& url, std::vector<std::string> args) {
  cli::CliContext context = cli::default_cli_context();
  context.env = env_of({{"DATABASE_URL", url}});
  context.err_is_terminal = false;
  return run_cli(std::move(context), std::move(args));
}

inline std::unique_ptr<AccountService> open_ledger(const std::string& url,
                                                   std::shared_ptr<ManualClock> clock) {
  absl::StatusOr<OpenedStore> opened = account::open_store(url);
  if (!opened.ok()) FAIL(opened.status().ToString());
  return AccountService::open({.store = std::move(opened->store), .clock = std::move(clock)})
      .value();
}

// Every stored entry, decoded, read through a read-only store.
inline std::vector<JournalEntry> stored_entries(const std::string& url) {
  absl::StatusOr<OpenedStore> opened = account::open_store(url, {.read_only = true});
  if (!opened.ok()) FAIL(opened.status().ToString());
  std::vector<JournalEntry> entries;
  for (uint64_t after = 0;;) {
    const std::vector<JournalRecord> page = opened->store->journal(after, 100).value();
    if (page.empty()) return entries;
    for (const JournalRecord& record : page) {
      entries.push_back(internal::decode_entry(record.bytes).value());
      after = record.seq;
    }
  }
}

// The seq of the entry holding the fill of `execution`; 0 when none does.
inline uint64_t seq_of_fill(const std::vector<JournalEntry>& entries, ExecutionId execution) {
  for (const JournalEntry& entry : entries) {
    for (const LedgerEvent& event : entry.events) {
      const auto* fill = std::get_if<FillApplied>(&event);
      if (fill != nullptr && fill->fill.execution == execution) return entry.seq;
    }
  }
  return 0;
}

// Alice (1), Bob (2) and Carol (3): credits, a share issue, a buy filled in two parts against
// two sells, a cancelled buy and a debit. Bob's cash changes last with the fill of execution 2.
inline void run_history(AccountService& ledger, ManualClock& clock) {
  const auto next = [&clock] { clock.advance(absl::Seconds(1)); };
  const AccountId alice = ledger.create_account("google-alice", "Alice").value();
  const AccountId bob = ledger.create_account("google-bob", "Bob \"B\"").value();
  const AccountId carol = ledger.create_account("google-carol", "Carol").value();
  next();
  REQUIRE(ledger.credit(alice, Cents{5'000'00}, EntryKind::kFantasyCredit, "alice-1").ok());
  REQUIRE(ledger.credit(carol, Cents{2'000'00}, EntryKind::kWinBonus, "carol-1").ok());
  REQUIRE(ledger.issue_shares(bob, kSymbol, Qty{3 * kBpPerShare}, "bob-shares").ok());
  next();
  const OrderSpec buy{.account = alice, .order = OrderId{1}, .symbol = kSymbol,
                      .qty = Qty{2 * kBpPerShare}, .limit = Price{40'00}};
  REQUIRE(ledger.reserve_buy(buy).ok());
  REQUIRE(ledger.reserve_sell({.account = bob, .order = OrderId{2}, .symbol = kSymbol,
                               .qty = Qty{kBpPerShare}, .limit = Price{35'00}})
              .ok());
  REQUIRE(ledger
              .settle(Fill{.execution = ExecutionId{1}, .symbol = kSymbol, .qty = Qty{kBpPerShare},
                           .price = Price{38'00}, .buyer = {alice, OrderId{1}},
                           .seller = {bob, OrderId{2}}, .tick = TickId{1}, .time = ledger.now()})
              .ok());
  next();
  REQUIRE(ledger.reserve_sell({.account = bob, .order = OrderId{3}, .symbol = kSymbol,
                               .qty = Qty{kBpPerShare}, .limit = Price{36'00}})
              .ok());
  REQUIRE(ledger
              .settle(Fill{.execution = ExecutionId{2}, .symbol = kSymbol, .qty = Qty{kBpPerShare},
                           .price = Price{39'00}, .buyer = {alice, OrderId{1}},
                           .seller = {bob, OrderId{3}}, .tick = TickId{2}, .time = ledger.now()})
              .ok());
  next();
  REQUIRE(ledger.reserve_buy({.account = carol, .order = OrderId{4}, .symbol = kSymbol,
                              .qty = Qty{kBpPerShare}, .limit = Price{30'00}})
              .ok());
  REQUIRE(ledger.cancel_order(OrderId{4}).ok());
  REQUIRE(ledger.debit(carol, Cents{1'00}, EntryKind::kAdjustment, "carol-2").ok());
}

inline std::vector<std::string> output_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

// "state hash at seq N: journal X, store Y": X and Y.
inline std::pair<std::string, std::string> printed_hashes(const std::string& out) {
  for (const std::string& line : output_lines(out)) {
    if (line.rfind("state hash at seq ", 0) != 0) continue;
    const size_t journal = line.find(": journal ");
    const size_t store = line.find(", store ");
    if (journal == std::string::npos || store == std::string::npos) break;
    return {line.substr(journal + 10, store - journal - 10), line.substr(store + 8)};
  }
  FAIL("no state hash line with both hashes in:\n" << out);
  return {};
}

inline void verify_names_damage(const VerifyTarget& target) {
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1'789'000'000));
  run_history(*open_ledger(target.url, clock), *clock);  // Closed again at the end.
  const std::vector<JournalEntry> entries = stored_entries(target.url);
  const uint64_t head = entries.size();
  REQUIRE(head >= 12);
  const uint64_t bobs_last_fill = seq_of_fill(entries, ExecutionId{2});
  REQUIRE(bobs_last_fill > 0);

  CliResult r = accountctl(target.url, {"verify"});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "chain: " + std::to_string(head) + " entries, seq 1.." +
                            std::to_string(head) + ", ok\n"));
  CHECK(contains(r.out, "replay: tables match the journal at seq " + std::to_string(head)));
  const auto [journal_hash, store_hash] = printed_hashes(r.out);
  CHECK(journal_hash.size() == 64);
  CHECK(journal_hash == store_hash);

  // The last entry, as a consumer reads it: the debit of Carol's.
  r = accountctl(target.url, {"events", "--since", std::to_string(head - 1)});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "{\"seq\":" + std::to_string(head) + ",\"index\":0,"));
  CHECK(contains(r.out, "\"type\":\"entry_applied\",\"account\":3,\"kind\":\"adjustment\""));

  // A stored row changed past the store: Bob's cash, $38.00 and $39.00 from the two fills, one
  // cent more in the table.
  target.execute("UPDATE accounts SET cash_cents = cash_cents + 1 WHERE id = 2");
  r = accountctl(target.url, {"verify"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "chain: " + std::to_string(head) + " entries"));
  CHECK(contains(r.out, "replay: account 2, last written by seq " +
                            std::to_string(bobs_last_fill) +
                            ": cash: journal 7700 cents, store 7701 cents\n"));
  const auto [journal_after, store_after] = printed_hashes(r.out);
  CHECK(journal_after == journal_hash);
  CHECK(store_after != store_hash);
  CHECK(contains(r.out, "verify FAILED"));
  target.execute("UPDATE accounts SET cash_cents = cash_cents - 1 WHERE id = 2");
  CHECK(accountctl(target.url, {"verify"}).exit_code == cli::kExitOk);

  // One byte of a stored entry flipped: that of the same fill.
  const JournalEntry& damaged = entries[bobs_last_fill - 1];
  std::string bytes = internal::encode_entry(damaged.seq, damaged.committed_at, damaged.events);
  bytes[bytes.size() / 2] = static_cast<char>(~bytes[bytes.size() / 2]);
  target.execute("UPDATE journal SET bytes = " +
                 target.bytes_literal(absl::BytesToHexString(bytes)) +
                 " WHERE seq = " + std::to_string(damaged.seq));
  r = accountctl(target.url, {"verify"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "chain: broken at seq " + std::to_string(damaged.seq) + ": "));
  CHECK(contains(r.out, "verify FAILED"));
}

// verify beside a ledger committing credits as fast as it can: every run passes, each at a
// head of its own.
inline void verify_beside_a_committing_ledger(const VerifyTarget& target) {
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1'789'000'000));
  std::unique_ptr<AccountService> ledger = open_ledger(target.url, clock);
  run_history(*ledger, *clock);
  std::atomic<bool> stop{false};
  std::atomic<int> credits{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (ledger->credit(AccountId{static_cast<uint64_t>(1 + i % 3)}, Cents{1},
                         EntryKind::kAdjustment,
                         "live-" + std::to_string(i))
              .ok()) {
        credits.fetch_add(1);
      }
    }
  });
  // The runs overlap commits: the writer has committed before the first and after the last.
  const auto commits_after = [&](int seen) {
    for (int i = 0; i < 10'000 && credits.load() <= seen; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return credits.load();
  };
  const int before = commits_after(0);
  std::vector<CliResult> runs;
  for (int i = 0; i < 3; ++i) runs.push_back(accountctl(target.url, {"verify"}));
  commits_after(before);
  stop.store(true);
  writer.join();
  for (const CliResult& run : runs) {
    CHECK(run.exit_code == cli::kExitOk);
    CHECK(contains(run.out, "replay: tables match the journal at seq "));
  }
  CHECK(credits.load() > 0);
}

// `accountctl journal prune` on a closed ledger's store, then `verify` from the checkpoint: the
// chain from its hash, the tables against its rows and the kept entries; `events` refuses the
// pruned range; a ledger opened again commits on; a second run removes nothing; a byte changed
// in the stored checkpoint, and a cent in a row, each fail verify, named.
inline void verify_after_prune(const VerifyTarget& target) {
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(1'789'000'000));
  run_history(*open_ledger(target.url, clock), *clock);
  const std::vector<JournalEntry> entries = stored_entries(target.url);
  const uint64_t head = entries.size();
  const uint64_t bobs_last_fill = seq_of_fill(entries, ExecutionId{2});
  REQUIRE(bobs_last_fill > 0);
  REQUIRE(bobs_last_fill + 2 < head);
  const uint64_t before = bobs_last_fill + 1;  // Both fills go.

  CliResult r = accountctl(target.url, {"journal", "prune"});
  CHECK(r.exit_code == cli::kExitUsage);
  CHECK(contains(r.err, "JOURNAL_RETENTION_DAYS"));
  r = accountctl(target.url, {"journal", "prune", "--before", std::to_string(before)});
  REQUIRE(r.exit_code == cli::kExitOk);
  CHECK(r.out == "pruned " + std::to_string(before - 1) + " entries and 4 trades; the journal "
                 "keeps seq " + std::to_string(before) + ".." + std::to_string(head) +
                 ", after the checkpoint at seq " + std::to_string(before - 1) + "\n");
  r = accountctl(target.url, {"journal", "prune", "--before", std::to_string(before)});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "nothing to prune"));

  r = accountctl(target.url, {"verify"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(contains(r.out, "checkpoint: seq " + std::to_string(before - 1) + ", committed "));
  CHECK(contains(r.out, "chain: " + std::to_string(head - before + 1) + " entries, seq " +
                            std::to_string(before) + ".." + std::to_string(head) +
                            ", ok (from the checkpoint at seq " + std::to_string(before - 1)));
  CHECK(contains(r.out, "replay: tables match the journal at seq " + std::to_string(head)));
  const auto [journal_hash, store_hash] = printed_hashes(r.out);
  CHECK(journal_hash == store_hash);
  CHECK(accountctl(target.url, {"events", "--since", "0"}).exit_code == cli::kExitNotFound);
  r = accountctl(target.url, {"history", "trades", "1"});
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(!contains(r.out, "38.00"));  // Alice's two fills went with their entries.

  // A ledger opened again commits on from the kept head.
  {
    auto ledger = open_ledger(target.url, clock);
    REQUIRE(ledger->credit(AccountId{1}, Cents{1}, EntryKind::kAdjustment, "after-prune").ok());
    CHECK(ledger->journal_head() == head + 1);
  }
  CHECK(accountctl(target.url, {"verify"}).exit_code == cli::kExitOk);

  // A cent more in Bob's stored cash: the row is named, last written at the checkpoint (the
  // fills that wrote it were pruned).
  target.execute("UPDATE accounts SET cash_cents = cash_cents + 1 WHERE id = 2");
  r = accountctl(target.url, {"verify"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "replay: account 2, last written by seq " + std::to_string(before - 1) +
                            ": cash: journal 7700 cents, store 7701 cents\n"));
  target.execute("UPDATE accounts SET cash_cents = cash_cents - 1 WHERE id = 2");
  // One byte of the stored checkpoint changed.
  std::string state;
  {
    absl::StatusOr<OpenedStore> opened = account::open_store(target.url, {.read_only = true});
    REQUIRE(opened.ok());
    state = opened->store->journal_checkpoint().value().value().state;
  }
  state[state.size() / 2] = static_cast<char>(~state[state.size() / 2]);
  target.execute("UPDATE journal_checkpoints SET state = " +
                 target.bytes_literal(absl::BytesToHexString(state)));
  r = accountctl(target.url, {"verify"});
  CHECK(r.exit_code == cli::kExitProblemsFound);
  CHECK(contains(r.out, "checkpoint: the journal checkpoint at seq " + std::to_string(before - 1) +
                            ": its digest is not SHA-256 of its hash and state"));
  CHECK(contains(r.out, "verify FAILED"));
}

}  // namespace account::testing::verify
