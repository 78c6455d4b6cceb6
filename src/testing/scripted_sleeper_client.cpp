// ScriptedSleeperClient (testing/scripted_sleeper_client.h): the script and the counts live in
// State, under one lock that is never held while a delay is spent.
#include "account/testing/scripted_sleeper_client.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "account/reason.h"
#include "account/status.h"
#include "base/mutex.h"

namespace account::testing {
namespace {

using Method = ScriptedSleeperClient::Method;

void require_error(const absl::Status& status) {
  if (!status.ok()) return;
  std::fputs("ScriptedSleeperClient: an error to script must not be OK\n", stderr);
  std::abort();
}

std::string leagues_path(std::string_view user_id, std::string_view season) {
  return "/user/" + std::string(user_id) + "/leagues/nfl/" + std::string(season);
}

std::string matchups_path(std::string_view league_id, int week) {
  return "/league/" + std::string(league_id) + "/matchups/" + std::to_string(week);
}

template <typename T>
const T* find(const std::map<std::string, T, std::less<>>& table, std::string_view key) {
  auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

}  // namespace

class ScriptedSleeperClient::State {
 public:
  explicit State(std::function<void(absl::Duration)> sleep) : sleep_(std::move(sleep)) {}

  // The start of every call: counts it and spends its delay; answers an argument the
  // interface calls malformed. nullopt: the call goes on to its script.
  std::optional<absl::Status> begin(Method method, const std::string& path, bool malformed) {
    absl::Duration delay;
    {
      internal::MutexLock lock(&mu_);
      ++calls_by_method_[method];
      ++calls_by_path_[path];
      if (auto it = delays_.find(method); it != delays_.end()) delay = it->second;
    }
    if (delay > absl::ZeroDuration()) sleep_(delay);
    if (malformed) return absl::InvalidArgumentError("GET " + path + ": malformed argument");
    return std::nullopt;
  }

  // What was scripted, copied, or NotFound naming the path.
  template <typename T>
  static absl::StatusOr<T> answer(const T* found, const std::string& path) {
    if (found == nullptr) {
      return denial(Reason::kSleeperNotFound, "GET " + path + ": nothing scripted");
    }
    return *found;
  }

  // The failure queued or set for the call, if any, in the header's order.
  std::optional<absl::Status> scripted_error(Method method, const std::string& path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (auto it = queued_failures_.find(method);
        it != queued_failures_.end() && !it->second.empty()) {
      absl::Status status = std::move(it->second.front());
      it->second.pop_front();
      return status;
    }
    if (auto it = path_errors_.find(path); it != path_errors_.end()) return it->second;
    if (auto it = method_errors_.find(method); it != method_errors_.end()) return it->second;
    return std::nullopt;
  }

  int calls(Method method) const {
    internal::MutexLock lock(&mu_);
    auto it = calls_by_method_.find(method);
    return it == calls_by_method_.end() ? 0 : it->second;
  }
  int calls(std::string_view path) const {
    internal::MutexLock lock(&mu_);
    auto it = calls_by_path_.find(path);
    return it == calls_by_path_.end() ? 0 : it->second;
  }
  int calls() const {
    internal::MutexLock lock(&mu_);
    int total = 0;
    for (const auto& [method, n] : calls_by_method_) total += n;
    return total;
  }

  const std::function<void(absl::Duration)> sleep_;

  mutable internal::Mutex mu_;
  std::map<std::string, SleeperUser, std::less<>> users_ ABSL_GUARDED_BY(mu_);  // By username.
  // By path ("/user/100/leagues/nfl/2026").
  std::map<std::string, std::vector<SleeperLeague>, std::less<>> leagues_of_user_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, SleeperLeague, std::less<>> leagues_ ABSL_GUARDED_BY(mu_);  // By id.
  std::map<std::string, std::vector<SleeperRoster>, std::less<>> rosters_
      ABSL_GUARDED_BY(mu_);  // By league id.
  std::map<std::string, std::vector<SleeperMatchup>, std::less<>> matchups_
      ABSL_GUARDED_BY(mu_);  // By path.
  std::optional<NflState> nfl_state_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status, std::less<>> path_errors_ ABSL_GUARDED_BY(mu_);
  std::map<Method, absl::Status> method_errors_ ABSL_GUARDED_BY(mu_);
  std::map<Method, std::deque<absl::Status>> queued_failures_ ABSL_GUARDED_BY(mu_);
  std::map<Method, absl::Duration> delays_ ABSL_GUARDED_BY(mu_);
  std::map<Method, int> calls_by_method_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int, std::less<>> calls_by_path_ ABSL_GUARDED_BY(mu_);
};

ScriptedSleeperClient::ScriptedSleeperClient(std::function<void(absl::Duration)> sleep)
    : state_(std::make_unique<State>(sleep ? std::move(sleep)
                                           : [](absl::Duration d) { absl::SleepFor(d); })) {}

ScriptedSleeperClient::~ScriptedSleeperClient() = default;

void ScriptedSleeperClient::set_user(SleeperUser user) {
  internal::MutexLock lock(&state_->mu_);
  state_->users_.insert_or_assign(user.username, std::move(user));
}

void ScriptedSleeperClient::set_nfl_leagues(std::string_view user_id, std::string_view season,
                                            std::vector<SleeperLeague> leagues) {
  internal::MutexLock lock(&state_->mu_);
  state_->leagues_of_user_.insert_or_assign(leagues_path(user_id, season), std::move(leagues));
}

void ScriptedSleeperClient::set_league(SleeperLeague league) {
  internal::MutexLock lock(&state_->mu_);
  state_->leagues_.insert_or_assign(league.league_id, std::move(league));
}

void ScriptedSleeperClient::set_league_rosters(std::string_view league_id,
                                               std::vector<SleeperRoster> rosters) {
  internal::MutexLock lock(&state_->mu_);
  state_->rosters_.insert_or_assign(std::string(league_id), std::move(rosters));
}

void ScriptedSleeperClient::set_league_matchups(std::string_view league_id, int week,
                                                std::vector<SleeperMatchup> matchups) {
  internal::MutexLock lock(&state_->mu_);
  state_->matchups_.insert_or_assign(matchups_path(league_id, week), std::move(matchups));
}

void ScriptedSleeperClient::set_nfl_state(NflState state) {
  internal::MutexLock lock(&state_->mu_);
  state_->nfl_state_ = std::move(state);
}

void ScriptedSleeperClient::set_error(std::string_view path, absl::Status status) {
  require_error(status);
  internal::MutexLock lock(&state_->mu_);
  state_->path_errors_.insert_or_assign(std::string(path), std::move(status));
}

void ScriptedSleeperClient::set_error(Method method, absl::Status status) {
  require_error(status);
  internal::MutexLock lock(&state_->mu_);
  state_->method_errors_.insert_or_assign(method, std::move(status));
}

void ScriptedSleeperClient::fail_next(Method method, absl::Status status, int times) {
  require_error(status);
  internal::MutexLock lock(&state_->mu_);
  for (int i = 0; i < times; ++i) state_->queued_failures_[method].push_back(status);
}

void ScriptedSleeperClient::clear_errors() {
  internal::MutexLock lock(&state_->mu_);
  state_->path_errors_.clear();
  state_->method_errors_.clear();
  state_->queued_failures_.clear();
}

void ScriptedSleeperClient::set_delay(Method method, absl::Duration delay) {
  internal::MutexLock lock(&state_->mu_);
  state_->delays_.insert_or_assign(method, delay);
}

int ScriptedSleeperClient::calls(Method method) const { return state_->calls(method); }

int ScriptedSleeperClient::calls(std::string_view path) const { return state_->calls(path); }

int ScriptedSleeperClient::calls() const { return state_->calls(); }

// Each call: begin(), then under the lock a scripted error or the scripted answer, so that a
// call sees the script as it was when its delay ended.

absl::StatusOr<SleeperUser> ScriptedSleeperClient::user(std::string_view username) {
  const std::string path = "/user/" + std::string(username);
  if (auto early = state_->begin(Method::kUser, path, username.empty())) return *early;
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->scripted_error(Method::kUser, path)) return *error;
  return State::answer(find(state_->users_, username), path);
}

absl::StatusOr<std::vector<SleeperLeague>> ScriptedSleeperClient::nfl_leagues(
    std::string_view user_id, std::string_view season) {
  const std::string path = leagues_path(user_id, season);
  if (auto early = state_->begin(Method::kNflLeagues, path, user_id.empty() || season.empty())) {
    return *early;
  }
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->scripted_error(Method::kNflLeagues, path)) return *error;
  return State::answer(find(state_->leagues_of_user_, path), path);
}

absl::StatusOr<SleeperLeague> ScriptedSleeperClient::league(std::string_view league_id) {
  const std::string path = "/league/" + std::string(league_id);
  if (auto early = state_->begin(Method::kLeague, path, league_id.empty())) return *early;
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->scripted_error(Method::kLeague, path)) return *error;
  return State::answer(find(state_->leagues_, league_id), path);
}

absl::StatusOr<std::vector<SleeperRoster>> ScriptedSleeperClient::league_rosters(
    std::string_view league_id) {
  const std::string path = "/league/" + std::string(league_id) + "/rosters";
  if (auto early = state_->begin(Method::kLeagueRosters, path, league_id.empty())) return *early;
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->scripted_error(Method::kLeagueRosters, path)) return *error;
  return State::answer(find(state_->rosters_, league_id), path);
}

absl::StatusOr<std::vector<SleeperMatchup>> ScriptedSleeperClient::league_matchups(
    std::string_view league_id, int week) {
  const std::string path = matchups_path(league_id, week);
  const bool malformed = league_id.empty() || week < 1 || week > kNflRegularSeasonWeeks;
  if (auto early = state_->begin(Method::kLeagueMatchups, path, malformed)) return *early;
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->scripted_error(Method::kLeagueMatchups, path)) return *error;
  return State::answer(find(state_->matchups_, path), path);
}

absl::StatusOr<NflState> ScriptedSleeperClient::nfl_state() {
  const std::string path = "/state/nfl";
  if (auto early = state_->begin(Method::kNflState, path, false)) return *early;
  internal::MutexLock lock(&state_->mu_);
  if (auto error = state_->scripted_error(Method::kNflState, path)) return *error;
  return State::answer(state_->nfl_state_ ? &*state_->nfl_state_ : nullptr, path);
}

}  // namespace account::testing
