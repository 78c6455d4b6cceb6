#include "account/fantasy/fantasy_funding_service.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "account/fantasy/fantasy_season.h"
#include "account/status.h"
#include "base/mutex.h"
#include "base/strings.h"
#include "fantasy/fantasy_league_reads.h"

namespace account {

FantasyOptions fantasy_options_from_config(const Config& config) {
  return FantasyOptions{.cents_per_point = config.fantasy_cents_per_point};
}

absl::StatusOr<FantasyOptions> fantasy_options_from_environment() {
  ACCOUNT_ASSIGN_OR_RETURN(Config config, load_config(process_environment()));
  return fantasy_options_from_config(config);
}
namespace {

void log_to_stderr(AccountId account, const absl::Status& status) {
  const std::string line = internal::cat("fantasy update of account ", account.value(),
                                         " failed: ", status.ToString(), "\n");
  std::fputs(line.c_str(), stderr);
}

}  // namespace

class FantasyFundingService::PendingChoices {
 public:
  void put(AccountId account, SleeperLeagueChoice choice) {
    internal::MutexLock lock(&mu_);
    choices_.insert_or_assign(account, std::move(choice));
  }
  void forget(AccountId account) {
    internal::MutexLock lock(&mu_);
    choices_.erase(account);
  }
  // A copy, so that the caller reads it without the lock.
  std::optional<SleeperLeagueChoice> find(AccountId account) const {
    internal::MutexLock lock(&mu_);
    if (auto it = choices_.find(account); it != choices_.end()) return it->second;
    return std::nullopt;
  }

 private:
  mutable internal::Mutex mu_;
  absl::flat_hash_map<AccountId, SleeperLeagueChoice> choices_ ABSL_GUARDED_BY(mu_);
};

FantasyFundingService::FantasyFundingService(AccountService& service,
                                             FantasyFundingOptions options)
    : service_(service),
      options_(std::move(options)),
      choices_(std::make_unique<PendingChoices>()),
      finished_weeks_(std::make_unique<internal::FinishedWeekCache>(
          options_.finished_week_matchups_max)) {
  if (!options_.log && options_.log_sink) {
    options_.log = [sink = options_.log_sink, &service](AccountId account,
                                                        const absl::Status& status) {
      const std::string message(status.message());
      const std::string code = absl::StatusCodeToString(status.code());
      const LogField fields[] = {{"account_id", account.value()}, {"status_code", code}};
      sink->write(LogRecord{service.now(), LogLevel::kError, "fantasy_update_failed", message,
                            fields});
    };
  }
  if (!options_.log) options_.log = log_to_stderr;
  MetricsRegistry& registry = options_.metrics ? *options_.metrics : service_.metrics();
  updated_ = registry.counter("fantasy_points_updated_total",
                              "Fantasy updates that read the season and ledgered its target.");
  failed_ = registry.counter("fantasy_update_failures_total", "Fantasy updates that failed.");
  weekly_wins_ = registry.counter("weekly_wins_calculated_total",
                                  "Winning weeks found by fantasy updates (each pays a bonus).");
}

FantasyFundingService::~FantasyFundingService() = default;

absl::Status FantasyFundingService::ready() const {
  if (options_.sleeper == nullptr) {
    return absl::FailedPreconditionError(
        "fantasy funding needs a SleeperClient (FantasyFundingOptions::sleeper)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SleeperLeagueOption>> FantasyFundingService::link_sleeper_league(
    AccountId account, std::string_view username, std::string_view season) {
  ACCOUNT_RETURN_IF_ERROR(ready());
  ACCOUNT_RETURN_IF_ERROR(service_.get_account(account).status());
  ACCOUNT_ASSIGN_OR_RETURN(NflState state, options_.sleeper->nfl_state());
  if (season != state.season) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("season ", season, " is not the NFL season in play (",
                                state.season, "): only the season in play can be linked"));
  }
  ACCOUNT_ASSIGN_OR_RETURN(SleeperLeagueChoice choice,
                           find_sleeper_leagues(*options_.sleeper, username, season));
  std::vector<SleeperLeagueOption> offered = choice.leagues;
  if (std::optional<SleeperLink> only = only_sleeper_league(choice)) {
    ACCOUNT_RETURN_IF_ERROR(service_.link_sleeper(account, *only));
    choices_->forget(account);
    return offered;
  }
  if (offered.empty()) {
    choices_->forget(account);
  } else {
    choices_->put(account, std::move(choice));
  }
  return offered;
}

absl::Status FantasyFundingService::select_sleeper_league(AccountId account,
                                                          std::string_view league_id) {
  ACCOUNT_RETURN_IF_ERROR(ready());
  const std::optional<SleeperLeagueChoice> choice = choices_->find(account);
  if (!choice) {
    return absl::FailedPreconditionError(internal::cat(
        "account ", account.value(),
        " has no league options to choose from: call link_sleeper_league first"));
  }
  absl::StatusOr<SleeperLink> link = choose_sleeper_league(*choice, league_id);
  if (!link.ok()) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("league ", league_id, " is not one of the ",
                                choice->leagues.size(), " leagues Sleeper user ",
                                choice->user.username, " plays in season ", choice->season));
  }
  ACCOUNT_RETURN_IF_ERROR(service_.link_sleeper(account, *link));
  choices_->forget(account);
  return absl::OkStatus();
}

absl::StatusOr<FantasyUpdate> FantasyFundingService::update_fantasy_points_and_wins(
    AccountId account) {
  absl::StatusOr<FantasyUpdate> update = update_one(account);
  (update.ok() ? updated_ : failed_)->add();
  return update;
}

absl::StatusOr<SleeperLink> FantasyFundingService::linked_account(AccountId account) const {
  ACCOUNT_ASSIGN_OR_RETURN(Account row, service_.get_account(account));
  if (!row.sleeper.has_value()) {
    return absl::FailedPreconditionError(
        internal::cat("account ", account.value(), " has no Sleeper league linked"));
  }
  return *std::move(row.sleeper);
}

absl::StatusOr<FantasyUpdate> FantasyFundingService::update_one(AccountId account) {
  ACCOUNT_RETURN_IF_ERROR(ready());
  ACCOUNT_RETURN_IF_ERROR(linked_account(account).status());  // Before any call to Sleeper.
  ACCOUNT_ASSIGN_OR_RETURN(NflState state, options_.sleeper->nfl_state());
  return update_from(account, state, [this, &state](const SleeperLink& link) {
    return fetch_fantasy_season(*options_.sleeper, link, state);
  });
}

absl::StatusOr<FantasyUpdate> FantasyFundingService::update_from(
    AccountId account, const NflState& state, const SeasonReader& read_season) {
  ACCOUNT_ASSIGN_OR_RETURN(const SleeperLink link, linked_account(account));
  // Every read first: a failure here leaves the ledger untouched.
  ACCOUNT_ASSIGN_OR_RETURN(std::vector<ExternalEntry> entries, service_.external_entries(account));
  ACCOUNT_ASSIGN_OR_RETURN(FantasyCreditHistory history,
                           fantasy_credit_history(entries, account, link.season));
  // Each season keys its own entries, so a link to a finished season would be
  // paid in full on top of the seasons already funded, and every earlier
  // season in turn. Only the season in play starts funding; one funded while
  // in play goes on settling after the NFL moves on (its last weeks,
  // corrections).
  if (state.season != link.season && history.next_revision == 0) {
    return absl::FailedPreconditionError(internal::cat(
        "account ", account.value(), " links season ", link.season,
        ", which is not the NFL season in play (", state.season,
        ") and was never funded: only the season in play is funded"));
  }
  ACCOUNT_ASSIGN_OR_RETURN(FantasySeason season, read_season(link));
  for (const FantasyWeek& week : season.weeks) {
    if (week.result.outcome == WeekOutcome::kWin) weekly_wins_->add();
  }
  ACCOUNT_ASSIGN_OR_RETURN(
      Cents target, fantasy_target(season.total_points(), options_.fantasy.cents_per_point));
  ACCOUNT_ASSIGN_OR_RETURN(Cents available, service_.available_cash(account));
  ACCOUNT_ASSIGN_OR_RETURN(
      FantasyCreditPlan plan,
      plan_fantasy_credit(account, link, target, history, available));
  FantasyUpdate out{.target = target, .credited = history.credited, .shortfall = plan.shortfall};
  if (!plan.entry) return out;
  const Cents amount = plan.entry->amount;
  const absl::Status applied =
      amount > Cents{0}
          ? service_.credit(account, amount, EntryKind::kFantasyCredit, plan.entry->key)
          : service_.debit(account, -amount, EntryKind::kFantasyCredit, plan.entry->key);
  // kDuplicateEntry: a concurrent run applied this very entry; the account
  // is where this run would have put it, and this run moved nothing.
  if (reason_of(applied) == Reason::kDuplicateEntry) {
    out.credited = history.credited + amount;
    return out;
  }
  ACCOUNT_RETURN_IF_ERROR(applied);
  out.amount = amount;
  out.credited = history.credited + amount;
  return out;
}

void FantasyFundingService::record(AccountId account, const absl::StatusOr<FantasyUpdate>& update,
                                   FantasyUpdateSummary& summary) {
  (update.ok() ? updated_ : failed_)->add();
  if (!update.ok()) {
    options_.log(account, update.status());
    summary.failed.push_back(FantasyUpdateFailure{account, update.status()});
  } else if (update->changed()) {
    ++summary.updated;
  } else {
    ++summary.unchanged;
  }
}

namespace {

// The linked accounts of one league, in id order.
struct LeagueAccounts {
  std::string league_id;
  std::vector<AccountId> accounts;
};

// Groups `linked` (in id order) by league, the groups in the order of their lowest account id.
std::vector<LeagueAccounts> group_by_league(const std::vector<Account>& linked) {
  std::vector<LeagueAccounts> groups;
  absl::flat_hash_map<std::string, size_t> index;
  for (const Account& row : linked) {
    const std::string& league_id = row.sleeper->league_id;
    auto [it, added] = index.try_emplace(league_id, groups.size());
    if (added) groups.push_back(LeagueAccounts{.league_id = league_id, .accounts = {}});
    groups[it->second].accounts.push_back(row.id);
  }
  return groups;
}

// The run's read of one league at a time: read when an account first needs it, answered to
// the league's other accounts from memory, and dropped when the run moves to the next league.
class LeagueOfRun {
 public:
  LeagueOfRun(SleeperClient& client, const NflState& state, internal::FinishedWeekCache& cache)
      : client_(client), state_(state), cache_(cache) {}

  absl::StatusOr<FantasySeason> season(const SleeperLink& link) {
    if (!read_ || league_id_ != link.league_id) {
      league_id_ = link.league_id;
      read_ = internal::read_league(client_, league_id_, state_, &cache_);
    }
    if (!read_->ok()) return read_->status();
    return internal::score_league_season(**read_, link);
  }
  void drop() { read_.reset(); }

 private:
  SleeperClient& client_;
  const NflState& state_;
  internal::FinishedWeekCache& cache_;
  std::string league_id_;
  std::optional<absl::StatusOr<internal::LeagueRead>> read_;
};

}  // namespace

absl::StatusOr<FantasyUpdateSummary> FantasyFundingService::update_all_fantasy_points_and_wins(
    const Progress& progress) {
  ACCOUNT_RETURN_IF_ERROR(ready());
  FantasyUpdateSummary summary;
  const std::vector<Account> linked = service_.sleeper_linked_accounts();
  size_t done = 0;
  auto account_done = [&](AccountId account, const absl::StatusOr<FantasyUpdate>& update) {
    record(account, update, summary);
    if (progress) progress(++done, linked.size());
  };
  // The NFL state is global: one read for the whole run.
  const absl::StatusOr<NflState> state = options_.sleeper->nfl_state();
  if (!state.ok()) {
    for (const Account& row : linked) account_done(row.id, state.status());
    return summary;
  }
  LeagueOfRun league(*options_.sleeper, *state, *finished_weeks_);
  absl::flat_hash_set<std::string> linked_leagues;
  for (const LeagueAccounts& group : group_by_league(linked)) {
    linked_leagues.insert(group.league_id);
    for (AccountId account : group.accounts) {
      account_done(account, update_from(account, *state, [&league](const SleeperLink& link) {
                     return league.season(link);
                   }));
    }
    league.drop();
  }
  finished_weeks_->retain_leagues(linked_leagues);
  std::sort(summary.failed.begin(), summary.failed.end(),
            [](const FantasyUpdateFailure& a, const FantasyUpdateFailure& b) {
              return a.account < b.account;
            });
  return summary;
}

}  // namespace account
