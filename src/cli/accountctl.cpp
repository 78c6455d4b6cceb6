#include "accountctl.h"

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "account/account_service.h"
#include "account/fantasy/fantasy_funding_service.h"
#include "account/health.h"
#include "account/status.h"
#include "fmt/format.h"
#include "journal_commands.h"
#include "text_table.h"

namespace account::cli {
namespace {

using Align = TextTable::Align;

// --- Arguments ---------------------------------------------------------------

// The options of one command: flags (--all) and valued options (--account 7),
// then positional arguments. Each command names the ones it accepts.
struct Args {
  std::map<std::string, std::string> options;  // "--account" -> "7"; flags -> ""
  std::vector<std::string> positional;
  bool help = false;
};

struct OptionSpec {
  std::string_view name;       // "--account"
  bool takes_value = false;
  std::string_view help;
};

}  // namespace

int exit_code_for(const absl::Status& status) {
  if (std::optional<Reason> reason = reason_of(status)) {
    if (*reason == Reason::kAccountNotFound || *reason == Reason::kSleeperNotFound) {
      return kExitNotFound;
    }
    // Sleeper refusing what we ask is the base URL's fault (SLEEPER_API_BASE_URL).
    if (*reason == Reason::kSleeperRejected) return kExitConfig;
    if (transient(*reason)) return kExitUnavailable;
    return kExitFailed;
  }
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kInvalidArgument:  // A store or client refusing its settings.
      return kExitConfig;
    default:
      return kExitFailed;
  }
}

namespace {

std::string text_of(const absl::Status& status) { return std::string(status.message()); }

// A failure to open the store, as exit_code_for() should read it: a
// database or SQLite file (or its directory) that does not exist, a user or
// password refused, a file this process may not write, a malformed URL, a
// store this build lacks are the configuration's fault (3), not an account
// missing (5) or a refusal (6). Unreachable stays 4; another writer holding
// the store, 6; a damaged SQLite file (DataLoss), 6.
absl::Status as_open_failure(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnimplemented:
      return absl::InvalidArgumentError(status.message());
    default:
      return status;
  }
}

struct Command;

struct Run {
  CliContext& ctx;
  const Command& command;
  Args args;
  Config config;

  void out(std::string_view text) const { std::fwrite(text.data(), 1, text.size(), ctx.out); }
  void err(std::string_view text) const { std::fwrite(text.data(), 1, text.size(), ctx.err); }
  template <typename... T>
  void outf(fmt::format_string<T...> format, T&&... values) const {
    out(fmt::format(format, std::forward<T>(values)...));
  }
  template <typename... T>
  int fail(int code, fmt::format_string<T...> format, T&&... values) const {
    err(fmt::format("accountctl: {}\n", fmt::format(format, std::forward<T>(values)...)));
    return code;
  }
  // Reports a failed call (store, Sleeper, ledger) with the exit code its
  // status maps to.
  int fail(const absl::Status& status) const {
    return fail(exit_code_for(status), "{}", text_of(status));
  }
  bool has(std::string_view option) const {
    return args.options.count(std::string(option)) > 0;
  }
};

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;        // After "accountctl <name>".
  std::string_view description;  // Paragraph for --help.
  std::vector<OptionSpec> options;
  size_t positional_max = 0;
  int (*handler)(Run& run) = nullptr;
};


// --- Opening what a command needs ---------------------------------------------------

struct Opened {
  OpenedStore store;
  std::unique_ptr<AccountService> service;
};

absl::StatusOr<Opened> open_service(Run& run, StoreMode mode) {
  Opened opened;
  absl::StatusOr<OpenedStore> store = run.ctx.open_store(run.config, mode);
  if (!store.ok()) return as_open_failure(store.status());
  opened.store = *std::move(store);
  AccountServiceOptions options{
      .store = opened.store.store,
      .clock = run.ctx.clock,
      .limits = ledger_limits_from_config(run.config)};
  ACCOUNT_ASSIGN_OR_RETURN(opened.service, AccountService::open(std::move(options)));
  return opened;
}

// An account named by id ("7") or, with --google, by Google id.
absl::StatusOr<AccountId> account_argument(const Run& run, const AccountService& service,
                                           std::string_view text) {
  if (run.has("--google")) return service.get_account_id_by_user_id(text);
  uint64_t id = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &id) || id == 0) {
    return absl::InvalidArgumentError(
        fmt::format("\"{}\" is not an account id (use --google for a Google id)", text));
  }
  return AccountId{id};
}

// A progress line on stderr: rewritten in place on a terminal, otherwise
// one line per tenth of the run (and the last), so logs stay short.
class ProgressLine {
 public:
  ProgressLine(const Run& run, std::string_view what) : run_(run), what_(what) {}
  void update(size_t done, size_t total) {
    if (run_.ctx.err_is_terminal) {
      run_.err(fmt::format("\r{} {}/{}", what_, done, total));
      if (done == total) run_.err("\n");
      return;
    }
    const size_t step = std::max<size_t>(1, total / 10);
    if (done % step == 0 || done == total) {
      run_.err(fmt::format("{} {}/{}\n", what_, done, total));
    }
  }

 private:
  const Run& run_;
  std::string_view what_;
};

// --- Commands ------------------------------------------------------------------

void print_account(const Run& run, const Account& a, Cents available) {
  run.outf("Account {} \"{}\" (google id {})\n", a.id.value(), a.display_name, a.google_id);
  const auto field = [&run](std::string_view name, const std::string& value) {
    run.outf("  {:<15}{}\n", name, value);
  };
  field("created", format_time(a.created_at));
  field("cash", format_dollars(a.cash));
  field("available", format_dollars(available));
  field("reserved", format_dollars(a.reserved_cash));
  field("open notional", format_dollars(a.open_notional));
  field("sleeper", a.sleeper ? fmt::format("league {} (user {} \"{}\", season {}, roster {})",
                                           a.sleeper->league_id, a.sleeper->user_id,
                                           a.sleeper->username, a.sleeper->season,
                                           a.sleeper->roster_id)
                             : std::string("not linked"));
}

int show(Run& run) {
  if (run.args.positional.size() != 1) {
    return run.fail(kExitUsage, "show needs one account (try: accountctl show --help)");
  }
  // Every argument is checked before the store is opened or anything printed.
  size_t limit = 20;
  if (run.has("--trades")) {
    const std::string& text = run.args.options.at("--trades");
    if (!absl::SimpleAtoi(absl::string_view(text), &limit) || limit > 10'000) {
      return run.fail(kExitUsage, "--trades takes a count from 0 to 10000, got \"{}\"", text);
    }
  }
  absl::StatusOr<Opened> opened = open_service(run, StoreMode::kReadOnly);
  if (!opened.ok()) return run.fail(opened.status());
  const AccountService& service = *opened->service;
  absl::StatusOr<AccountId> id = account_argument(run, service, run.args.positional[0]);
  if (!id.ok()) {
    const int code = id.status().code() == absl::StatusCode::kInvalidArgument
                         ? kExitUsage
                         : exit_code_for(id.status());
    return run.fail(code, "{}", text_of(id.status()));
  }
  absl::StatusOr<Account> account = service.get_account(*id);
  if (!account.ok()) return run.fail(account.status());
  print_account(run, *account, service.available_cash(*id).value_or(Cents{0}));

  const std::vector<Position> positions = service.positions(*id).value_or(std::vector<Position>{});
  run.outf("\nPositions ({})\n", positions.size());
  if (!positions.empty()) {
    TextTable table({{"SYMBOL", Align::kRight}, {"SHARES", Align::kRight},
                     {"COST BASIS", Align::kRight}, {"REALIZED P&L", Align::kRight},
                     {"SELL RESERVED", Align::kRight}, {"BUY PENDING", Align::kRight}});
    for (const Position& p : positions) {
      table.add_row({std::to_string(p.symbol.value()), format_shares(p.qty),
                     format_dollars(p.cost_basis), format_dollars(p.realized_pnl),
                     format_shares(p.sell_reserved_qty), format_shares(p.buy_pending_qty)});
    }
    run.out(table.render());
  }

  const std::vector<Reservation> reservations =
      service.active_reservations(*id).value_or(std::vector<Reservation>{});
  run.outf("\nActive reservations ({})\n", reservations.size());
  if (!reservations.empty()) {
    TextTable table({{"ID", Align::kRight}, {"ORDER", Align::kRight}, {"SIDE"},
                     {"SYMBOL", Align::kRight}, {"REMAINING", Align::kRight},
                     {"LIMIT", Align::kRight}, {"HELD", Align::kRight}, {"EXPIRES"}});
    for (const Reservation& r : reservations) {
      table.add_row({std::to_string(r.id.value()), std::to_string(r.order.value()),
                     std::string(side_name(r.side)), std::to_string(r.symbol.value()),
                     format_shares(r.remaining_qty), format_price(r.limit),
                     format_dollars(r.reserved_cash), format_time(r.expires_at)});
    }
    run.out(table.render());
  }

  absl::StatusOr<std::vector<Trade>> trades = service.trade_history(*id, limit);
  if (!trades.ok()) return run.fail(trades.status());
  run.outf("\nTrades (newest first, up to {}: {})\n", limit, trades->size());
  if (!trades->empty()) {
    TextTable table({{"TIME"}, {"EXECUTION", Align::kRight}, {"ORDER", Align::kRight}, {"SIDE"},
                     {"SYMBOL", Align::kRight}, {"SHARES", Align::kRight},
                     {"PRICE", Align::kRight}, {"NOTIONAL", Align::kRight},
                     {"REALIZED P&L", Align::kRight}});
    for (const Trade& t : *trades) {
      table.add_row({format_time(t.time), std::to_string(t.execution.value()),
                     std::to_string(t.order.value()), std::string(side_name(t.side)),
                     std::to_string(t.symbol.value()), format_shares(t.qty),
                     format_price(t.price), format_dollars(t.notional),
                     format_dollars(t.realized_pnl)});
    }
    run.out(table.render());
  }
  return kExitOk;
}

int list(Run& run) {
  absl::StatusOr<Opened> opened = open_service(run, StoreMode::kReadOnly);
  if (!opened.ok()) return run.fail(opened.status());
  const AccountService& service = *opened->service;
  const LedgerSnapshot snapshot = service.snapshot();
  TextTable table({{"ID", Align::kRight}, {"GOOGLE ID"}, {"NAME"}, {"CASH", Align::kRight},
                   {"AVAILABLE", Align::kRight}, {"SLEEPER LEAGUE"}});
  for (const Account& row : snapshot.accounts) {
    absl::StatusOr<Account> a = service.get_account(row.id);
    if (!a.ok()) continue;
    table.add_row({std::to_string(a->id.value()), a->google_id, a->display_name,
                   format_dollars(a->cash),
                   format_dollars(service.available_cash(a->id).value_or(Cents{0})),
                   a->sleeper ? a->sleeper->league_id : std::string("-")});
  }
  run.outf("{} accounts in {}\n", table.rows(), opened->store.description);
  if (table.rows() > 0) run.out(table.render());
  return kExitOk;
}

int expire(Run& run) {
  absl::StatusOr<Opened> opened = open_service(run, StoreMode::kWriter);
  if (!opened.ok()) return run.fail(opened.status());
  absl::StatusOr<size_t> expired = opened->service->expire_due_reservations();
  if (!expired.ok()) return run.fail(expired.status());
  run.outf("expired {} reservation{} due by {}\n", *expired, *expired == 1 ? "" : "s",
           format_time(run.ctx.clock->now()));
  return kExitOk;
}

int fantasy_update(Run& run) {
  const bool all = run.has("--all");
  if (all == run.has("--account")) {
    return run.fail(kExitUsage, "fantasy-update needs exactly one of --account ID and --all");
  }
  absl::StatusOr<std::shared_ptr<SleeperClient>> sleeper = run.ctx.open_sleeper(run.config);
  if (!sleeper.ok()) return run.fail(kExitConfig, "{}", text_of(sleeper.status()));
  absl::StatusOr<Opened> opened = open_service(run, StoreMode::kWriter);
  if (!opened.ok()) return run.fail(opened.status());
  std::vector<std::pair<AccountId, absl::Status>> failures;
  FantasyFundingService funding(
      *opened->service,
      FantasyFundingOptions{.sleeper = *sleeper,
                            .fantasy = {.cents_per_point = run.config.fantasy_cents_per_point},
                            .log = [](AccountId, const absl::Status&) {}});

  if (!all) {
    absl::StatusOr<AccountId> id =
        account_argument(run, *opened->service, run.args.options.at("--account"));
    if (!id.ok()) return run.fail(kExitUsage, "{}", text_of(id.status()));
    absl::StatusOr<FantasyUpdate> update = funding.update_fantasy_points_and_wins(*id);
    if (!update.ok()) {
      return run.fail(exit_code_for(update.status()), "account {}: {}", id->value(),
                      text_of(update.status()));
    }
    run.outf("account {}: target {}, credited {}, moved {}{}\n", id->value(),
             format_dollars(update->target), format_dollars(update->credited),
             format_dollars(update->amount),
             update->shortfall.value() > 0
                 ? fmt::format(" (short {}: not enough available cash to debit)",
                               format_dollars(update->shortfall))
                 : std::string());
    return kExitOk;
  }

  ProgressLine progress(run, "fantasy update: accounts");
  absl::StatusOr<FantasyUpdateSummary> summary = funding.update_all_fantasy_points_and_wins(
      [&progress](size_t done, size_t total) { progress.update(done, total); });
  if (!summary.ok()) return run.fail(summary.status());
  run.outf("fantasy update: {} updated, {} unchanged, {} failed\n", summary->updated,
           summary->unchanged, summary->failed.size());
  if (!summary->failed.empty()) {
    TextTable table({{"ACCOUNT", Align::kRight}, {"ERROR"}});
    for (const FantasyUpdateFailure& f : summary->failed) {
      table.add_row({std::to_string(f.account.value()), f.status.ToString()});
    }
    run.out(table.render());
    return kExitProblemsFound;
  }
  return kExitOk;
}

// Beside a live ledger the database moves on between any two loads, so the
// audit checks the invariants on one load of it (audit_store()); a ledger
// compares its own memory with the store (AccountService::audit()).
int audit(Run& run) {
  absl::StatusOr<Opened> opened = open_service(run, StoreMode::kReadOnly);
  if (!opened.ok()) return run.fail(opened.status());
  const AuditReport report =
      audit_store(*opened->store.store, opened->service->limits(), run.ctx.clock->now());
  const LedgerSnapshot snapshot = opened->service->snapshot();
  if (report.ok()) {
    run.outf("audit OK: {} accounts, {} positions, {} reservations in {}\n",
             snapshot.accounts.size(), snapshot.positions.size(), snapshot.reservations.size(),
             opened->store.description);
    return kExitOk;
  }
  run.outf("audit FAILED: {} violation{} in {}\n", report.violations.size(),
           report.violations.size() == 1 ? "" : "s", opened->store.description);
  for (const std::string& v : report.violations) run.outf("  {}\n", v);
  return kExitProblemsFound;
}

int migrate(Run& run) {
  absl::StatusOr<OpenedStore> store = run.ctx.open_store(run.config, StoreMode::kWriter);
  if (!store.ok()) return run.fail(as_open_failure(store.status()));
  if (store->schema_version_now == 0) {
    run.outf("{} has no schema; nothing to migrate\n", store->description);
  } else if (store->schema_version_found == store->schema_version_now) {
    run.outf("{}: schema already at version {}\n", store->description, store->schema_version_now);
  } else {
    run.outf("{}: schema migrated from version {} to {}\n", store->description,
             store->schema_version_found, store->schema_version_now);
  }
  return kExitOk;
}

int health(Run& run) {
  absl::StatusOr<OpenedStore> store = run.ctx.open_store(run.config, StoreMode::kReadOnly);
  HealthProbes probes;
  std::vector<std::string> problems;
  // A probe that could not even start for want of configuration is not
  // worth retrying: exit 3, not 4.
  bool misconfigured = false;
  if (store.ok()) {
    probes.store = store->store.get();
  } else {
    problems.push_back(fmt::format("store: {}", text_of(store.status())));
    misconfigured |= exit_code_for(as_open_failure(store.status())) == kExitConfig;
  }
  absl::StatusOr<std::shared_ptr<SleeperClient>> sleeper = run.ctx.open_sleeper(run.config);
  if (sleeper.ok()) {
    probes.sleeper = sleeper->get();
  } else {
    problems.push_back(fmt::format("sleeper: {}", text_of(sleeper.status())));
    misconfigured |= exit_code_for(sleeper.status()) == kExitConfig;
  }
  const HealthReport report = health_check(probes);
  TextTable table({{"CHECK"}, {"STATUS"}, {"TOOK", Align::kRight}, {"DETAIL"}});
  for (const HealthCheckResult& check : report.checks) {
    table.add_row({check.name, check.ok ? "ok" : "FAILED",
                   fmt::format("{:.1f} ms", absl::ToDoubleMilliseconds(check.took)), check.detail});
  }
  for (const std::string& p : problems) table.add_row({"open", "FAILED", "", p});
  run.out(table.render(0));
  if (report.healthy() && problems.empty()) return kExitOk;
  return misconfigured ? kExitConfig : kExitUnavailable;
}

int config(Run& run) {
  run.out(describe_config(run.config));
  return kExitOk;
}

// The value of `option` as a whole number from `min` to `max`; nullopt, the usage error printed,
// when it is not one.
std::optional<uint64_t> number_option(const Run& run, std::string_view option, uint64_t min,
                                      uint64_t max) {
  const std::string& text = run.args.options.at(std::string(option));
  uint64_t value = 0;
  if (absl::SimpleAtoi(absl::string_view(text), &value) && value >= min && value <= max) {
    return value;
  }
  run.fail(kExitUsage, "{} takes a whole number from {} to {}, got \"{}\"", option, min, max,
           text);
  return std::nullopt;
}

// Seqs are stored as signed 64-bit integers (SQLite, PostgreSQL bigint); one less, so that the
// seq after a cursor is one too.
constexpr uint64_t kSeqMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - 1;

int events(Run& run) {
  // Every argument is checked before the store is opened.
  EventsOptions options;
  options.follow = run.has("--follow");
  if (run.has("--since")) {
    const std::optional<uint64_t> since = number_option(run, "--since", 0, kSeqMax);
    if (!since) return kExitUsage;
    options.since = *since;
  }
  if (run.has("--max")) {
    const std::optional<uint64_t> max = number_option(run, "--max", 1, kSeqMax);
    if (!max) return kExitUsage;
    options.max_events = static_cast<size_t>(*max);
  }
  if (run.has("--poll-ms")) {
    if (!options.follow) return run.fail(kExitUsage, "--poll-ms needs --follow");
    const std::optional<uint64_t> poll_ms = number_option(run, "--poll-ms", 1, 3'600'000);
    if (!poll_ms) return kExitUsage;
    options.poll = absl::Milliseconds(static_cast<int64_t>(*poll_ms));
  }
  absl::StatusOr<OpenedStore> store = run.ctx.open_store(run.config, StoreMode::kReadOnly);
  if (!store.ok()) return run.fail(as_open_failure(store.status()));
  return print_events(run.ctx, *store->store, options);
}

// A time option in RFC 3339 ("2026-09-10T00:00:00Z"); nullopt, the usage error printed, when it
// is not one.
std::optional<absl::Time> time_option(const Run& run, std::string_view option) {
  const std::string& text = run.args.options.at(std::string(option));
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return t;
  run.fail(kExitUsage, "{} takes an RFC 3339 time such as 2026-09-10T00:00:00Z, got \"{}\"",
           option, text);
  return std::nullopt;
}

// The value of `option` among `count` enum values from 1 named by `name`; nullopt, the usage
// error printed, when it names none.
template <typename Enum>
std::optional<Enum> named_option(const Run& run, std::string_view option, int count,
                                 std::string_view (*name)(Enum)) {
  const std::string& text = run.args.options.at(std::string(option));
  std::string names;
  for (int v = 1; v <= count; ++v) {
    const auto value = static_cast<Enum>(v);
    if (name(value) == text) return value;
    names += fmt::format("{}{}", v == 1 ? "" : ", ", name(value));
  }
  run.fail(kExitUsage, "{} takes one of {}, got \"{}\"", option, names, text);
  return std::nullopt;
}

// Each option of `history` applies to some of what it lists; a usage error names the first that
// does not apply to `kind`.
std::optional<std::string> history_option_misplaced(const Run& run, HistoryKind kind) {
  struct Applies {
    std::string_view option;
    bool trades, entries, reservations;
  };
  constexpr Applies kApplies[] = {{"--symbol", true, false, false},
                                  {"--from", true, true, false},
                                  {"--to", true, true, false},
                                  {"--kind", false, true, false},
                                  {"--status", false, false, true}};
  for (const Applies& a : kApplies) {
    const bool applies = kind == HistoryKind::kTrades    ? a.trades
                         : kind == HistoryKind::kEntries ? a.entries
                                                         : a.reservations;
    if (run.has(a.option) && !applies) {
      return fmt::format("{} is for {}", a.option,
                         a.trades && a.entries ? "trades and entries"
                         : a.trades            ? "trades"
                         : a.entries           ? "entries"
                                               : "reservations");
    }
  }
  return std::nullopt;
}

// history's time range, into both queries (the one listed uses it); false, the usage error
// printed, when it is malformed or empty.
bool parse_history_range(const Run& run, HistoryOptions& o) {
  absl::Time from = absl::InfinitePast();
  absl::Time to = absl::InfiniteFuture();
  if (run.has("--from")) {
    const std::optional<absl::Time> t = time_option(run, "--from");
    if (!t) return false;
    from = *t;
  }
  if (run.has("--to")) {
    const std::optional<absl::Time> t = time_option(run, "--to");
    if (!t) return false;
    to = *t;
  }
  if (from >= to) {
    const auto text = [](absl::Time t) {
      return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
    };
    run.fail(kExitUsage, "--from {} is not before --to {}: the range holds nothing", text(from),
             text(to));
    return false;
  }
  o.trades.from = o.entries.from = from;
  o.trades.to = o.entries.to = to;
  return true;
}

// history's filters and cursor (the account and the limit are set); false, the usage error
// printed, when one is malformed.
bool parse_history_filters(const Run& run, HistoryOptions& o) {
  if (!parse_history_range(run, o)) return false;
  if (run.has("--symbol")) {
    const std::optional<uint64_t> symbol =
        number_option(run, "--symbol", 1, std::numeric_limits<uint64_t>::max());
    if (!symbol) return false;
    o.trades.symbol = SymbolId{*symbol};
  }
  if (run.has("--kind")) {
    o.entries.kind = named_option(run, "--kind", 4, entry_kind_name);
    if (!o.entries.kind) return false;
  }
  if (run.has("--status")) {
    o.reservations.status = named_option(run, "--status", 5, reservation_status_name);
    if (!o.reservations.status) return false;
  }
  if (!run.has("--after")) return true;
  if (o.kind == HistoryKind::kEntries) {
    o.entries.after = parse_entry_cursor(run.args.options.at("--after"));
    if (o.entries.after) return true;
    run.fail(kExitUsage, "--after takes the cursor a page of entries ended with "
             "(NANOSECONDS:KEY-IN-HEX), got \"{}\"", run.args.options.at("--after"));
    return false;
  }
  const std::optional<uint64_t> after =
      number_option(run, "--after", 0, std::numeric_limits<uint64_t>::max());
  if (!after) return false;
  o.trades.after_row = *after;
  o.reservations.after_id = ReservationId{*after};
  return true;
}

int history(Run& run) {
  // Every argument is checked before the store is opened.
  if (run.args.positional.size() != 2) {
    return run.fail(kExitUsage,
                    "history needs what to list (trades, entries or reservations) and an "
                    "account (try: accountctl history --help)");
  }
  HistoryOptions o;
  const std::string& what = run.args.positional[0];
  if (what == "trades") {
    o.kind = HistoryKind::kTrades;
  } else if (what == "entries") {
    o.kind = HistoryKind::kEntries;
  } else if (what == "reservations") {
    o.kind = HistoryKind::kReservations;
  } else {
    return run.fail(kExitUsage, "history lists trades, entries or reservations, not \"{}\"",
                    what);
  }
  uint64_t account = 0;
  if (!absl::SimpleAtoi(absl::string_view(run.args.positional[1]), &account) || account == 0) {
    return run.fail(kExitUsage, "\"{}\" is not an account id", run.args.positional[1]);
  }
  o.trades.account = o.entries.account = o.reservations.account = AccountId{account};
  if (std::optional<std::string> misplaced = history_option_misplaced(run, o.kind)) {
    return run.fail(kExitUsage, "{}", *misplaced);
  }
  if (run.has("--limit")) {
    const std::optional<uint64_t> limit = number_option(run, "--limit", 1, kHistoryPageRowsMax);
    if (!limit) return kExitUsage;
    o.trades.limit = o.entries.limit = o.reservations.limit = static_cast<size_t>(*limit);
  }
  if (!parse_history_filters(run, o)) return kExitUsage;
  o.json = run.has("--json");
  absl::StatusOr<OpenedStore> store = run.ctx.open_store(run.config, StoreMode::kReadOnly);
  if (!store.ok()) return run.fail(as_open_failure(store.status()));
  return print_history(run.ctx, *store->store, o);
}

int journal(Run& run) {
  if (run.args.positional.size() != 1 || run.args.positional[0] != "prune") {
    return run.fail(kExitUsage, "journal takes one subcommand: prune (try: accountctl journal "
                                "--help)");
  }
  JournalPruneRequest request{.past_cursors = run.has("--past-cursors")};
  if (run.has("--before")) {
    const std::optional<uint64_t> before =
        number_option(run, "--before", 1, std::numeric_limits<uint64_t>::max());
    if (!before) return kExitUsage;
    request.before_seq = *before;
  }
  if (run.has("--older-than-days")) {
    const std::optional<uint64_t> days = number_option(run, "--older-than-days", 1, 36'500);
    if (!days) return kExitUsage;
    request.older_than = absl::Hours(24 * static_cast<int64_t>(*days));
  } else if (!run.has("--before") && run.config.journal_retention_days) {
    request.older_than = absl::Hours(24 * int64_t{*run.config.journal_retention_days});
  }
  if (request.before_seq == 0 && request.older_than == absl::InfiniteDuration()) {
    return run.fail(kExitUsage,
                    "journal prune needs a bound: --before SEQ, --older-than-days N, or "
                    "JOURNAL_RETENTION_DAYS (unset: the journal is kept for ever)");
  }
  absl::StatusOr<Opened> opened = open_service(run, StoreMode::kWriter);
  if (!opened.ok()) return run.fail(opened.status());
  absl::StatusOr<JournalPruneResult> pruned = opened->service->prune_journal(request);
  if (!pruned.ok()) return run.fail(pruned.status());
  const uint64_t head = opened->service->journal_head();
  if (pruned->entries_removed == 0) {
    run.outf("nothing to prune: the journal keeps seq {}..{}\n", pruned->checkpoint_seq + 1,
             head);
  } else {
    run.outf("pruned {} entr{} and {} trade{}; the journal keeps seq {}..{}, after the "
             "checkpoint at seq {}\n",
             pruned->entries_removed, pruned->entries_removed == 1 ? "y" : "ies",
             pruned->trades_removed, pruned->trades_removed == 1 ? "" : "s",
             pruned->checkpoint_seq + 1, head, pruned->checkpoint_seq);
  }
  return kExitOk;
}

int verify(Run& run) {
  absl::StatusOr<OpenedStore> store = run.ctx.open_store(run.config, StoreMode::kReadOnly);
  if (!store.ok()) return run.fail(as_open_failure(store.status()));
  return verify_store(run.ctx, *store->store, store->description);
}

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"show", "an account, its positions, active reservations and recent trades",
       "[--google] [--trades N] ACCOUNT",
       "Shows one account. ACCOUNT is its id, or its Google id with --google. Reads the store "
       "read-only, so it runs beside a live ledger.",
       {{"--google", false, "ACCOUNT is a Google id (`sub`), not an account id"},
        {"--trades", true, "how many recent trades to list (default 20)"}},
       1, show},
      {"list", "every account with its cash and available cash", "",
       "Lists every account. Read-only.", {}, 0, list},
      {"fantasy-update", "run the fantasy update for one account or all linked accounts",
       "(--account ID | --all)",
       "Reads each linked account's season from Sleeper and credits (or corrects) the "
       "difference to its target, once; running it again changes nothing. Takes the "
       "store's writer lock, so it fails while a ledger is running on it. Exit 1 when "
       "some accounts could not be updated (they are listed).",
       {{"--account", true, "the account id to update"},
        {"--all", false, "every account linked to a Sleeper league, with a progress line"}},
       0, fantasy_update},
      {"expire", "expire every reservation past its expiry (the reservation clean-up)", "",
       "Expires due reservations and frees what they held. Takes the writer lock.", {}, 0,
       expire},
      {"audit", "check the ledger's invariants against the store and print what is wrong",
       "",
       "Loads the ledger read-only, recomputes every derived figure and checks the "
       "invariants (cash, reservations, positions; memory equals store). Exit 1 and one line "
       "per violation when any fails.",
       {}, 0, audit},
      {"migrate", "apply the store's schema migrations", "",
       "Brings the store's schema up to this version's (a SQLite file that does not exist is "
       "created). Takes the writer lock; running it again is a no-op.",
       {}, 0, migrate},
      {"health", "check that the store and Sleeper answer", "",
       "Runs the health check (store round trip, one Sleeper call). Exit 4 when one fails.",
       {}, 0, health},
      {"config", "print the configuration read from the environment, secrets hidden", "",
       "Validates every variable and prints them; secrets show as <set, N bytes>.", {}, 0,
       config},
      {"events", "print the journal's events, one JSON object per line",
       "[--since SEQ] [--max N] [--follow [--poll-ms MS]]",
       "Prints the events of the journal entries after seq SEQ (default 0: from the first), "
       "oldest first, one JSON object per line: seq, index within the entry, committed_at, "
       "type, then the event's fields (docs/operations.md). Read-only, beside a running "
       "ledger. Without --follow it ends at the head. A consumer resumes with --since the last "
       "seq it handled. Exit 2 when SEQ is past the head, 5 when the entries after it were "
       "pruned, 4 when the store cannot be read, 6 when a stored entry is damaged.",
       {{"--since", true, "print the entries after this seq (default 0)"},
        {"--max", true, "stop after N events, whole entries only (the first entry always)"},
        {"--follow", false, "at the head, wait for new entries until SIGINT or SIGTERM (exit 0)"},
        {"--poll-ms", true, "with --follow, how often to look for new entries (default 500)"}},
       0, events},
      {"verify", "check the store against its journal: hash chain, tables, state hashes", "",
       "Recomputes the journal's hash chain from its first entry, replays every entry into an "
       "empty ledger and compares the result row by row with the store's tables, and prints "
       "both state hashes. One line per check; the first row that differs is named with the "
       "seq that last wrote it. Read-only, beside a running ledger. Exit 1 when a check fails, "
       "4 when the store cannot be read.",
       {}, 0, verify},
      {"journal", "prune the journal: remove old entries, keep a checkpoint in their place",
       "prune [--before SEQ] [--older-than-days N] [--past-cursors]",
       "Removes the journal entries below SEQ and committed more than N days ago (both, when "
       "both are given; without either, JOURNAL_RETENTION_DAYS), never the newest, with the "
       "trades of their fills, and stores a checkpoint of the ledger after the last one "
       "removed, from which `verify`, `events` consumers and balance queries go on. "
       "Executions, reservations and entries stay. Refused (exit 6) when a stored journal "
       "cursor has not read an entry it would remove, unless --past-cursors. Running it again "
       "removes nothing more. Takes the writer lock, so it fails while a ledger is running on "
       "the store; a running ledger prunes with AccountService::prune_journal().",
       {{"--before", true, "remove entries with a lower seq"},
        {"--older-than-days", true, "remove entries committed more than N days ago, 1 to 36500"},
        {"--past-cursors", false,
         "remove entries even when a stored consumer cursor has not read them"}},
       1, journal},
      {"history", "an account's trades, entries or reservations, a page at a time",
       "(trades | entries | reservations) ACCOUNT [--symbol N] [--from TIME] [--to TIME] "
       "[--kind K] [--status S] [--after CURSOR] [--limit N] [--json]",
       "Lists one page of an account's history, oldest first: its trades in commit order "
       "(optionally of one symbol, within a time range), its external entries by time (of one "
       "kind, within a time range), or its reservations by id (of one status). TIME is RFC 3339 "
       "(2026-09-10T00:00:00Z); --from is inclusive, --to exclusive. When more rows follow, the "
       "last line gives the cursor to pass as --after for the next page; no row is missed or "
       "repeated from page to page while the ledger commits. Read-only, beside a running "
       "ledger. Exit 2 for a malformed option or cursor, 4 when the store cannot be read.",
       {{"--symbol", true, "trades: of this symbol only"},
        {"--from", true, "trades, entries: at or after this time"},
        {"--to", true, "trades, entries: before this time"},
        {"--kind", true,
         "entries: of this kind (fantasy_credit, win_bonus, adjustment, share_issue)"},
        {"--status", true,
         "reservations: of this status (active, settled, expired, cancelled, released)"},
        {"--after", true, "the cursor the previous page ended with"},
        {"--limit", true, "rows per page, 1 to 10000 (default 100)"},
        {"--json", false, "one JSON object per line instead of a table"}},
       2, history},
  };
  return kCommands;
}

std::string general_help() {
  std::string out =
      "usage: accountctl COMMAND [OPTIONS]\n\n"
      "Operator tool for the Waiver Exchange account ledger. The store is the one\n"
      "DATABASE_URL names: a PostgreSQL database (postgresql://...) or a SQLite file\n"
      "(sqlite:/path/to/ledger.db). Sleeper is SLEEPER_API_BASE_URL.\n\nCommands:\n";
  for (const Command& c : commands()) out += fmt::format("  {:<16}{}\n", c.name, c.summary);
  out +=
      "\n`accountctl COMMAND --help` describes one command.\n\n"
      "Exit codes: 0 ok, 1 problems found, 2 usage error, 3 configuration error,\n"
      "4 store or Sleeper unavailable (retry), 5 not found (an account, pruned journal\n"
      "entries), 6 refused or failed.\n";
  return out;
}

// `text` broken into lines of at most `width` columns, at spaces.
std::string wrap(std::string_view text, size_t width) {
  std::string out;
  size_t column = 0;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (column > 0 && column + 1 + word.size() > width) {
      out += '\n';
      column = 0;
    } else if (column > 0) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
  }
  return out + '\n';
}

std::string command_help(const Command& c) {
  std::string out = fmt::format("usage: accountctl {}{}{}\n\n{}", c.name,
                                c.usage.empty() ? "" : " ", c.usage, wrap(c.description, 78));
  if (!c.options.empty()) {
    out += "\nOptions:\n";
    for (const OptionSpec& o : c.options) {
      const std::string name = fmt::format("{}{}", o.name, o.takes_value ? " VALUE" : "");
      out += fmt::format("  {:<18}{}\n", name, o.help);
    }
  }
  return out;
}

// Parses the command's arguments; an error message, or nullopt.
std::optional<std::string> parse_args(const Command& c, const std::vector<std::string>& raw,
                                      Args& args) {
  for (size_t i = 1; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    if (a == "--help" || a == "-h") {
      args.help = true;
      continue;
    }
    if (a.rfind("--", 0) == 0) {
      auto spec = std::find_if(c.options.begin(), c.options.end(),
                               [&](const OptionSpec& o) { return o.name == a; });
      if (spec == c.options.end()) return fmt::format("{} has no option {}", c.name, a);
      if (!spec->takes_value) {
        args.options[a] = "";
        continue;
      }
      if (i + 1 >= raw.size()) return fmt::format("{} needs a value", a);
      args.options[a] = raw[++i];
      continue;
    }
    args.positional.push_back(a);
  }
  if (!args.help && args.positional.size() > c.positional_max) {
    return fmt::format("{} takes {} argument{}, got {}", c.name, c.positional_max,
                       c.positional_max == 1 ? "" : "s", args.positional.size());
  }
  return std::nullopt;
}

}  // namespace

int run_accountctl(const std::vector<std::string>& args, CliContext& context) {
  const auto print = [](std::FILE* f, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), f);
  };
  if (args.empty()) {
    print(context.err, general_help());
    return kExitUsage;
  }
  if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    if (args.size() > 1) {
      for (const Command& c : commands()) {
        if (c.name == args[1]) {
          print(context.out, command_help(c));
          return kExitOk;
        }
      }
      print(context.err, fmt::format("accountctl: no command \"{}\"\n", args[1]));
      return kExitUsage;
    }
    print(context.out, general_help());
    return kExitOk;
  }
  const auto command = std::find_if(commands().begin(), commands().end(),
                                    [&](const Command& c) { return c.name == args[0]; });
  if (command == commands().end()) {
    print(context.err, fmt::format("accountctl: no command \"{}\" (try: accountctl help)\n",
                                   args[0]));
    return kExitUsage;
  }
  Args parsed;
  if (std::optional<std::string> error = parse_args(*command, args, parsed)) {
    print(context.err, fmt::format("accountctl: {} (try: accountctl {} --help)\n", *error,
                                   command->name));
    return kExitUsage;
  }
  if (parsed.help) {
    print(context.out, command_help(*command));
    return kExitOk;
  }
  absl::StatusOr<Config> config = load_config(context.env);
  if (!config.ok()) {
    print(context.err, fmt::format("accountctl: {}\n", text_of(config.status())));
    return kExitConfig;
  }
  Run run{context, *command, std::move(parsed), std::move(*config)};
  return command->handler(run);
}

}  // namespace account::cli
