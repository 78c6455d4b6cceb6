// The faults an outside operator met on a real PostgreSQL, each reproduced
// on a server the test starts: a password changed mid-outage, gateway
// threads retrying through a server restart, a storm of refused commands,
// and audits beside a live ledger.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "account/account_service.h"
#include "account/audit.h"
#include "account/status.h"
#include "account/testing/counterparties.h"
#include "account/testing/recording_notification_sink.h"
#include "support/ledger_fixture.h"
#include "support/postgres_fixture.h"
#include "support/prometheus_text.h"

namespace account {
namespace {

using testing::eventually;
using testing::pg_server;

constexpr SymbolId kSymbol{9};

double metric(MetricsRegistry& registry, std::string_view name,
              const std::map<std::string, std::string>& labels = {}) {
  const testing::PrometheusText text = testing::parse_prometheus_text(registry.render_prometheus());
  REQUIRE(text.error.empty());
  const std::optional<double> v = text.value(name, labels);
  INFO(name);
  REQUIRE(v.has_value());
  return *v;
}

// What became of the queued fills (RecordingNotificationSink's reports): how many ended, how
// many of those had been committed already although the connection dropped under them (an
// ambiguous commit comes back DuplicateExecution from the queue: applied, once), and those
// that did not apply.
struct QueuedFillTally {
  size_t done = 0;
  size_t already_applied = 0;
  std::vector<std::string> failed;
};

QueuedFillTally tally(const testing::RecordingNotificationSink& sink) {
  QueuedFillTally out;
  for (const testing::QueuedFillNotice& n : sink.queued_fills_done()) {
    ++out.done;
    if (reason_of(n.result) == Reason::kDuplicateExecution) {
      ++out.already_applied;
    } else if (!n.result.ok()) {
      out.failed.push_back(absl::StrCat(n.fill.execution.value(), ": ", n.result.ToString()));
    }
  }
  return out;
}

TEST_CASE("a password changed mid-outage: every queued fill applies once, none is dropped",
          "[retry-safety][postgres][outage]") {
  const std::string url = testing::fresh_database_url();
  const std::string database = testing::database_of(url);
  const std::string role = "ledger_" + database;
  REQUIRE(pg_server().execute("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD 'first-pw'").ok());
  REQUIRE(pg_server().execute("postgres", "ALTER DATABASE " + database + " OWNER TO " + role).ok());
  const std::string role_url = absl::StrCat("postgresql://", role, ":first-pw@127.0.0.1:",
                                            pg_server().port(), "/", database);
  auto metrics = std::make_shared<MetricsRegistry>();
  auto sink = std::make_shared<testing::RecordingNotificationSink>();
  auto store = PostgresStore::open(role_url, {.metrics = metrics});
  REQUIRE(store.ok());
  auto service = AccountService::open(
                     {.store = std::move(*store),
                      .sink = sink,
                      .settlement_retry = {.backoff_initial = absl::Milliseconds(10),
                                           .backoff_max = absl::Milliseconds(200)},
                      .metrics = metrics})
                     .value();
  constexpr int kFills = 3'000;
  testing::Counterparties pair =
      testing::Counterparties::open(*service, {.symbol = kSymbol,
                                               .qty = Qty{kFills * 10},
                                               .buy_limit = Price{5'000},
                                               .sell_limit = Price{5'000},
                                               .buyer_cash = Cents{100'000'000},
                                               .fill_qty = Qty{10}})
          .value();
  const AccountId buyer = pair.buyer();

  // The engine hands in fills one by one, as ExecutionManager does.
  std::atomic<int> handed{0};
  std::atomic<int> queued{0};
  std::thread engine([&] {
    for (int i = 0; i < kFills; ++i) {
      const absl::StatusOr<SettlementReceipt> got = service->settle(pair.fill());
      if (!got.ok()) FAIL("fill " << i << " refused: " << got.status().ToString());
      if (got->outcome == SettlementOutcome::kQueued) ++queued;
      ++handed;
      if (i % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  REQUIRE(eventually([&] { return handed.load() >= kFills / 5; }));
  // The password rotates and the role's sessions end; for about 1.5 s every
  // reconnect is refused with an authentication error.
  REQUIRE(pg_server().execute("postgres", "ALTER ROLE " + role + " PASSWORD 'second-pw'").ok());
  REQUIRE(pg_server()
              .execute("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE usename = '" + role + "'")
              .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));
  const double auth_errors = metric(*metrics, "account_store_errors_total",
                                    {{"kind", "unauthenticated"}});
  REQUIRE(pg_server().execute("postgres", "ALTER ROLE " + role + " PASSWORD 'first-pw'").ok());
  engine.join();

  REQUIRE(eventually([&] {
    return service->queued_fills() == 0 &&
           sink->queued_fill_done_count() == static_cast<size_t>(queued.load());
  }, absl::Seconds(30)));
  const QueuedFillTally ended = tally(*sink);
  INFO(queued.load() << " fills queued (" << ended.already_applied
                     << " of them committed before the connection dropped), " << auth_errors
                     << " authentication refusals");
  CHECK(queued.load() > 0);
  CHECK(auth_errors >= 1);
  const std::vector<std::string>& failed = ended.failed;
  for (size_t i = 0; i < failed.size() && i < 5; ++i) UNSCOPED_INFO("not applied: " << failed[i]);
  CHECK(failed.empty());
  CHECK(testing::query_value(url, "SELECT count(*) FROM executions") == std::to_string(kFills));
  CHECK(service->position(buyer, kSymbol).value()->qty == Qty{kFills * 10});
  CHECK(service->audit().ok());
}

TEST_CASE("8 gateway threads retrying through a server restart: every hold is known to its caller",
          "[retry-safety][postgres][outage]") {
  const std::string url = testing::fresh_database_url();
  auto metrics = std::make_shared<MetricsRegistry>();
  auto store = PostgresStore::open(url, {.metrics = metrics});
  REQUIRE(store.ok());
  auto service = AccountService::open({.store = std::move(*store), .metrics = metrics}).value();
  constexpr int kThreads = 8;
  std::vector<AccountId> accounts;
  for (int t = 0; t < kThreads; ++t) {
    accounts.push_back(service->create_account(absl::StrCat("gateway-", t), "G").value());
    REQUIRE(service->credit(accounts.back(), Cents{1'000'000'000}, EntryKind::kFantasyCredit,
                            absl::StrCat("fund-", t))
                .ok());
  }

  // What each caller learned: order id -> the ReservationId it was answered.
  std::mutex known_mu;
  std::map<uint64_t, uint64_t> known;
  std::vector<std::string> problems;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> refused{0};
  // Retries `call` while the store is unavailable, as a gateway would.
  const auto until_answered = [&](auto call) {
    while (true) {
      auto got = call();
      if (reason_of(got) != Reason::kStoreUnavailable) return got;
      ++refused;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  std::vector<std::thread> gateways;
  for (int t = 0; t < kThreads; ++t) {
    gateways.emplace_back([&, t] {
      for (uint64_t k = 1; !stop.load(); ++k) {
        OrderSpec order{.account = accounts[t], .order = OrderId{(uint64_t(t + 1) << 32) | k},
                        .symbol = kSymbol, .qty = Qty{100}, .limit = Price{1'000}};
        // Every tenth order is left to expire: the tick driver's sweep ends it.
        const bool left_to_expire = k % 10 == 0;
        if (left_to_expire) order.expires_at = service->now() + absl::Milliseconds(20);
        const absl::StatusOr<ReservationId> held =
            until_answered([&] { return service->reserve_buy(order); });
        std::lock_guard lock(known_mu);
        if (!held.ok()) {
          // A retry whose explicit expiry has passed meanwhile is refused,
          // and its first try may have landed: ask by order id.
          if (left_to_expire && reason_of(held) == Reason::kExpiryInPast) {
            const absl::StatusOr<Reservation> r = service->reservation_for_order(order.order);
            if (r.ok()) known[order.order.value()] = r->id.value();
            continue;
          }
          problems.push_back("reserve: " + held.status().ToString());
          return;
        }
        known[order.order.value()] = held->value();
        if (left_to_expire) continue;
        const absl::Status released =
            until_answered([&] { return service->release_reservation(*held); });
        if (!released.ok()) problems.push_back("release: " + released.ToString());
      }
    });
  }
  // The tick driver publishes every millisecond, expiring what is due.
  std::thread ticks([&] {
    for (uint64_t tick = 1; !stop.load(); ++tick) {
      if (absl::Status s = service->end_of_tick(TickId{tick}); !s.ok()) {
        std::lock_guard lock(known_mu);
        problems.push_back("end_of_tick: " + s.ToString());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double connect_errors_before = metric(*metrics, "database_connection_errors_total");
  REQUIRE(pg_server().stop().ok());
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const double connect_errors = metric(*metrics, "database_connection_errors_total") -
                                connect_errors_before;
  REQUIRE(pg_server().start().ok());
  REQUIRE(eventually([&] { return service->store_up(); }, absl::Seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (std::thread& g : gateways) g.join();
  ticks.join();
  // The last orders left to expire: one more tick once they are due.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  REQUIRE(service->end_of_tick(TickId{1'000'000'000}).ok());

  INFO(refused.load() << " calls refused; " << connect_errors << " failed connects in 5 s");
  CHECK(problems.empty());
  for (const std::string& p : problems) UNSCOPED_INFO(p);
  // Backoff 10 ms doubling to 5 s, waits of at least half of each: at most
  // 11 tries in 5 s, plus the commit and the reload that found the outage.
  CHECK(connect_errors >= 3);
  CHECK(connect_errors <= 14);
  CHECK(refused.load() > 1'000);
  // No orphan: every stored reservation is one its caller was answered.
  const std::string stored = testing::query_value(
      url, "SELECT coalesce(string_agg(order_id || ':' || id || ':' || status, ',' ORDER BY id), "
           "'') FROM reservations");
  size_t rows = 0;
  for (const std::string& row :
       std::vector<std::string>(absl::StrSplit(stored, ',', absl::SkipEmpty()))) {
    ++rows;
    const std::vector<std::string> f = absl::StrSplit(row, ':');
    REQUIRE(f.size() == 3);
    const auto it = known.find(std::stoull(f[0]));
    INFO("stored reservation " << row);
    REQUIRE(it != known.end());
    CHECK(std::to_string(it->second) == f[1]);
  }
  CHECK(rows == known.size());
  for (AccountId a : accounts) CHECK(service->active_reservations(a).value().empty());
  CHECK(service->audit().ok());
}

TEST_CASE("audits beside a live ledger never fail falsely", "[retry-safety][postgres][audit]") {
  const std::string url = testing::fresh_database_url();
  auto service = AccountService::open({.store = testing::open_store(url)}).value();
  const AccountId buyer = service->create_account("buyer", "Buyer").value();
  const AccountId seller = service->create_account("seller", "Seller").value();
  REQUIRE(service->credit(buyer, Cents{1'000'000'000}, EntryKind::kFantasyCredit, "c").ok());
  REQUIRE(service->issue_shares(seller, kSymbol, Qty{1'000'000'000}, "i").ok());
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> commands{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (uint64_t k = 1; !stop.load(); ++k) {
        const uint64_t base = (uint64_t(t + 1) << 40) | (k << 1);
        const OrderSpec b{.account = buyer, .order = OrderId{base}, .symbol = kSymbol,
                          .qty = Qty{100}, .limit = Price{1'000}};
        const OrderSpec s{.account = seller, .order = OrderId{base | 1}, .symbol = kSymbol,
                          .qty = Qty{100}, .limit = Price{1'000}};
        if (!service->reserve_buy(b).ok() || !service->reserve_sell(s).ok()) continue;
        (void)service->settle(Fill{.execution = ExecutionId{base}, .symbol = kSymbol,
                                   .qty = Qty{100}, .price = Price{1'000},
                                   .buyer = {buyer, b.order}, .seller = {seller, s.order},
                                   .tick = TickId{1}, .time = service->now()});
        commands += 3;
      }
    });
  }
  // The ledger's own audit, and an operator's beside it on a read-only session.
  auto beside = PostgresStore::open(url, {.application_name = "audit", .read_only = true});
  REQUIRE(beside.ok());
  int failed = 0;
  for (int i = 0; i < 50; ++i) {
    const AuditReport own = service->audit();
    const AuditReport stored = audit_store(**beside, service->limits(), service->now());
    for (const std::string& v : own.violations) UNSCOPED_INFO("own audit: " << v);
    for (const std::string& v : stored.violations) UNSCOPED_INFO("store audit: " << v);
    failed += !own.ok() + !stored.ok();
  }
  stop = true;
  for (std::thread& w : writers) w.join();
  INFO(commands.load() << " commands ran beside 100 audits");
  CHECK(failed == 0);
  CHECK(commands.load() > 100);
}

}  // namespace
}  // namespace account
