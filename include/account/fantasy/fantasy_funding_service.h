// File: fantasy/fantasy_funding_service.h
//
// FantasyFundingService: fantasy funding on top of an AccountService. It
// links accounts to a Sleeper league and turns each linked roster's season
// (points plus weekly win bonuses, fantasy_season.h) into ledgered cash with
// the idempotent entries of fantasy_funding.h.
//
//   FantasyFundingService funding(service, {.sleeper = client});
//   auto options = funding.link_sleeper_league(alice, "alice", "2026").value();
//   if (options.size() > 1) funding.select_sleeper_league(alice, options[1].league.league_id);
//   funding.update_fantasy_points_and_wins(alice);   // credits the season's target
//   FantasyUpdateSummary s = funding.update_all_fantasy_points_and_wins();
//
// Sleeper calls: a single account's update reads the NFL state, its league,
// the rosters and each completed week (up to 3 + 18 calls). A run over every
// account reads the state once and each league once for all its accounts,
// and keeps finished weeks for the next run, all but the latest complete
// week (docs/sleeper.md, "Reading per league").
//
// Units: cash in cents; FantasyOptions::cents_per_point is cents per whole
// point (1000 = $10 a point, FANTASY_POINTS_CONVERSION_RATE's default).
//
// Failure modes: every call fails with FailedPrecondition when no
// SleeperClient is configured. Sleeper's errors (NotFound for an unknown
// user, Unavailable when it is down) come back unchanged and change nothing:
// the ledger is only written after every read succeeded, so the next run
// catches up. Ledger denials come back as the service's denials (status.h).
//
// Thread-safety: every method is safe to call from any thread; the league
// options offered by link_sleeper_league() are kept per account until the
// account links, and runs that overlap share the finished weeks kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "account/account_service.h"
#include "account/config.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/fantasy/fantasy_season.h"
#include "account/ids.h"
#include "account/log_sink.h"
#include "account/metrics.h"
#include "account/fantasy/sleeper_client.h"
#include "account/fantasy/sleeper_link.h"
#include "account/units.h"

namespace account {
namespace internal {
class FinishedWeekCache;
}  // namespace internal

struct FantasyOptions {
  // Cents paid per whole fantasy point: 1..kCentsPerPointMax.
  int64_t cents_per_point = kDefaultCentsPerPoint;
};

// FantasyOptions with cents_per_point from the config's
// FANTASY_POINTS_CONVERSION_RATE (dollars per point, e.g. "10" or "12.5";
// $10 a point by default).
FantasyOptions fantasy_options_from_config(const Config& config);
// The same from load_config(process_environment()): fails with
// InvalidArgument naming every invalid variable of config.h, among them a
// rate that does not parse (see parse_cents_per_point).
absl::StatusOr<FantasyOptions> fantasy_options_from_environment();

// Default bound of the finished weeks a FantasyFundingService keeps between
// runs, in matchup entries (one per roster per week, about 40 bytes each):
// about 40 MiB, 17 weeks of 5,000 twelve-team leagues. A week beyond it is
// read again by each run: calls, never correctness.
inline constexpr size_t kFinishedWeekMatchupsMax = size_t{1} << 20;

struct FantasyFundingOptions {
  std::shared_ptr<SleeperClient> sleeper;  // Optional; without it every call fails.
  FantasyOptions fantasy;
  // Told about every account an update_all run could not update. Default:
  // a "fantasy_update_failed" record to `log_sink` when there is one, else
  // one line on stderr.
  std::function<void(AccountId, const absl::Status&)> log;
  std::shared_ptr<LogSink> log_sink;
  // Counts fantasy_points_updated_total (updates that ran to the end),
  // fantasy_update_failures_total and weekly_wins_calculated_total (winning
  // weeks found, per update). Default: the AccountService's registry.
  std::shared_ptr<MetricsRegistry> metrics;
  // The most matchup entries kept between update_all runs (finished weeks of
  // the linked leagues, all but the latest complete week); 0 keeps none, and
  // every run reads every completed week of each league once.
  size_t finished_week_matchups_max = kFinishedWeekMatchupsMax;
};

// What one account's update did.
struct FantasyUpdate {
  Cents target;          // The season's cash: (points + bonuses) x rate.
  Cents credited;        // Net fantasy cash of the season after the update.
  Cents amount;          // Signed cash moved now: > 0 credit, < 0 debit, 0 nothing.
  Cents shortfall;       // Credited above target that available cash could not cover.
  bool changed() const { return amount != Cents{0}; }
};

struct FantasyUpdateFailure {
  AccountId account;
  absl::Status status;
};

// What one update_all run did, account by account.
struct FantasyUpdateSummary {
  size_t updated = 0;    // Accounts whose cash moved.
  size_t unchanged = 0;  // Accounts already at their target (or short of cash to debit).
  std::vector<FantasyUpdateFailure> failed;  // In account order.
};

class FantasyFundingService {
 public:
  // `service` must outlive this object.
  FantasyFundingService(AccountService& service, FantasyFundingOptions options);
  ~FantasyFundingService();

  FantasyFundingService(const FantasyFundingService&) = delete;
  FantasyFundingService& operator=(const FantasyFundingService&) = delete;

  // The leagues of `season` ("2026") in which Sleeper user `username` owns a
  // roster. With exactly one, the account is linked to it at once; with
  // several, the options are kept for select_sleeper_league(); with none,
  // nothing changes. Only the season in play (Sleeper's NFL state) can be
  // linked. Fails with kAccountNotFound, kInvalidArgument for another season,
  // Sleeper's errors (NotFound for an unknown user), and link_sleeper()'s
  // denials (kSleeperLinkTaken when another account links that Sleeper user,
  // or was paid its season).
  absl::StatusOr<std::vector<SleeperLeagueOption>> link_sleeper_league(AccountId account,
                                                                       std::string_view username,
                                                                       std::string_view season);

  // Links the account to `league_id`, which must be one of the options the
  // last link_sleeper_league() call for this account offered.
  // Fails with FailedPrecondition when there was no such call (or it linked
  // already), kInvalidArgument for a league that was not offered, and
  // link_sleeper()'s denials.
  absl::Status select_sleeper_league(AccountId account, std::string_view league_id);

  // Reads the linked roster's season from Sleeper (the NFL state, the league,
  // its rosters and every completed week: nothing is shared or kept) and
  // ledgers the difference between its target and what the season's entries
  // credited so far, as one kFantasyCredit entry (a debit limited to
  // available cash on a downward correction). Running it again with the same
  // numbers changes nothing, so a retry is always safe; trading gains and
  // losses are never touched.
  // Fails with FailedPrecondition when the account has no link, or links a
  // season other than the one in play that it was never funded for (a
  // finished season would otherwise be paid on top of the others); Sleeper's
  // errors (nothing changes); InvalidArgument when the link's user or league
  // id cannot key an entry (fantasy_entry_key()); the ledger's denials
  // (kInsufficientFunds when the account's available cash fell between the
  // read and the debit, kSleeperLinkChanged when the account relinked, and
  // kEntryConflict when another run took the revision, in between; the next
  // run retries).
  absl::StatusOr<FantasyUpdate> update_fantasy_points_and_wins(AccountId account);

  // update_fantasy_points_and_wins() for every linked account, reading
  // Sleeper per league: the NFL state once for the run, then league by league
  // (in the order of their lowest account id; accounts in id order within a
  // league) the league, its rosters and its completed weeks once for all the
  // league's accounts, finished weeks kept from earlier runs except the latest
  // complete week, which every run reads again. Each account is paid what its
  // own update would pay for the same answers, and ledgered as that update
  // does, so a retried or overlapping run credits each target exactly once.
  // One account's failure is logged and recorded, and the others go on: a
  // league whose read fails fails each of its accounts with the status of the
  // call that failed (its message names the path, hence the league; retry
  // on the next run when transient(), e.g. kSleeperUnavailable), and the run
  // goes on with the next league; the NFL state failing fails every account
  // after that one call. Nothing is written for a failed account.
  // `progress`, when given, is told (accounts done, accounts in all) after
  // each account, on the calling thread.
  // Fails only with FailedPrecondition when no SleeperClient is configured.
  using Progress = std::function<void(size_t done, size_t total)>;
  absl::StatusOr<FantasyUpdateSummary> update_all_fantasy_points_and_wins(
      const Progress& progress = nullptr);

 private:
  // How an update reads the season of the link it found on the account.
  using SeasonReader = std::function<absl::StatusOr<FantasySeason>(const SleeperLink&)>;

  absl::Status ready() const;
  absl::StatusOr<SleeperLink> linked_account(AccountId account) const;
  absl::StatusOr<FantasyUpdate> update_one(AccountId account);
  absl::StatusOr<FantasyUpdate> update_from(AccountId account, const NflState& state,
                                            const SeasonReader& read_season);
  void record(AccountId account, const absl::StatusOr<FantasyUpdate>& update,
              FantasyUpdateSummary& summary);

  AccountService& service_;
  FantasyFundingOptions options_;
  Counter* updated_;
  Counter* failed_;
  Counter* weekly_wins_;
  // The league options offered per account until it links, behind their own
  // lock (src/fantasy/fantasy_funding_service.cpp).
  class PendingChoices;
  std::unique_ptr<PendingChoices> choices_;
  // Finished weeks kept between update_all runs, behind their own lock
  // (src/fantasy/fantasy_league_reads.h).
  std::unique_ptr<internal::FinishedWeekCache> finished_weeks_;
};

}  // namespace account
