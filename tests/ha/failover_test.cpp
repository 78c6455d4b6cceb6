// A ledger on a three-node Patroni cluster (docs/ha.md) loses its primary's host mid-stream:
// Patroni and PostgreSQL of the leader killed at once (SIGKILL). The cluster promotes the
// synchronous standby, the store reconnects through its multi-host URL, and nothing the ledger
// acknowledged is lost: every reservation it answered OK for is stored, every fill it applied
// or queued is applied exactly once, the audit and the journal's replay agree with the store,
// and the old primary rejoins as a standby. Also: a URL of standbys only is refused, naming
// why; with etcd down the primary stays and the ledger commits on (failsafe_mode); and a split
// brain, a primary cut off from the cluster while its ledger still writes to it, acknowledges
// nothing, and that ledger is fenced once it reaches the new primary. Run by
// run_with_cluster.sh, which starts the cluster and passes HA_URL, HA_DIR and HA_CLUSTER (ctest
// label `ha`); the cases share the cluster, in this order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
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
#include "account/testing/recording_notification_sink.h"
#ifdef ACCOUNT_HA_WITH_CLI
#include "account/stores/open_store.h"
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
  // An embedding program's reads take the same way: open_read_store() on the standby.
  Config config;
  config.database_url = Secret(url);
  config.database_read_url = Secret(read_url);
  absl::StatusOr<OpenedStore> reader = open_read_store(config);
  INFO(reader.status().ToString());
  REQUIRE(reader.ok());
  const LedgerSnapshot seen = reader->store->load({}).value();
  CHECK(std::any_of(seen.accounts.begin(), seen.accounts.end(), [](const Account& account) {
    return account.display_name == "Read On A Standby" && account.cash == Cents{12'345};
  }));
  CHECK(reader->store->commit(ChangeSet{}).code() == absl::StatusCode::kFailedPrecondition);
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
#ifdef ACCOUNT_HA_WITH_CLI
  {
    // accountctl verify on the new primary: the chain from seq 1, the replay, both state hashes.
    cli::CliContext context = cli::default_cli_context();
    context.env = testing::env_of({{"DATABASE_URL", url}});
    context.err_is_terminal = false;
    const testing::CliResult verified = testing::run_cli(std::move(context), {"verify"});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == cli::kExitOk);
    CHECK(testing::contains(verified.out, "verify OK"));
  }
#endif

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


// Split brain: the leader is cut off from the cluster (its Patroni frozen: no leader key
// renewed, no REST answer) while its PostgreSQL runs on, still a primary to ledger A's session.
// The cluster promotes the synchronous standby; ledger B opens there and takes the next writer
// epoch. Two primaries now take sessions, but A acknowledges nothing on its own: its commit
// waits for a synchronous standby that now follows B's primary. When the cut ends, Patroni
// demotes the old primary (its unreplicated commit is rewound), A's commit comes back
// unknown, A's fill is queued, and A's retry reaches the new primary, where the epoch check
// fences it: the fill goes back to the engine with kWriterFenced and B applies it, once.
TEST_CASE("split brain: a ledger left on a primary cut off from the cluster acknowledges "
          "nothing, and is fenced once another ledger holds the newer epoch",
          "[ha][failover][split-brain]") {
  const std::string url = env("HA_URL");
  const std::string dir = env("HA_DIR");
  auto clock = std::make_shared<SystemClock>();
  auto sink = std::make_shared<testing::RecordingNotificationSink>();
  const std::string old_leader = cluster("leader " + dir);
  REQUIRE(!old_leader.empty());
  auto store_a = open_store(url);
  auto a = AccountService::open({.store = store_a,
                                 .clock = clock,
                                 .sink = sink,
                                 .settlement_retry = {.backoff_initial = absl::Milliseconds(50),
                                                      .backoff_max = absl::Seconds(1)}})
               .value();
  const AccountId buyer = a->create_account("ha-split-buyer", "Buyer").value();
  const AccountId seller = a->create_account("ha-split-seller", "Seller").value();
  REQUIRE(a->credit(buyer, Cents{1'000'000}, EntryKind::kAdjustment, "split-fund").ok());
  REQUIRE(a->issue_shares(seller, testing::kTestSymbol, Qty{10 * kBpPerShare}, "split-issue")
              .ok());
  // Ids past the earlier cases' orders and fills, in the same database.
  testing::OrderBuilder orders(OrderId{9'000'000});
  testing::FillBuilder fills(clock, ExecutionId{9'000'000});
  const OrderSpec buy = orders.order(buyer, testing::kTestSymbol, Qty{10 * kBpPerShare});
  const OrderSpec sell = orders.order(seller, testing::kTestSymbol, Qty{10 * kBpPerShare});
  REQUIRE(a->reserve_buy(buy).ok());
  REQUIRE(a->reserve_sell(sell).ok());
  const Cents acknowledged_cash = a->cash(buyer).value();

  cluster("freeze-node " + dir + " " + old_leader);
  const absl::Time cut_at = absl::Now();
  std::string new_leader;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(60); absl::Now() < deadline;) {
    new_leader = cluster("leader " + dir);
    if (!new_leader.empty() && new_leader != old_leader) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  REQUIRE(!new_leader.empty());
  REQUIRE(new_leader != old_leader);
  const absl::Duration promoted_after = absl::Now() - cut_at;
  // Two primaries: the old one still takes writes from the sessions that reach it.
  CHECK(cluster("is-primary " + dir + " " + old_leader) == "t");
  CHECK(cluster("is-primary " + dir + " " + new_leader) == "t");

  // A settles a fill on the old primary: its commit waits for the synchronous standby.
  const Fill fill = fills.fill(buy, sell, Qty{kBpPerShare}, testing::kTestPrice);
  std::future<absl::StatusOr<SettlementReceipt>> a_settle =
      std::async(std::launch::async, [&] { return a->settle(fill); });

  // B, pointed at the new primary (as a proxy that follows Patroni's leader would point it),
  // takes the next epoch. It holds all A acknowledged, and nothing of the fill.
  auto store_b = open_store(cluster("node-url " + dir + " " + new_leader));
  auto b = AccountService::open({.store = store_b, .clock = clock}).value();
  CHECK(b->cash(buyer).value() == acknowledged_cash);
  REQUIRE(b->credit(buyer, Cents{7}, EntryKind::kAdjustment, "split-b-1").ok());
  CHECK(a_settle.wait_for(std::chrono::seconds(3)) == std::future_status::timeout);

  // The cut ends: the old node's Patroni finds another leader and demotes its PostgreSQL.
  cluster("thaw-node " + dir + " " + old_leader);
  const absl::Time thawed_at = absl::Now();
  REQUIRE(a_settle.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  const absl::StatusOr<SettlementReceipt> a_result = a_settle.get();
  INFO(a_result.status().ToString());
  // Never applied: the commit's outcome was unknown, so the fill was queued (or, had the
  // reconnect come first, refused as fenced). Applied would be an acknowledgment from the old
  // primary alone, which its rejoin rewinds: what synchronous_mode_strict prevents.
  CHECK((a_result.ok() ? a_result->outcome == SettlementOutcome::kQueued
                       : reason_of(a_result.status()) == Reason::kWriterFenced));
  for (const absl::Time deadline = absl::Now() + absl::Seconds(60);
       absl::Now() < deadline && !a->writer_fenced();) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(a->writer_fenced());
  const absl::Duration fenced_after = absl::Now() - thawed_at;
  if (a_result.ok()) {
    REQUIRE(sink->wait_for_queued_fills_done(1, absl::Seconds(10)));
    const std::vector<testing::QueuedFillNotice> done = sink->queued_fills_done();
    REQUIRE(done.size() == 1);
    CHECK(done[0].fill.execution == fill.execution);
    CHECK(reason_of(done[0].result) == Reason::kWriterFenced);
  }
  const absl::Status a_credit = a->credit(buyer, Cents{1}, EntryKind::kAdjustment, "split-a");
  CHECK(reason_of(a_credit) == Reason::kWriterFenced);
  CHECK(a_credit.code() == absl::StatusCode::kAborted);
  a.reset();
  store_a.reset();

  // The engine hands the fill to B: applied once, there.
  REQUIRE(b->settle(fill).ok());
  CHECK(reason_of(b->settle(fill).status()) == Reason::kDuplicateExecution);
  // One share at kTestPrice (cents a share), and B's credit.
  CHECK(b->cash(buyer).value() ==
        acknowledged_cash + Cents{7} - Cents{testing::kTestPrice.cents_per_share()});
  CHECK(b->audit().ok());
  const StateHash b_hash = b->state_hash();
  b.reset();
  store_b.reset();

  // The old node rejoins as a standby of the new primary, its unreplicated commit rewound.
  // (Patroni may restart it more than once on the way: "?" while it is down.)
  std::string members;
  std::string old_is_primary;
  for (const absl::Time deadline = absl::Now() + absl::Seconds(90); absl::Now() < deadline;) {
    members = cluster("members " + dir);
    old_is_primary = cluster("is-primary " + dir + " " + old_leader);
    if (members == "3 1" && old_is_primary == "f") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  CHECK(members == "3 1");
  CHECK(old_is_primary == "f");
  CHECK(cluster("leader " + dir) == new_leader);
  auto store_c = open_store(url);
  auto c = AccountService::open({.store = store_c, .clock = clock}).value();
  CHECK(c->state_hash() == b_hash);
  std::printf("split brain: %s cut off, %s promoted %.1f s later; the old primary's ledger "
              "acknowledged nothing (its fill: %s) and was fenced %.1f s after the cut ended\n",
              old_leader.c_str(), new_leader.c_str(), absl::ToDoubleSeconds(promoted_after),
              a_result.ok() ? "queued, then handed back" : "refused as fenced",
              absl::ToDoubleSeconds(fenced_after));
}

}  // namespace
}  // namespace account
