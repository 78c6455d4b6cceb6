// A ledger on a three-node Patroni cluster (docs/ha.md) loses its primary's host mid-stream:
// Patroni and PostgreSQL of the leader killed at once (SIGKILL). The cluster promotes the
// synchronous standby, the store reconnects through its multi-host URL, and nothing the ledger
// acknowledged is lost: every reservation it answered OK for is stored, every fill it applied
// or queued is applied exactly once, the audit and the journal's replay agree with the store,
// and the old primary rejoins as a standby. Also: a URL of standbys only is refused, naming
// why; with etcd down the primary stays and the ledger commits on (failsafe_mode). Run by
// run_with_cluster.sh, which starts the cluster and passes HA_URL, HA_DIR and HA_CLUSTER (ctest
// label `ha`); the cases share the cluster, in this order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/postgres/postgres_store.h"
#include "account/status.h"
#include "account/testing/builders.h"
#ifdef ACCOUNT_HA_WITH_CLI
#include "cli/cli_fixture.h"
#endif
#include "journal/journal_replay.h"
#include "journal/state_compare.h"
#include "journal/state_hash.h"

namespace account {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') FAIL(name << " is not set: run under run_with_cluster.sh");
  return value;
}

// Runs `cluster.sh ARGS` and returns its standard output, trimmed.
std::string cluster(const std::string& args) {
  const std::string command = env("HA_CLUSTER") + " " + args;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  INFO(command << " -> " << out);
  REQUIRE(status == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::shared_ptr<PostgresStore> open_store(const std::string& url) {
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::open(url, {.connect_timeout = absl::Seconds(2)});
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(*store);
}

TEST_CASE("a URL that lists only standbys is refused, naming that no host accepted writes",
          "[ha][failover]") {
  const std::string dir = env("HA_DIR");
  const std::string leader = cluster("leader " + dir);
  REQUIRE(!leader.empty());
  // The URL of the two hosts that are not the leader, from HA_URL's host list.
  const std::string url = env("HA_URL");
  const size_t hosts_at = url.find('@') + 1;
  const size_t hosts_end = url.find('/', hosts_at);
  std::vector<std::string> hosts;
  for (size_t at = hosts_at; at < hosts_end;) {
    const size_t comma = std::min(url.find(',', at), hosts_end);
    hosts.push_back(url.substr(at, comma - at));
    at = comma + 1;
  }
  REQUIRE(hosts.size() == 3);
  const int leader_index = leader.back() - '1';
  std::string standbys;
  for (int i = 0; i < 3; ++i) {
    if (i == leader_index) continue;
    standbys += (standbys.empty() ? "" : ",") + hosts[i];
  }
  const std::string standby_url =
      url.substr(0, hosts_at) + standbys + url.substr(hosts_end);
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::open(standby_url, {.connect_timeout = absl::Seconds(2)});
  REQUIRE_FALSE(store.ok());
  INFO(store.status().ToString());
  CHECK(store.status().code() == absl::StatusCode::kUnavailable);
  CHECK(std::string(store.status().message()).find("no host the URL lists accepted writes") !=
        std::string::npos);
  CHECK(std::string(store.status().message()).find("ha-super") == std::string::npos);
}

#ifdef ACCOUNT_HA_WITH_CLI
TEST_CASE("accountctl reads on a standby when DATABASE_READ_URL names one", "[ha][failover]") {
  const std::string url = env("HA_URL");
  auto clock = std::make_shared<SystemClock>();
  {
    auto store = open_store(url);
    auto svc = AccountService::open({.store = store, .clock = clock}).value();
    const AccountId a = svc->create_account("ha-reader", "Read On A Standby").value();
    REQUIRE(svc->credit(a, Cents{12'345}, EntryKind::kAdjustment, "ha-read").ok());
  }
  // The same hosts, but only a standby will do: libpq's target_session_attrs=standby.
  std::string read_url = url;
  read_url.replace(read_url.find("target_session_attrs=read-write"),
                   std::string("target_session_attrs=read-write").size(),
                   "target_session_attrs=standby");
  // A standby replays what the primary committed a moment later: a few tries.
  testing::CliResult r;
  for (int i = 0; i < 50; ++i) {
    cli::CliContext context = cli::default_cli_context();
    context.env = testing::env_of({{"DATABASE_URL", url}, {"DATABASE_READ_URL", read_url}});
    context.err_is_terminal = false;
    r = testing::run_cli(std::move(context), {"list"});
    if (r.exit_code == cli::kExitOk && testing::contains(r.out, "Read On A Standby")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(r.out << r.err);
  CHECK(r.exit_code == cli::kExitOk);
  CHECK(testing::contains(r.out, "Read On A Standby"));
  CHECK(testing::contains(r.out, "123.45"));
  // A writer's command does not take the read URL.
  cli::CliContext context = cli::default_cli_context();
  context.env = testing::env_of({{"DATABASE_URL", read_url}, {"DATABASE_READ_URL", read_url}});
  context.err_is_terminal = false;
  r = testing::run_cli(std::move(context), {"expire"});
  CHECK(r.exit_code != cli::kExitOk);
}
#endif

TEST_CASE("with etcd down the primary keeps its role, and the ledger keeps committing",
          "[ha][failover]") {
  const std::string dir = env("HA_DIR");
  auto clock = std::make_shared<SystemClock>();
  auto store = open_store(env("HA_URL"));
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  const AccountId a = svc->create_account("ha-etcd-down", "E").value();
  // failsafe_mode: a leader that cannot renew its key keeps its role while it reaches every
  // other member, rather than demoting itself after ttl (10 s). Two and a half ttls without etcd.
  cluster("kill-etcd " + dir);
  const absl::Time until = absl::Now() + absl::Seconds(25);
  int committed = 0;
  int refused = 0;
  for (int i = 0; absl::Now() < until; ++i) {
    const absl::Status s =
        svc->credit(a, Cents{1}, EntryKind::kAdjustment, "etcd-down-" + std::to_string(i));
    if (s.ok()) {
      ++committed;
    } else {
      ++refused;
      INFO(s.ToString());
      CHECK(s.ok());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  cluster("start-etcd " + dir);
  std::printf("etcd down 25 s: %d credits committed, %d refused\n", committed, refused);
  CHECK(refused == 0);
  CHECK(svc->cash(a).value() == Cents{committed});
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  std::string members;
  while (absl::Now() < deadline) {
    members = cluster("members " + dir);
    if (members == "3 1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  CHECK(members == "3 1");
}

TEST_CASE("a ledger on a Patroni cluster outlives its primary's host, losing nothing "
          "acknowledged",
          "[ha][failover]") {
  const std::string url = env("HA_URL");
  const std::string dir = env("HA_DIR");
  auto clock = std::make_shared<SystemClock>();
  auto store = open_store(url);
  auto svc = AccountService::open({.store = store, .clock = clock}).value();
  const AccountId buyer = svc->create_account("ha-buyer", "Buyer").value();
  const AccountId seller = svc->create_account("ha-seller", "Seller").value();
  REQUIRE(svc->credit(buyer, Cents{1'000'000'000}, EntryKind::kAdjustment, "ha-fund").ok());
  REQUIRE(svc->issue_shares(seller, testing::kTestSymbol, Qty{100'000'000}, "ha-issue").ok());

  testing::OrderBuilder orders;
  testing::FillBuilder fills(clock);
  // Pairs of 10-share orders, each filled a share at a time: while the store is away new
  // orders are refused, and the fills of the pairs already open queue.
  struct Pair {
    OrderSpec buy;
    OrderSpec sell;
    int shares_left = 10;
  };
  std::vector<Pair> open_pairs;
  std::vector<OrderSpec> acked_orders;
  std::vector<Fill> acked_fills;  // Applied, or queued to apply later: acknowledged either way.
  int refused_orders = 0;
  int refused_fills = 0;
  int queued_fills = 0;
  const std::string leader = cluster("leader " + dir);
  REQUIRE(!leader.empty());
  std::optional<absl::Time> killed_at;
  std::optional<absl::Duration> first_commit_after_kill;
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  int orders_after_recovery = 0;
  for (int i = 0; absl::Now() < deadline && orders_after_recovery < 30; ++i) {
    if (i == 40) {
      cluster("kill-node " + dir + " " + leader);
      killed_at = absl::Now();
    }
    const OrderSpec buy = orders.order(buyer, testing::kTestSymbol, Qty{10 * kBpPerShare});
    const OrderSpec sell = orders.order(seller, testing::kTestSymbol, Qty{10 * kBpPerShare});
    absl::StatusOr<ReservationId> b = svc->reserve_buy(buy);
    absl::StatusOr<ReservationId> s = b.ok() ? svc->reserve_sell(sell) : b.status();
    if (b.ok()) acked_orders.push_back(buy);
    if (s.ok()) {
      acked_orders.push_back(sell);
      open_pairs.push_back({buy, sell});
      if (killed_at && !first_commit_after_kill) {
        first_commit_after_kill = absl::Now() - *killed_at;
      }
      if (first_commit_after_kill) ++orders_after_recovery;
    } else {
      CHECK(reason_of(s.status()) == Reason::kStoreUnavailable);
      ++refused_orders;
    }
    // One share of the oldest open pair.
    while (!open_pairs.empty() && open_pairs.front().shares_left == 0) {
      open_pairs.erase(open_pairs.begin());
    }
    if (!open_pairs.empty()) {
      Pair& pair = open_pairs.front();
      const Fill fill = fills.fill(pair.buy, pair.sell, Qty{kBpPerShare}, testing::kTestPrice);
      absl::StatusOr<SettlementReceipt> r = svc->settle(fill);
      if (r.ok()) {
        --pair.shares_left;
        acked_fills.push_back(fill);
        if (r->outcome == SettlementOutcome::kQueued) ++queued_fills;
      } else {
        CHECK(reason_of(r.status()) == Reason::kStoreUnavailable);
        ++refused_fills;
      }
    }
    if (!s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(killed_at.has_value());
  REQUIRE(first_commit_after_kill.has_value());
  // Fills queued while the store was away apply once it is back.
  const absl::Time drain_deadline = absl::Now() + absl::Seconds(60);
  while (svc->queued_fills() > 0 && absl::Now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(svc->queued_fills() == 0);
  const std::string new_leader = cluster("leader " + dir);
  std::printf(
      "failover: leader %s lost; %s promoted; first commit %.2f s after the kill; %d orders "
      "and %d fills refused meanwhile (unacknowledged), %d fills queued and applied after; "
      "%zu orders and %zu fills acknowledged in all\n",
      leader.c_str(), new_leader.c_str(), absl::ToDoubleSeconds(*first_commit_after_kill),
      refused_orders, refused_fills, queued_fills, acked_orders.size(), acked_fills.size());
  CHECK(queued_fills > 0);  // The outage did meet fills, and they were kept.
  CHECK(new_leader != leader);
  const StateHash memory = svc->state_hash();
  svc.reset();
  store.reset();

  // A ledger opened afresh on the new primary holds everything acknowledged, once.
  store = open_store(url);
  svc = AccountService::open({.store = store, .clock = clock}).value();
  CHECK(svc->state_hash() == memory);
  CHECK(svc->audit().ok());
  const LedgerSnapshot stored = store->load({}).value();
  std::set<uint64_t> stored_orders;
  for (const Reservation& r : stored.reservations) stored_orders.insert(r.order.value());
  for (const OrderSpec& o : acked_orders) {
    CAPTURE(o.order.value());
    CHECK(stored_orders.count(o.order.value()) == 1);
  }
  for (const Fill& f : acked_fills) {
    CAPTURE(f.execution.value());
    CHECK(reason_of(svc->settle(f).status()) == Reason::kDuplicateExecution);
  }
  // The journal: gap-free from seq 1, its replay equal to the stored rows.
  internal::JournalReplay replay;
  for (uint64_t after = 0;;) {
    const std::vector<JournalRecord> page = store->journal(after, 1'000).value();
    if (page.empty()) break;
    for (const JournalRecord& r : page) REQUIRE(replay.apply(r).ok());
    after = page.back().seq;
  }
  CHECK(replay.head() == stored.journal_head);
  CHECK(!internal::first_difference(replay, stored).has_value());

  // The old primary comes back as a standby of the new one.
  cluster("start-node " + dir + " " + leader);
  const absl::Time rejoin_deadline = absl::Now() + absl::Seconds(90);
  const absl::Time rejoin_start = absl::Now();
  std::string members;
  while (absl::Now() < rejoin_deadline) {
    members = cluster("members " + dir);
    if (members == "3 1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  CHECK(members == "3 1");
  CHECK(cluster("leader " + dir) == new_leader);
  std::printf("rejoin: %s running as a standby %.1f s after its restart\n", leader.c_str(),
              absl::ToDoubleSeconds(absl::Now() - rejoin_start));
}

}  // namespace
}  // namespace account
