// The group-commit queue: one leader at a time, commands in queue order,
// groups no larger than the bound, and a probe in a group of its own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "ledger/commit_queue.h"

namespace account {
namespace {

using internal::PendingCommand;

absl::Status stage_nothing(internal::Txn&, const internal::CommandContext&) {
  return absl::OkStatus();
}

TEST_CASE("commit queue: a lone command leads a group of one and gets the status it set") {
  internal::CommitQueue queue(/*commands_max=*/8, absl::ZeroDuration());
  PendingCommand command{.stage = stage_nothing};
  size_t group_size = 0;
  const absl::Status status = queue.submit(command, [&](absl::Span<PendingCommand* const> group) {
    group_size = group.size();
    for (PendingCommand* c : group) c->status = absl::AbortedError("set by the leader");
  });
  CHECK(group_size == 1);
  CHECK(status.code() == absl::StatusCode::kAborted);
  CHECK(command.done);
}

TEST_CASE("commit queue: many threads, one leader at a time, every command run once") {
  constexpr size_t kMax = 4;
  internal::CommitQueue queue(kMax, absl::Microseconds(200));
  constexpr int kThreads = 8;
  constexpr int kEach = 300;
  std::atomic<int> leaders{0};
  std::atomic<bool> overlap{false};
  std::atomic<size_t> largest{0};
  std::mutex mu;
  std::vector<int> ran;  // Each command's tag, in the order leaders ran them.
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        PendingCommand command{.stage = stage_nothing};
        const int tag = t * kEach + i;
        // The command's tag rides in its status message until the leader runs it.
        command.status = absl::UnknownError(std::to_string(tag));
        const absl::Status status =
            queue.submit(command, [&](absl::Span<PendingCommand* const> group) {
              if (leaders.fetch_add(1) != 0) overlap = true;
              size_t seen = largest.load();
              while (group.size() > seen && !largest.compare_exchange_weak(seen, group.size())) {
              }
              {
                std::lock_guard lock(mu);
                for (PendingCommand* c : group) ran.push_back(std::stoi(std::string(c->status.message())));
              }
              for (PendingCommand* c : group) c->status = absl::OkStatus();
              leaders.fetch_sub(1);
            });
        CHECK(status.ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK_FALSE(overlap.load());
  CHECK(largest.load() <= kMax);
  REQUIRE(ran.size() == size_t{kThreads} * kEach);
  std::sort(ran.begin(), ran.end());
  CHECK(std::adjacent_find(ran.begin(), ran.end()) == ran.end());  // None twice.
  // Sorted, the tags are 0..N-1: none was lost.
  CHECK(ran.front() == 0);
  CHECK(ran.back() == kThreads * kEach - 1);
}

TEST_CASE("commit queue: a probe runs alone and ends the group queued before it") {
  internal::CommitQueue queue(/*commands_max=*/16, absl::ZeroDuration());
  // The first command's leader holds the front while the others queue up
  // behind it: two commands, a probe, two commands.
  std::atomic<bool> release{false};
  std::atomic<bool> leading{false};
  std::mutex mu;
  std::vector<std::vector<int>> groups;
  const auto lead = [&](absl::Span<PendingCommand* const> group) {
    std::vector<int> tags;
    for (PendingCommand* c : group) tags.push_back(std::stoi(std::string(c->status.message())));
    {
      std::lock_guard lock(mu);
      groups.push_back(tags);
    }
    leading = true;
    while (tags.front() == 0 && !release.load()) std::this_thread::yield();
    for (PendingCommand* c : group) c->status = absl::OkStatus();
  };
  const auto run = [&](int tag, bool probe) {
    PendingCommand command{.stage = stage_nothing, .probe = probe};
    command.status = absl::UnknownError(std::to_string(tag));
    CHECK(queue.submit(command, lead).ok());
  };
  std::thread first([&] { run(0, false); });
  while (!leading.load()) std::this_thread::yield();
  std::vector<std::thread> rest;
  // Queued one at a time, so that their order in the queue is known.
  for (const auto& [tag, probe] : std::vector<std::pair<int, bool>>{
           {1, false}, {2, false}, {3, true}, {4, false}, {5, false}}) {
    rest.emplace_back([&, tag = tag, probe = probe] { run(tag, probe); });
    while (queue.size() < static_cast<size_t>(tag) + 1) std::this_thread::yield();
  }
  release = true;
  first.join();
  for (std::thread& t : rest) t.join();
  REQUIRE(groups.size() == 4);
  CHECK(groups[0] == std::vector<int>{0});
  CHECK(groups[1] == std::vector<int>{1, 2});
  CHECK(groups[2] == std::vector<int>{3});
  CHECK(groups[3] == std::vector<int>{4, 5});
}

}  // namespace
}  // namespace account
