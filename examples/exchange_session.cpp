// Exchange session: eight and a third simulated days of Waiver Exchange trading, in a few seconds,
// on a ledger kept in a SQLite file that a restart part-way through reopens.
//
// Twenty fantasy managers are funded from their season points ($10 a point), and a market maker
// gets share inventory of eight NFL players. Every simulated minute (one tick) the managers buy,
// sell back what they hold, cancel and extend orders; the market maker keeps a bid and an ask on
// every player. Each order goes through the ledger's gateway (reserve_buy / reserve_sell), then
// the engine's risk check against the RiskCache (the state published at the end of the previous
// tick), then a small price-time order book per player. The tick's fills are settled with one
// settle_batch() call; 5% of them are delivered a second time on purpose, and must come back
// DuplicateExecution. end_of_tick() then expires the reservations past their expiry (7 days by
// default, one day for "day orders"), whose notices take the orders off the books, and publishes
// risk for the next tick. An hourly job sweeps too, as a host may between ticks: it finds nothing
// left to expire.
//
// The ledger's store is a SQLite file (open_store("sqlite:..."), account::stores) in a fresh
// temporary directory, removed at the end. After day four the session restarts the ledger: it
// closes the service (and so the file), opens a new one on the same file, compares the state the
// new one loaded with the state the old one held, table by table, delivers again every fill
// applied so far (each must come back DuplicateExecution, from memory's 24-hour window or from
// the file), and trades on. With --memory the ledger is in memory (a MemoryStore) and there is
// no restart.
//
// The directory is on /dev/shm when there is one. Every commit waits for its fsync
// (synchronous=FULL), and the session commits some 34,000 times (each admitted order, cancel,
// extension and tick with fills): 8 s on a disk whose fdatasync takes 0.25 ms, nearly two minutes
// at 3 ms, where tmpfs makes it nothing (the whole run takes under a second), and a file removed
// at the end needs no disk. --dir DIR puts it under DIR instead, to watch the fsyncs.
//
// At the end it prints balances, volumes, denials, reservation statuses, conservation of cash
// and shares, and the ledger's own audit; it exits non-zero if any check fails, the restart's
// included.
//
//   build/release/examples/exchange_session               # SQLite, fixed seed
//   build/release/examples/exchange_session 7             # another seed; the run replays from it
//   build/release/examples/exchange_session --memory      # in memory, no restart
//   build/release/examples/exchange_session --dir /var/tmp
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/memory_store.h"
#include "account/notional.h"
#include "account/risk_cache.h"
#include "account/status.h"
#include "account/stores/open_store.h"

namespace {

using account::AccountId;
using account::Cents;
using account::ExecutionId;
using account::Fill;
using account::FillParty;
using account::OrderId;
using account::OrderSpec;
using account::Price;
using account::Qty;
using account::Reason;
using account::ReservationId;
using account::ReservationStatus;
using account::RiskVerdict;
using account::Side;
using account::SymbolId;
using account::TickId;
using account::kBpPerShare;

// --- Session parameters ----------------------------------------------------------------------

constexpr uint64_t kDefaultSeed = 20'261'123;
// One tick is one simulated minute; 12,000 of them span 8 days 8 hours, so orders left resting
// on the first day reach their 7-day default expiry before the end.
constexpr uint64_t kTradingTicks = 12'000;
constexpr absl::Duration kTickLength = absl::Minutes(1);
constexpr uint64_t kTicksPerDay = 24 * 60;
// The expiry job runs hourly, as a scheduler would run it.
constexpr uint64_t kExpiryJobEveryTicks = 60;
constexpr int kDuplicatePerMille = 50;  // 5% of fills are delivered twice.
// Fills of the first day redelivered at the end, when they are older than the ledger's 24-hour
// in-memory window: the ledger must answer them from the store.
constexpr size_t kLateRedeliveries = 25;
constexpr std::string_view kWeekKey = "2026:w12";
// The restart comes after this tick, at +4d 00:00, right after that day's progress line.
constexpr uint64_t kRestartAfterTick = 4 * kTicksPerDay + 1;
// Fills delivered again after the restart go in batches of this many.
constexpr size_t kRedeliveryBatch = 1'000;

struct Player {
  std::string_view name;
  std::string_view team;
  int64_t price_cents;  // Opening price, cents per share.
};

constexpr std::array<Player, 8> kPlayers{{
    {"Josh Allen", "BUF", 38'500},
    {"Lamar Jackson", "BAL", 34'000},
    {"Christian McCaffrey", "SF", 29'800},
    {"Justin Jefferson", "MIN", 26'500},
    {"Ja'Marr Chase", "CIN", 23'000},
    {"Bijan Robinson", "ATL", 17'500},
    {"Puka Nacua", "LAR", 9'200},
    {"Jake Ferguson", "DAL", 2'400},
}};

constexpr std::array<std::string_view, 20> kManagers{
    "Avery Brooks",  "Jordan Ellis",   "Casey Morgan",  "Riley Chen",    "Taylor Nguyen",
    "Morgan Patel",  "Jamie Rivera",   "Drew Kowalski", "Quinn Foster",  "Skyler Adams",
    "Reese Okafor",  "Cameron Lindqvist", "Parker Diaz", "Hayden Brooks-Lee", "Rowan Schmidt",
    "Emerson Grant", "Finley Ortega",  "Sage Whitaker", "Blake Tanaka",  "Dakota Moreau",
};

// --- Formatting --------------------------------------------------------------------------------

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string count(int64_t n) { return n < 0 ? "-" + grouped(-n) : grouped(n); }

std::string usd(Cents cents) {
  const int64_t v = cents.value();
  const uint64_t abs = v < 0 ? uint64_t(0) - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return fmt::format("{}${}.{:02}", v < 0 ? "-" : "", grouped(abs / 100), abs % 100);
}

std::string usd(Price price) { return usd(Cents{price.cents_per_share()}); }

std::string shares(Qty qty) {
  const uint64_t bp = static_cast<uint64_t>(std::max<int64_t>(qty.value(), 0));
  return fmt::format("{}.{:04}", grouped(bp / kBpPerShare), bp % kBpPerShare);
}

// Time since the session opened, e.g. "+7d 00:59".
std::string sim_time(absl::Duration since_open) {
  const int64_t minutes = absl::ToInt64Minutes(since_open);
  return fmt::format("+{}d {:02}:{:02}", minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
}

// --- Deterministic randomness -------------------------------------------------------------------

// mt19937_64 is specified bit for bit; the standard distributions are not, so a seed replays
// the same session only with our own (slightly biased, harmless here) range reduction.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(engine_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool per_mille(int64_t p) { return between(0, 999) < p; }

 private:
  std::mt19937_64 engine_;
};

// --- Order book (the example's stand-in for the matching engine) -------------------------------

struct BookOrder {
  OrderId order;
  AccountId account;
  Price limit;
  Qty remaining;
};

struct Match {
  FillParty buyer;
  FillParty seller;
  Qty qty;
  Price price;
};

// One player's book with price-time priority. An incoming order trades at the resting order's
// price. Self-trade prevention cancels the newest: an incoming order that would trade with the
// same account's resting order stops there and its remainder does not rest.
class OrderBook {
 public:
  std::vector<Match> submit(Side side, BookOrder incoming, bool& self_trade);
  bool remove(OrderId order);
  size_t depth() const { return bids_.size() + asks_.size(); }

 private:
  // Bids are keyed (-price, arrival), asks (price, arrival): begin() is the best price, and
  // the oldest order at that price.
  using Key = std::pair<int64_t, uint64_t>;
  using Ladder = std::map<Key, BookOrder>;

  Ladder bids_;
  Ladder asks_;
  std::unordered_map<uint64_t, std::pair<Side, Key>> where_;  // By order id.
  uint64_t arrivals_ = 0;
};

std::vector<Match> OrderBook::submit(Side side, BookOrder in, bool& self_trade) {
  const bool buy = side == Side::kBuy;
  Ladder& other = buy ? asks_ : bids_;
  std::vector<Match> out;
  self_trade = false;
  while (in.remaining.value() > 0 && !other.empty()) {
    auto best = other.begin();
    BookOrder& resting = best->second;
    if (buy ? resting.limit > in.limit : resting.limit < in.limit) break;
    if (resting.account == in.account) {
      self_trade = true;
      break;
    }
    const Qty qty = std::min(in.remaining, resting.remaining);
    const FillParty taker{in.account, in.order};
    const FillParty maker{resting.account, resting.order};
    out.push_back(buy ? Match{taker, maker, qty, resting.limit}
                      : Match{maker, taker, qty, resting.limit});
    in.remaining -= qty;
    resting.remaining -= qty;
    if (resting.remaining.value() == 0) {
      where_.erase(resting.order.value());
      other.erase(best);
    }
  }
  if (in.remaining.value() > 0 && !self_trade) {
    const int64_t price = in.limit.cents_per_share();
    const Key key{buy ? -price : price, ++arrivals_};
    (buy ? bids_ : asks_).emplace(key, in);
    where_.emplace(in.order.value(), std::pair{side, key});
  }
  return out;
}

bool OrderBook::remove(OrderId order) {
  auto it = where_.find(order.value());
  if (it == where_.end()) return false;
  (it->second.first == Side::kBuy ? bids_ : asks_).erase(it->second.second);
  where_.erase(it);
  return true;
}

// --- Expiry notifications -----------------------------------------------------------------------

struct ExpiredOrder {
  AccountId account;
  OrderId order;
  ReservationId reservation;
};

// Collects the ledger's expiry notifications; the session takes them after each expiry run to
// take the orders off the books (a real sink would message the user).
class ExpirySink final : public account::NotificationSink {
 public:
  void on_order_expired(uint64_t, AccountId account, OrderId order,
                        ReservationId reservation) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back({account, order, reservation});
    ++received_;
  }
  std::vector<ExpiredOrder> take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(pending_, {});
  }
  int64_t received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<ExpiredOrder> pending_;
  int64_t received_ = 0;
};

// --- Session -------------------------------------------------------------------------------------

struct Trader {
  AccountId id;
  std::string name;
  Cents credited;                  // Cash this session credited to the account.
  std::vector<OrderId> recent;     // Newest orders, open or not, for cancels and extensions.
};

// What the session expects of each reserved order; checked against the ledger at the end.
struct OrderRecord {
  AccountId account;
  size_t player = 0;
  Side side = Side::kBuy;
  ReservationId reservation;
  Price limit;
  Qty remaining;
  absl::Time created_at;
  ReservationStatus expected = ReservationStatus::kActive;
};

struct Stats {
  int64_t orders_sent = 0;
  int64_t orders_admitted = 0;
  int64_t self_trade_releases = 0;
  int64_t fills_applied = 0;
  int64_t fills_failed = 0;
  int64_t duplicates_sent = 0;
  int64_t duplicates_refused = 0;
  int64_t duplicates_not_refused = 0;
  int64_t late_duplicates_refused = 0;
  int64_t late_duplicates_not_refused = 0;
  bool conflict_refused = false;
  int64_t cancels = 0;
  int64_t requotes = 0;
  int64_t extensions = 0;
  int64_t expired_by_job = 0;
  int64_t expiries_taken = 0;  // Notices taken off the sink: every expiry, tick's or job's.
  int64_t expiries_printed = 0;
  int64_t cancels_already_ended = 0;  // Cancels answered OK for an order ended by its owner.
  int64_t gateway_retries = 0;        // Orders sent twice, answered the same reservation.
  int64_t fantasy_reruns_refused = 0;
  int64_t audits_run = 0;
  int64_t audit_violations = 0;
  int64_t audit_lines_printed = 0;
  int64_t unexpected_errors = 0;
  std::map<std::pair<std::string_view, Reason>, int64_t> denials;
  std::map<RiskVerdict, int64_t> verdicts;
  std::vector<int64_t> fills_by_player = std::vector<int64_t>(kPlayers.size());
  std::vector<Qty> volume_by_player = std::vector<Qty>(kPlayers.size());
  std::vector<Cents> notional_by_player = std::vector<Cents>(kPlayers.size());
};

// A fresh directory for the ledger file, removed with what is in it when the session ends.
class ScratchDirectory {
 public:
  // Under `base`, or when it is empty under /dev/shm (see the file comment), else the system's
  // temporary directory. Empty path() when it could not be made.
  explicit ScratchDirectory(std::string base);
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ScratchDirectory::ScratchDirectory(std::string base) {
  std::error_code error;
  if (base.empty()) {
    base = ::access("/dev/shm", W_OK | X_OK) == 0
               ? "/dev/shm"
               : std::filesystem::temp_directory_path(error).string();
  }
  std::string pattern =
      std::filesystem::absolute(base, error).string() + "/exchange-session-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

// A file path as the path of a sqlite: URL: every byte but letters, digits and "/._-" is
// percent-encoded, so that a '%', '?', '#' or space in the directory's name reads as itself.
std::string sqlite_url(std::string_view path) {
  std::string out = "sqlite:";
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '/' || c == '.' || c == '_' || c == '-') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// Figures of a ledger's state, and whether each of its tables equals another state's row for
// row: what the restart prints.
struct StateComparison {
  std::vector<std::array<std::string, 4>> rows;  // What, before, after, "same" or "DIFFERENT".
  bool identical = true;
};

template <typename Row>
void compare_table(StateComparison& out, std::string_view what, const std::vector<Row>& before,
                   const std::vector<Row>& after) {
  const bool same = before == after;
  out.identical = out.identical && same;
  std::string verdict = "same";
  if (!same) {
    size_t i = 0;
    while (i < before.size() && i < after.size() && before[i] == after[i]) ++i;
    verdict = fmt::format("DIFFERENT from row {}", i + 1);
  }
  out.rows.push_back({std::string(what), count(static_cast<int64_t>(before.size())),
                      count(static_cast<int64_t>(after.size())), verdict});
}

void compare_sum(StateComparison& out, std::string_view what, Cents before, Cents after) {
  out.identical = out.identical && before == after;
  out.rows.push_back(
      {std::string(what), usd(before), usd(after), before == after ? "same" : "DIFFERENT"});
}

StateComparison compare_states(const account::LedgerSnapshot& before,
                               const account::LedgerSnapshot& after) {
  const auto cash = [](const account::LedgerSnapshot& s) {
    Cents sum;
    for (const account::Account& a : s.accounts) sum += a.cash;
    return sum;
  };
  const auto held = [](const account::LedgerSnapshot& s) {
    Cents sum;
    for (const account::Reservation& r : s.reservations) {
      if (r.status == ReservationStatus::kActive) sum += r.reserved_cash;
    }
    return sum;
  };
  StateComparison out;
  compare_table(out, "accounts", before.accounts, after.accounts);
  compare_sum(out, "cash, all accounts", cash(before), cash(after));
  compare_sum(out, "cash held for open buy orders", held(before), held(after));
  compare_table(out, "positions", before.positions, after.positions);
  compare_table(out, "reservations (open and ended)", before.reservations, after.reservations);
  compare_table(out, "fills in the dedupe window", before.executions, after.executions);
  compare_table(out, "trades in memory", before.trades, after.trades);
  compare_table(out, "credits and share issues", before.entries, after.entries);
  const bool high_water = before.reservation_id_high_water == after.reservation_id_high_water;
  out.identical = out.identical && high_water;
  out.rows.push_back({"last reservation id", count(static_cast<int64_t>(
                                                 before.reservation_id_high_water)),
                      count(static_cast<int64_t>(after.reservation_id_high_water)),
                      high_water ? "same" : "DIFFERENT"});
  return out;
}

class Session {
 public:
  // An empty `database_url` keeps the ledger in memory (a MemoryStore), with no restart.
  Session(uint64_t seed, std::string database_url);
  bool setup();
  void run();
  bool report();

 private:
  // Opens the service (and, on a file, its store) and registers the engine's risk reader.
  absl::Status open_ledger();
  // Closes the ledger and opens a new one on the same file; checks what it loaded and that
  // every fill applied so far is a duplicate to it.
  void restart();
  void redeliver_applied_fills();
  void fund_managers();
  void stock_market_maker();
  void run_tick(uint64_t tick);
  void print_progress();
  void move_prices();
  void run_expiry_job();
  // Takes the expiry notices the ledger sent and closes their orders.
  void take_expiry_notices();
  void run_manager_upkeep();
  std::optional<OrderId> pick_open(const Trader& trader, std::optional<Side> side);
  void cancel(Trader& trader, OrderId order);
  void extend(Trader& trader);
  void replace(Trader& trader);
  void requote_market_maker();
  void quote_market_maker();
  void run_manager_order();
  void buy(Trader& trader, size_t player);
  void sell_back(Trader& trader);
  void place(Trader& trader, size_t player, Side side, Qty qty, Price limit,
             std::optional<absl::Time> expires_at = std::nullopt);
  std::optional<ReservationId> admit(const OrderSpec& spec, Side side);
  void record_matches(size_t player, const std::vector<Match>& matches);
  void settle_tick();
  void release_after_settlement();
  void end_tick(uint64_t tick);
  void redeliver_late_fills();
  void count_denial(std::string_view command, const absl::Status& status);
  void close(OrderId order, ReservationStatus status);
  bool open(OrderId order) const;
  Price price_near(size_t player, int64_t basis_points) const;
  Trader& trader_of(AccountId id);

  // A result the session did not plan for: printed as it happens (the first few), counted, and
  // turned into a non-zero exit.
  template <typename... Args>
  void expect(bool ok, fmt::format_string<Args...> message, Args&&... args) {
    if (!ok && ++stats_.unexpected_errors <= 10) {
      fmt::print(message, std::forward<Args>(args)...);
    }
  }

  void print_accounts() const;
  void print_players() const;
  void print_settlement() const;
  void print_orders() const;
  bool print_reservations() const;
  bool print_conservation() const;
  account::AuditReport run_audit();
  bool print_audit();

  Rng rng_;
  uint64_t seed_;
  std::string database_url_;  // Empty: in memory.
  std::string store_name_ = "the in-memory store";
  absl::Time open_time_;
  std::shared_ptr<account::ManualClock> clock_;
  std::shared_ptr<ExpirySink> sink_;
  std::unique_ptr<account::AccountService> service_;
  std::optional<account::RiskReader> reader_;  // Declared after service_: destroyed first.

  std::vector<Trader> managers_;
  Trader maker_;
  std::vector<int64_t> mids_;                  // Current price per player, cents per share.
  std::vector<OrderBook> books_ = std::vector<OrderBook>(kPlayers.size());
  std::vector<std::array<OrderId, 2>> quotes_; // Market maker's bid and ask per player.
  std::vector<Qty> issued_;
  std::unordered_map<uint64_t, OrderRecord> orders_;
  uint64_t next_order_ = 1;
  Cents credits_total_;

  uint64_t tick_ = 0;
  uint32_t fill_seq_ = 0;
  std::vector<Fill> tick_fills_;
  std::vector<Fill> redeliver_next_tick_;
  std::vector<Fill> first_day_fills_;
  std::vector<Fill> applied_fills_;  // Every fill the ledger applied, for the restart's check.
  bool restarted_ = false;
  bool restart_ok_ = true;
  std::vector<OrderId> release_after_settle_;
  Stats stats_;
};

Session::Session(uint64_t seed, std::string database_url)
    : rng_(seed),
      seed_(seed),
      database_url_(std::move(database_url)),
      // Sunday 23 November 2025, 21:00 Pacific: right after the weekly fantasy update.
      open_time_(absl::FromUnixSeconds(1'763'960'400)),
      clock_(std::make_shared<account::ManualClock>(open_time_)),
      sink_(std::make_shared<ExpirySink>()) {}

absl::Status Session::open_ledger() {
  account::AccountServiceOptions options{
      .store = std::make_shared<account::MemoryStore>(), .clock = clock_, .sink = sink_};
  // Finished reservations normally leave memory 7 days after they finish; the end-of-session
  // report looks up every order of the 8-day session, so keep them for the 30-day maximum.
  options.limits.finished_reservation_retention = absl::Hours(24 * 30);
  if (!database_url_.empty()) {
    // The one way a host opens the store DATABASE_URL names, PostgreSQL or SQLite.
    absl::StatusOr<account::OpenedStore> opened = account::open_store(database_url_);
    if (!opened.ok()) return opened.status();
    store_name_ = "the " + opened->name;
    options.store = std::move(opened->store);
  }
  auto service = account::AccountService::open(std::move(options));
  if (!service.ok()) return service.status();
  service_ = std::move(*service);
  auto reader = service_->risk_cache().register_reader();
  if (!reader.ok()) return reader.status();
  reader_.emplace(std::move(*reader));
  return absl::OkStatus();
}

bool Session::setup() {
  if (const absl::Status opened = open_ledger(); !opened.ok()) {
    fmt::print("cannot open the ledger: {}\n", opened.ToString());
    return false;
  }
  fmt::print("ledger: {}\n", store_name_);
  for (const Player& p : kPlayers) mids_.push_back(p.price_cents);
  quotes_.assign(kPlayers.size(), {});
  fund_managers();
  stock_market_maker();
  // Tick 1 is the pre-open: it publishes the funded accounts so that the engine's first checks
  // in tick 2 see them.
  tick_ = 1;
  end_tick(tick_);
  return stats_.unexpected_errors == 0;
}

void Session::fund_managers() {
  for (size_t i = 0; i < kManagers.size(); ++i) {
    const std::string google_id = fmt::format("google-sub-{:04}", i + 1);
    auto id = service_->create_account(google_id, kManagers[i]);
    expect(id.ok(), "create_account {}: {}\n", google_id, id.status().ToString());
    if (!id.ok()) continue;
    // Season points in hundredths (Sleeper's fpts + fpts_decimal), 800.00 to 1,800.00; at $10
    // a point, a hundredth of a point is 10 cents.
    const int64_t points_hundredths = rng_.between(80'000, 180'000);
    const Cents credit{points_hundredths * 10};
    const std::string key = fmt::format("fantasy:{}:{}", id->value(), kWeekKey);
    const absl::Status s =
        service_->credit(*id, credit, account::EntryKind::kFantasyCredit, key);
    expect(s.ok(), "credit {}: {}\n", key, s.ToString());
    // The weekly job may run twice; the idempotency key makes the second run a no-op.
    const absl::Status again =
        service_->credit(*id, credit, account::EntryKind::kFantasyCredit, key);
    if (account::reason_of(again) == Reason::kDuplicateEntry) ++stats_.fantasy_reruns_refused;
    credits_total_ += credit;
    managers_.push_back(Trader{*id, std::string(kManagers[i]), credit, {}});
  }
}

void Session::stock_market_maker() {
  auto id = service_->create_account("exchange-market-maker", "Waiver Exchange market maker");
  expect(id.ok(), "create market maker: {}\n", id.status().ToString());
  if (!id.ok()) return;
  // Cash for the market maker's bids; an operator adjustment counts as an external credit.
  const Cents float_cash{500'000'00};
  const absl::Status s = service_->credit(*id, float_cash, account::EntryKind::kAdjustment,
                                          fmt::format("market-maker:float:{}", kWeekKey));
  expect(s.ok(), "market maker float: {}\n", s.ToString());
  credits_total_ += float_cash;
  maker_ = Trader{*id, "Market maker", float_cash, {}};
  for (size_t i = 0; i < kPlayers.size(); ++i) {
    const Qty inventory{5'000 * kBpPerShare};
    const std::string key = fmt::format("issue:{}:{}", i + 1, kWeekKey);
    const absl::Status issued = service_->issue_shares(*id, SymbolId{i + 1}, inventory, key);
    expect(issued.ok(), "issue_shares {}: {}\n", key, issued.ToString());
    issued_.push_back(issued.ok() ? inventory : Qty{0});
  }
}

void Session::run() {
  for (uint64_t t = 2; t <= kTradingTicks + 1; ++t) {
    run_tick(t);
    if ((t - 1) % kTicksPerDay == 0 || t == kTradingTicks + 1) print_progress();
    if (t == kRestartAfterTick && !database_url_.empty()) restart();
  }
  redeliver_late_fills();
}

void Session::restart() {
  restarted_ = true;
  const account::LedgerSnapshot before = service_->snapshot();
  fmt::print("  {}  restart: the ledger closes, and a new one opens on the same file\n",
             sim_time(clock_->now() - open_time_));
  // The reader belongs to the old service's RiskCache: it goes first. The service holds the
  // only reference to its store, so the file is closed (and its writer lock released) here.
  reader_.reset();
  service_.reset();
  if (const absl::Status opened = open_ledger(); !opened.ok()) {
    fmt::print("  cannot open the ledger again: {}\n", opened.ToString());
    restart_ok_ = false;
    return;
  }
  const StateComparison state = compare_states(before, service_->snapshot());
  fmt::print("    {:<32} {:>13} {:>13}\n", "", "before", "after");
  for (const auto& [what, was, is, verdict] : state.rows) {
    fmt::print("    {:<32} {:>13} {:>13}   {}\n", what, was, is, verdict);
  }
  fmt::print("    state after the restart: {}\n",
             state.identical ? "identical to the state before it" : "DIFFERENT");
  restart_ok_ = state.identical;
  redeliver_applied_fills();
  // A host publishes the restored risk before the engine's next check: the new RiskCache has
  // nothing until then. The tick is the last one published, which the new service never saw.
  end_tick(tick_);
  restart_ok_ = restart_ok_ && service_->snapshot() == before;
}

void Session::redeliver_applied_fills() {
  // Fills older than the ledger's 24-hour window of the newest fill are not in memory: the
  // file's unique index answers for them.
  const absl::Time window_start =
      applied_fills_.empty() ? absl::InfinitePast()
                             : applied_fills_.back().time - absl::Hours(24);
  int64_t duplicates = 0;
  int64_t from_memory = 0;
  int64_t other = 0;
  for (size_t first = 0; first < applied_fills_.size(); first += kRedeliveryBatch) {
    const size_t n = std::min(kRedeliveryBatch, applied_fills_.size() - first);
    const auto results = service_->settle_batch(
        absl::MakeConstSpan(applied_fills_.data() + first, n));
    for (size_t i = 0; i < results.size(); ++i) {
      const bool duplicate = account::reason_of(results[i]) == Reason::kDuplicateExecution;
      ++(duplicate ? duplicates : other);
      if (duplicate && applied_fills_[first + i].time >= window_start) ++from_memory;
      expect(duplicate, "fill {} delivered again after the restart: {}\n",
             applied_fills_[first + i].execution.value(),
             results[i].ok() ? "applied" : results[i].status().ToString());
    }
  }
  fmt::print("    every fill applied before the restart, delivered again: {} of {} "
             "DuplicateExecution\n      ({} from the 24-hour window the new ledger loaded into "
             "memory, {} from the file's unique index)\n",
             count(duplicates), count(static_cast<int64_t>(applied_fills_.size())),
             count(from_memory), count(duplicates - from_memory));
  restart_ok_ = restart_ok_ && other == 0;
}

void Session::print_progress() {
  const account::AuditReport audit = run_audit();
  size_t resting = 0;
  for (const OrderBook& b : books_) resting += b.depth();
  fmt::print("  {}  fills {:>7}  resting orders {:>5}  expired {:>5}  audit {}\n",
             sim_time(clock_->now() - open_time_), count(stats_.fills_applied), resting,
             count(sink_->received()), audit.ok() ? "OK" : "FAILED");
}

void Session::run_tick(uint64_t tick) {
  tick_ = tick;
  fill_seq_ = 0;
  clock_->advance(kTickLength);
  move_prices();
  // Expiries and cancels run before any order of the tick, so none of them can finish a
  // reservation that has an unsettled fill of this tick.
  if (tick % kExpiryJobEveryTicks == 0) run_expiry_job();
  requote_market_maker();
  run_manager_upkeep();
  quote_market_maker();
  const int64_t orders = rng_.between(0, 3);
  for (int64_t i = 0; i < orders; ++i) run_manager_order();
  settle_tick();
  release_after_settlement();
  end_tick(tick);
}

void Session::move_prices() {
  for (size_t i = 0; i < mids_.size(); ++i) {
    // A random walk of up to 0.15% a minute, kept within 60%..140% of the opening price.
    const int64_t step = mids_[i] * rng_.between(-15, 15) / 10'000;
    mids_[i] = std::clamp(mids_[i] + step, kPlayers[i].price_cents * 6 / 10,
                          kPlayers[i].price_cents * 14 / 10);
  }
}

Price Session::price_near(size_t player, int64_t basis_points) const {
  return Price{std::max<int64_t>(100, mids_[player] * (10'000 + basis_points) / 10'000)};
}

void Session::run_expiry_job() {
  auto expired = service_->expire_due_reservations();
  expect(expired.ok(), "expire_due_reservations: {}\n", expired.status().ToString());
  if (expired.ok()) stats_.expired_by_job += static_cast<int64_t>(*expired);
  take_expiry_notices();
}

void Session::take_expiry_notices() {
  // Notices come from the ledger's notifier thread, just after the commit.
  expect(service_->await_notices(absl::Seconds(10)), "expiry notices not delivered in 10 s\n");
  for (const ExpiredOrder& e : sink_->take()) {
    ++stats_.expiries_taken;
    auto it = orders_.find(e.order.value());
    expect(it != orders_.end(), "expiry of unknown order {}\n", e.order.value());
    if (it == orders_.end()) continue;
    if (++stats_.expiries_printed <= 3) {
      fmt::print("  {}  expired: {}'s {} order {} for {} (reservation {})\n",
                 sim_time(clock_->now() - open_time_), trader_of(e.account).name,
                 account::side_name(it->second.side), e.order.value(),
                 kPlayers[it->second.player].name, e.reservation.value());
    }
    close(e.order, ReservationStatus::kExpired);
  }
}

void Session::run_manager_upkeep() {
  Trader& trader = managers_[static_cast<size_t>(rng_.between(0, managers_.size() - 1))];
  if (trader.recent.empty()) return;
  const int64_t roll = rng_.between(0, 999);
  if (roll < 120) {
    // Any recent order, open or not: a cancel that arrives after the fill is refused.
    const size_t pick = static_cast<size_t>(rng_.between(0, trader.recent.size() - 1));
    cancel(trader, trader.recent[pick]);
  } else if (roll < 170) {
    extend(trader);
  } else if (roll < 230) {
    replace(trader);
  }
}

std::optional<OrderId> Session::pick_open(const Trader& trader, std::optional<Side> side) {
  std::vector<OrderId> candidates;
  for (OrderId o : trader.recent) {
    if (open(o) && (!side || orders_.at(o.value()).side == *side)) candidates.push_back(o);
  }
  if (candidates.empty()) return std::nullopt;
  return candidates[static_cast<size_t>(rng_.between(0, candidates.size() - 1))];
}

void Session::cancel(Trader& trader, OrderId order) {
  const absl::Status s = service_->cancel_order(order);
  if (!s.ok()) return count_denial("cancel_order", s);
  if (!open(order)) {
    // Cancelled or released already: the state asked for holds, so the ledger answers OK.
    const ReservationStatus was = orders_.at(order.value()).expected;
    expect(was == ReservationStatus::kCancelled || was == ReservationStatus::kReleased,
           "cancel of {} order {} by {} succeeded\n", account::reservation_status_name(was),
           order.value(), trader.name);
    ++stats_.cancels_already_ended;
    return;
  }
  ++(trader.id == maker_.id ? stats_.requotes : stats_.cancels);
  close(order, ReservationStatus::kCancelled);
}

void Session::extend(Trader& trader) {
  const std::optional<OrderId> order = pick_open(trader, std::nullopt);
  if (!order) return;
  const OrderRecord& rec = orders_.at(order->value());
  // Usually one to five days past the default week; one request in twenty asks for 45 days,
  // past the 30-day maximum, and is refused.
  const int64_t days = rng_.per_mille(50) ? 45 : 7 + rng_.between(1, 5);
  const absl::Time to = std::max(rec.created_at + absl::Hours(24 * days),
                                 clock_->now() + absl::Hours(1));
  const absl::Status s = service_->extend_reservation(rec.reservation, to);
  if (!s.ok()) return count_denial("extend_reservation", s);
  ++stats_.extensions;
}

void Session::replace(Trader& trader) {
  // The manager gives up waiting and takes the offer: cancel a resting bid, then buy at the
  // market with the cash it held plus part of what else is free. The ledger sees the freed cash
  // at once; the engine's risk view is a tick behind and may refuse the new order.
  const std::optional<OrderId> order = pick_open(trader, Side::kBuy);
  if (!order) return;
  const OrderRecord old = orders_.at(order->value());
  auto held = service_->reservation(old.reservation);
  if (!held.ok()) return count_denial("reservation", held.status());
  cancel(trader, *order);
  auto available = service_->available_cash(trader.id);
  if (open(*order) || !available.ok()) return;
  const Cents rest = *available - held->reserved_cash;
  const Cents budget = held->reserved_cash + Cents{rest.value() * rng_.between(40, 100) / 100};
  const Price limit = price_near(old.player, 200);
  const Qty qty = *account::qty_for_notional(budget, limit);
  if (qty.value() > 0) place(trader, old.player, Side::kBuy, qty, limit);
}

void Session::requote_market_maker() {
  // A quote on the wrong side of the price, or more than 1.5% away from it, is pulled; a bid
  // left above the price would otherwise meet the market maker's own new ask.
  for (size_t p = 0; p < kPlayers.size(); ++p) {
    for (OrderId quote : quotes_[p]) {
      if (!open(quote)) continue;
      const OrderRecord& rec = orders_.at(quote.value());
      const int64_t off = (rec.limit.cents_per_share() - mids_[p]) * 10'000 / mids_[p];
      const int64_t outward = rec.side == Side::kBuy ? -off : off;
      if (outward <= 0 || outward > 150) cancel(maker_, quote);
    }
  }
}

void Session::quote_market_maker() {
  for (size_t p = 0; p < kPlayers.size(); ++p) {
    for (Side side : {Side::kBuy, Side::kSell}) {
      const size_t slot = side == Side::kBuy ? 0 : 1;
      if (open(quotes_[p][slot])) continue;
      // 0.5% either side of the price, $1,500 to $5,000 a quote.
      const Price limit = price_near(p, side == Side::kBuy ? -50 : 50);
      const Cents budget{rng_.between(1'500'00, 5'000'00)};
      const Qty qty = *account::qty_for_notional(budget, limit);
      const OrderId order{next_order_};
      place(maker_, p, side, qty, limit);
      quotes_[p][slot] = orders_.contains(order.value()) ? order : OrderId{};
    }
  }
}

void Session::run_manager_order() {
  Trader& trader = managers_[static_cast<size_t>(rng_.between(0, managers_.size() - 1))];
  if (rng_.per_mille(570)) {
    buy(trader, static_cast<size_t>(rng_.between(0, kPlayers.size() - 1)));
  } else {
    sell_back(trader);
  }
}

void Session::buy(Trader& trader, size_t player) {
  auto available = service_->available_cash(trader.id);
  if (!available.ok()) return count_denial("available_cash", available.status());
  // Most orders spend 2% to 12% of what is free; one in fifty overreaches by $250.
  Cents budget{available->value() * rng_.between(2, 12) / 100};
  if (rng_.per_mille(20)) budget = *available + Cents{250'00};
  const int64_t style = rng_.between(0, 99);
  std::optional<absl::Time> expires_at;
  Price limit;
  if (style < 55) {
    limit = price_near(player, 200);  // Marketable: crosses the market maker's ask.
  } else if (style < 85) {
    limit = price_near(player, -rng_.between(0, 300));  // A bid near the price.
    if (rng_.per_mille(300)) expires_at = clock_->now() + absl::Hours(24);  // Day order.
  } else {
    limit = price_near(player, -rng_.between(1'500, 2'500));  // A lowball that may sit a week.
  }
  const Qty qty = *account::qty_for_notional(budget, limit);
  if (qty.value() == 0) return;
  place(trader, player, Side::kBuy, qty, limit, expires_at);
}

void Session::sell_back(Trader& trader) {
  auto held = service_->positions(trader.id);
  if (!held.ok()) return count_denial("positions", held.status());
  std::vector<account::Position> sellable;
  for (const account::Position& p : *held) {
    if (p.available_qty().value() > 0) sellable.push_back(p);
  }
  if (sellable.empty()) return buy(trader, rng_.between(0, kPlayers.size() - 1));
  const account::Position& pos = sellable[rng_.between(0, sellable.size() - 1)];
  const size_t player = pos.symbol.value() - 1;
  // A quarter to all of what is free; one in fifty asks for a share more than is held.
  Qty qty{pos.available_qty().value() * rng_.between(25, 100) / 100};
  if (rng_.per_mille(20)) qty = pos.available_qty() + Qty{kBpPerShare};
  if (qty.value() == 0) return;
  const int64_t style = rng_.between(0, 99);
  Price limit;
  if (style < 55) {
    limit = price_near(player, -200);  // Marketable: hits the best bid.
  } else if (style < 85) {
    limit = price_near(player, rng_.between(0, 300));
  } else {
    limit = price_near(player, rng_.between(2'000, 3'000));  // Holding out for a big game.
  }
  place(trader, player, Side::kSell, qty, limit);
}

void Session::place(Trader& trader, size_t player, Side side, Qty qty, Price limit,
                    std::optional<absl::Time> expires_at) {
  const OrderSpec spec{.account = trader.id, .order = OrderId{next_order_++},
                       .symbol = SymbolId{player + 1}, .qty = qty, .limit = limit,
                       .expires_at = expires_at};
  ++stats_.orders_sent;
  const std::optional<ReservationId> reservation = admit(spec, side);
  if (!reservation) return;
  ++stats_.orders_admitted;
  trader.recent.push_back(spec.order);
  if (trader.recent.size() > 16) trader.recent.erase(trader.recent.begin());
  // One order in a hundred is retried by the gateway after a timeout: the ledger answers the
  // same reservation, and holds nothing twice.
  if (rng_.per_mille(10)) {
    auto retry = side == Side::kBuy ? service_->reserve_buy(spec) : service_->reserve_sell(spec);
    expect(retry.ok() && *retry == *reservation, "retry of order {}: {}\n", spec.order.value(),
           retry.ok() ? "another reservation" : retry.status().ToString());
    ++stats_.gateway_retries;
  }
  bool self_trade = false;
  const std::vector<Match> matches = books_[player].submit(
      side, BookOrder{spec.order, trader.id, limit, qty}, self_trade);
  record_matches(player, matches);
  // The engine dropped the rest of the order: release it once this tick's fills are settled.
  if (self_trade && open(spec.order)) release_after_settle_.push_back(spec.order);
}

std::optional<ReservationId> Session::admit(const OrderSpec& spec, Side side) {
  const bool buy = side == Side::kBuy;
  auto reserved = buy ? service_->reserve_buy(spec) : service_->reserve_sell(spec);
  if (!reserved.ok()) {
    count_denial(buy ? "reserve_buy" : "reserve_sell", reserved.status());
    return std::nullopt;
  }
  orders_.emplace(spec.order.value(),
                  OrderRecord{spec.account, spec.symbol.value() - 1, side, *reserved, spec.limit,
                              spec.qty, clock_->now()});
  // The engine's own check, against the state published at the end of the previous tick.
  const RiskVerdict verdict =
      buy ? reader_->check_buy(spec.account, spec.symbol, spec.qty,
                               *account::reserve_notional(spec.qty, spec.limit))
          : reader_->check_sell(spec.account, spec.symbol, spec.qty);
  ++stats_.verdicts[verdict];
  if (verdict == RiskVerdict::kAccept) return *reserved;
  const absl::Status released = service_->release_reservation(*reserved);
  expect(released.ok(), "release after risk reject: {}\n", released.ToString());
  close(spec.order, ReservationStatus::kReleased);
  return std::nullopt;
}

void Session::record_matches(size_t player, const std::vector<Match>& matches) {
  for (const Match& m : matches) {
    const Fill fill{.execution = ExecutionId{tick_ << 20 | ++fill_seq_},
                    .symbol = SymbolId{player + 1}, .qty = m.qty, .price = m.price,
                    .buyer = m.buyer, .seller = m.seller, .tick = TickId{tick_},
                    .time = clock_->now()};
    tick_fills_.push_back(fill);
    for (OrderId o : {m.buyer.order, m.seller.order}) {
      OrderRecord& rec = orders_.at(o.value());
      rec.remaining -= m.qty;
      if (rec.remaining.value() == 0) rec.expected = ReservationStatus::kSettled;
    }
  }
}

void Session::settle_tick() {
  std::vector<Fill> batch = std::exchange(tick_fills_, {});
  const size_t fresh = batch.size();
  std::vector<Fill> later;
  for (size_t i = 0; i < fresh; ++i) {
    if (tick_ - 1 < kTicksPerDay && first_day_fills_.size() < kLateRedeliveries) {
      first_day_fills_.push_back(batch[i]);
    }
    if (!rng_.per_mille(kDuplicatePerMille)) continue;
    // Half of the redeliveries come in the same batch, half with the next tick's.
    (rng_.per_mille(500) ? batch : later).push_back(batch[i]);
  }
  batch.insert(batch.end(), redeliver_next_tick_.begin(), redeliver_next_tick_.end());
  redeliver_next_tick_ = std::move(later);
  if (batch.empty()) return;
  const auto results = service_->settle_batch(batch);
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (i < fresh) {
      ++(r.ok() ? stats_.fills_applied : stats_.fills_failed);
      expect(r.ok(), "fill {} refused: {}\n", batch[i].execution.value(),
                    r.status().ToString());
      if (!r.ok()) continue;
      applied_fills_.push_back(batch[i]);
      const size_t p = batch[i].symbol.value() - 1;
      ++stats_.fills_by_player[p];
      stats_.volume_by_player[p] += batch[i].qty;
      stats_.notional_by_player[p] += r->notional;
      continue;
    }
    ++stats_.duplicates_sent;
    const bool refused = account::reason_of(r) == Reason::kDuplicateExecution;
    ++(refused ? stats_.duplicates_refused : stats_.duplicates_not_refused);
    expect(refused, "redelivered fill {} not refused as a duplicate: {}\n",
                  batch[i].execution.value(), r.ok() ? "applied" : r.status().ToString());
  }
}

void Session::release_after_settlement() {
  for (OrderId order : std::exchange(release_after_settle_, {})) {
    const OrderRecord& rec = orders_.at(order.value());
    if (rec.expected != ReservationStatus::kActive) continue;
    const absl::Status s = service_->release_reservation(rec.reservation);
    expect(s.ok(), "release after self-trade prevention: {}\n", s.ToString());
    ++stats_.self_trade_releases;
    close(order, ReservationStatus::kReleased);
  }
}

void Session::end_tick(uint64_t tick) {
  const absl::Status s = service_->end_of_tick(TickId{tick});
  expect(s.ok(), "end_of_tick {}: {}\n", tick, s.ToString());
  take_expiry_notices();
}

void Session::redeliver_late_fills() {
  // By now these fills are days older than the in-memory dedupe window.
  const auto results = service_->settle_batch(first_day_fills_);
  for (const auto& r : results) {
    const bool refused = account::reason_of(r) == Reason::kDuplicateExecution;
    ++(refused ? stats_.late_duplicates_refused : stats_.late_duplicates_not_refused);
    expect(refused, "late redelivery not refused: {}\n",
                  r.ok() ? "applied" : r.status().ToString());
  }
  if (first_day_fills_.empty()) return;
  // The same execution id with another quantity is a conflict, not a harmless duplicate.
  Fill altered = first_day_fills_.front();
  altered.qty += Qty{1};
  const auto conflict = service_->settle(altered);
  stats_.conflict_refused = account::reason_of(conflict) == Reason::kExecutionConflict;
  expect(stats_.conflict_refused, "altered redelivery not refused as a conflict: {}\n",
                conflict.ok() ? "applied" : conflict.status().ToString());
}

void Session::count_denial(std::string_view command, const absl::Status& status) {
  const std::optional<Reason> reason = account::reason_of(status);
  expect(reason.has_value(), "{}: {}\n", command, status.ToString());
  if (reason) ++stats_.denials[{command, *reason}];
}

void Session::close(OrderId order, ReservationStatus status) {
  OrderRecord& rec = orders_.at(order.value());
  rec.expected = status;
  books_[rec.player].remove(order);
}

bool Session::open(OrderId order) const {
  auto it = orders_.find(order.value());
  return it != orders_.end() && it->second.expected == ReservationStatus::kActive;
}

Trader& Session::trader_of(AccountId id) {
  for (Trader& t : managers_) {
    if (t.id == id) return t;
  }
  return maker_;
}

// --- Report -----------------------------------------------------------------------------------

void Session::print_accounts() const {
  fmt::print("\nAccounts\n");
  fmt::print("  {:<29} {:>12} {:>12} {:>12} {:>9} {:>13}\n", "name", "credited", "cash",
             "available", "positions", "realized P&L");
  std::vector<const Trader*> all;
  for (const Trader& t : managers_) all.push_back(&t);
  all.push_back(&maker_);
  for (const Trader* t : all) {
    const auto acct = service_->get_account(t->id);
    const auto held = service_->positions(t->id);
    if (!acct.ok() || !held.ok()) continue;
    int64_t holding = 0;
    Cents realized;
    for (const account::Position& p : *held) {
      holding += p.qty.value() > 0 ? 1 : 0;
      realized += p.realized_pnl;
    }
    fmt::print("  {:<29} {:>12} {:>12} {:>12} {:>9} {:>13}\n", acct->display_name,
               usd(t->credited), usd(acct->cash), usd(acct->available_cash()), holding,
               usd(realized));
  }
}

void Session::print_players() const {
  fmt::print("\nPlayers\n");
  fmt::print("  {:<20} {:<4} {:>9} {:>9} {:>7} {:>12} {:>14}\n", "player", "team", "open",
             "close", "fills", "shares", "notional");
  for (size_t i = 0; i < kPlayers.size(); ++i) {
    fmt::print("  {:<20} {:<4} {:>9} {:>9} {:>7} {:>12} {:>14}\n", kPlayers[i].name,
               kPlayers[i].team, usd(Price{kPlayers[i].price_cents}), usd(Price{mids_[i]}),
               count(stats_.fills_by_player[i]), shares(stats_.volume_by_player[i]),
               usd(stats_.notional_by_player[i]));
  }
}

void Session::print_settlement() const {
  fmt::print("\nSettlement\n");
  fmt::print("  fills applied                   {:>9}\n", count(stats_.fills_applied));
  fmt::print("  fills refused                   {:>9}\n", count(stats_.fills_failed));
  fmt::print("  redeliveries (same/next tick)   {:>9}   refused as DuplicateExecution {}\n",
             count(stats_.duplicates_sent), count(stats_.duplicates_refused));
  fmt::print("  redeliveries after the window   {:>9}   refused as DuplicateExecution {}\n",
             count(stats_.late_duplicates_refused + stats_.late_duplicates_not_refused),
             count(stats_.late_duplicates_refused));
  fmt::print("  altered redelivery              {:>9}\n",
             stats_.conflict_refused ? "refused as ExecutionConflict" : "NOT REFUSED");
}

void Session::print_orders() const {
  fmt::print("\nOrders\n");
  fmt::print("  sent to the gateway                     {:>9}\n", count(stats_.orders_sent));
  fmt::print("  reserved, then passed the risk check    {:>9}\n",
             count(stats_.orders_admitted));
  fmt::print("  cancelled by managers                   {:>9}\n", count(stats_.cancels));
  fmt::print("  pulled by the market maker to requote   {:>9}\n", count(stats_.requotes));
  fmt::print("  extended                                {:>9}\n", count(stats_.extensions));
  fmt::print("  released after self-trade prevention    {:>9}\n",
             count(stats_.self_trade_releases));
  fmt::print("  engine risk checks (a refused order is released):\n   ");
  for (const auto& [verdict, n] : stats_.verdicts) {
    fmt::print(" {} {}", account::risk_verdict_name(verdict), count(n));
  }
  fmt::print("\n  fantasy credit job re-run: {} of {} credits refused as DuplicateEntry\n",
             stats_.fantasy_reruns_refused, managers_.size());
  fmt::print("  denials by command and reason\n");
  for (const auto& [key, n] : stats_.denials) {
    fmt::print("    {:<20} {:<26} {:>7}\n", key.first, account::reason_name(key.second),
               count(n));
  }
}

bool Session::print_reservations() const {
  std::map<ReservationStatus, int64_t> by_status;
  int64_t mismatches = 0;
  for (const auto& [order, rec] : orders_) {
    auto r = service_->reservation(rec.reservation);
    const ReservationStatus status = r.ok() ? r->status : ReservationStatus{0};
    ++by_status[status];
    if (status == rec.expected) continue;
    if (++mismatches <= 5) {
      fmt::print("  order {}: ledger says {}, the session expected {}\n", order,
                 r.ok() ? account::reservation_status_name(status) : r.status().ToString(),
                 account::reservation_status_name(rec.expected));
    }
  }
  fmt::print("\nReservations (one per reserved order: {})\n ",
             count(static_cast<int64_t>(orders_.size())));
  for (const auto& [status, n] : by_status) {
    const bool known = status != ReservationStatus{0};
    fmt::print(" {} {}", known ? account::reservation_status_name(status) : "not found",
               count(n));
  }
  fmt::print("\n  expiry notifications received {}, taken off the books {} (the hourly job "
             "expired {}); cancels of orders already ended by their owner {}; orders sent twice by the gateway, "
             "answered their reservation {}\n",
             count(sink_->received()), count(stats_.expiries_taken),
             count(stats_.expired_by_job), count(stats_.cancels_already_ended),
             count(stats_.gateway_retries));
  fmt::print("  statuses that differ from the session's own books: {}\n", mismatches);
  return mismatches == 0 && sink_->received() == stats_.expiries_taken;
}

bool Session::print_conservation() const {
  Cents cash;
  std::vector<Qty> held(kPlayers.size());
  std::vector<const Trader*> all;
  for (const Trader& t : managers_) all.push_back(&t);
  all.push_back(&maker_);
  for (const Trader* t : all) {
    cash += service_->cash(t->id).value_or(Cents{0});
    for (size_t p = 0; p < kPlayers.size(); ++p) {
      auto pos = service_->position(t->id, SymbolId{p + 1});
      if (pos.ok() && pos->has_value()) held[p] += (*pos)->qty;
    }
  }
  const bool cash_ok = cash == credits_total_;
  bool shares_ok = true;
  for (size_t p = 0; p < kPlayers.size(); ++p) shares_ok = shares_ok && held[p] == issued_[p];
  fmt::print("\nConservation\n");
  fmt::print("  sum of cash {} {} sum of credits {}\n", usd(cash), cash_ok ? "==" : "!=",
             usd(credits_total_));
  fmt::print("  shares held per player {} shares issued\n", shares_ok ? "==" : "!=");
  return cash_ok && shares_ok;
}

account::AuditReport Session::run_audit() {
  account::AuditReport audit = service_->audit();
  ++stats_.audits_run;
  stats_.audit_violations += static_cast<int64_t>(audit.violations.size());
  for (const std::string& v : audit.violations) {
    if (++stats_.audit_lines_printed <= 20) fmt::print("  audit violation: {}\n", v);
  }
  return audit;
}

bool Session::print_audit() {
  const account::AuditReport audit = run_audit();
  fmt::print("\naudit: {} (final audit, plus {} during the session; {} violations in all)\n",
             audit.ok() ? "OK" : "FAILED", stats_.audits_run - 1, stats_.audit_violations);
  return stats_.audit_violations == 0;
}

bool Session::report() {
  print_accounts();
  print_players();
  print_settlement();
  print_orders();
  const bool statuses_ok = print_reservations();
  const bool conserved = print_conservation();
  const bool audited = print_audit();
  if (restarted_) {
    fmt::print("restart: {}\n", restart_ok_ ? "OK (the state it loaded was the state it closed "
                                              "with; every fill delivered again was a duplicate)"
                                            : "FAILED");
  }
  const bool ok = statuses_ok && conserved && audited && stats_.fills_failed == 0 &&
                  stats_.duplicates_not_refused == 0 &&
                  stats_.late_duplicates_not_refused == 0 && stats_.conflict_refused &&
                  stats_.unexpected_errors == 0 && restart_ok_;
  fmt::print("session: {} (seed {}, {} unexpected results, ledger in {})\n", ok ? "OK" : "FAILED",
             seed_, stats_.unexpected_errors, store_name_);
  return ok;
}

struct Arguments {
  uint64_t seed = kDefaultSeed;
  bool memory = false;
  std::string dir;  // Where the scratch directory goes; empty: see ScratchDirectory.
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
  Arguments out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--memory") {
      out.memory = true;
    } else if (arg == "--dir" && i + 1 < argc) {
      out.dir = argv[++i];
    } else if (!arg.empty() && arg.find_first_not_of("0123456789") == std::string_view::npos) {
      out.seed = std::strtoull(argv[i], nullptr, 10);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Arguments> args = parse_arguments(argc, argv);
  if (!args) {
    fmt::print(stderr, "usage: exchange_session [--memory | --dir DIR] [SEED]\n");
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  fmt::print("Waiver Exchange session: {} managers, {} players, {} one-minute ticks, seed {}\n",
             kManagers.size(), kPlayers.size(), count(kTradingTicks), args->seed);
  std::optional<ScratchDirectory> scratch;
  std::string url;
  if (!args->memory) {
    scratch.emplace(args->dir);
    if (scratch->path().empty()) {
      fmt::print("cannot make a temporary directory under {}\n",
                 args->dir.empty() ? "/dev/shm or the system's" : args->dir);
      return 1;
    }
    url = sqlite_url(scratch->path() + "/ledger.db");
  }
  bool ok = false;
  {
    Session session(args->seed, url);  // Closed before the directory is removed.
    if (!session.setup()) return 1;
    session.run();
    ok = session.report();
  }
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  fmt::print("ran in {:.2f} s{}\n", wall.count(),
             scratch ? "; the temporary directory is removed" : "");
  return ok ? 0 : 1;
}
