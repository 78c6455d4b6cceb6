// The outage queue keeps refused fills in order, never beyond its bound, and
// knows which orders its fills name; the retry thread's waits end on stop().
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ledger/outage_queue.h"

namespace account {
namespace {

Fill fill(uint64_t execution, uint64_t buy_order, uint64_t sell_order) {
  return Fill{.execution = ExecutionId{execution},
              .symbol = SymbolId{7},
              .qty = Qty{10'000},
              .price = Price{2'500},
              .buyer = {AccountId{1}, OrderId{buy_order}},
              .seller = {AccountId{2}, OrderId{sell_order}},
              .tick = TickId{1},
              .time = absl::FromUnixSeconds(1'800'000'000)};
}

std::vector<uint64_t> executions(const internal::OutageQueue& queue) {
  std::vector<Fill> fills;
  queue.copy_to(fills);
  std::vector<uint64_t> ids;
  for (const Fill& f : fills) ids.push_back(f.execution.value());
  return ids;
}

TEST_CASE("outage queue: fills leave in the order they came, up to its bound") {
  internal::OutageQueue queue(/*fills_max=*/3);
  const Fill a = fill(1, 10, 20), b = fill(2, 11, 20), c = fill(3, 12, 21), d = fill(4, 13, 22);
  CHECK_FALSE(queue.any());
  CHECK(queue.push(std::vector<const Fill*>{&a, &b}) == 2);
  CHECK(queue.any());
  // Only a prefix is taken: the fill past the bound and every one after it stay out.
  CHECK(queue.push(std::vector<const Fill*>{&c, &d}) == 1);
  CHECK(executions(queue) == std::vector<uint64_t>{1, 2, 3});
  queue.pop_front(2);
  CHECK(executions(queue) == std::vector<uint64_t>{3});
  CHECK(queue.size() == 1);
}

TEST_CASE("outage queue: fills arriving while it is non-empty go behind, never past it") {
  internal::OutageQueue queue(/*fills_max=*/3);
  const std::vector<Fill> batch = {fill(5, 10, 20), fill(6, 11, 21), fill(7, 12, 22)};
  // Empty: nothing is taken, the caller settles them itself.
  CHECK_FALSE(queue.push_behind(batch).has_value());
  CHECK(queue.size() == 0);

  const Fill first = fill(1, 30, 40);
  REQUIRE(queue.push(std::vector<const Fill*>{&first}) == 1);
  const std::optional<internal::OutageQueue::Behind> behind = queue.push_behind(batch);
  REQUIRE(behind.has_value());
  CHECK(behind->taken == 2);
  CHECK(behind->size == 3);
  CHECK(executions(queue) == std::vector<uint64_t>{1, 5, 6});
}

TEST_CASE("outage queue: names() holds exactly while a queued fill names the order") {
  internal::OutageQueue queue(/*fills_max=*/10);
  const Fill a = fill(1, 10, 20), b = fill(2, 10, 21);  // Both buy against order 10.
  REQUIRE(queue.push(std::vector<const Fill*>{&a, &b}) == 2);
  CHECK(queue.names(OrderId{10}));
  CHECK(queue.names(OrderId{20}));
  CHECK(queue.names(OrderId{21}));
  CHECK_FALSE(queue.names(OrderId{99}));
  queue.pop_front(1);
  CHECK(queue.names(OrderId{10}));  // b still names it.
  CHECK_FALSE(queue.names(OrderId{20}));
  queue.pop_front(1);
  CHECK_FALSE(queue.names(OrderId{10}));
  CHECK_FALSE(queue.names(OrderId{21}));
  CHECK_FALSE(queue.any());
}

TEST_CASE("outage queue: take_all() hands back every fill, oldest first, and empties it") {
  internal::OutageQueue queue(/*fills_max=*/10);
  const Fill a = fill(1, 10, 20), b = fill(2, 11, 21);
  REQUIRE(queue.push(std::vector<const Fill*>{&a, &b}) == 2);
  queue.stop();
  const std::deque<Fill> left = queue.take_all();
  REQUIRE(left.size() == 2);
  CHECK(left[0] == a);
  CHECK(left[1] == b);
  CHECK(queue.size() == 0);
  CHECK_FALSE(queue.any());
  CHECK_FALSE(queue.names(OrderId{10}));
}

TEST_CASE("outage queue: the retry thread's waits wake on work, on wake() and end on stop()") {
  internal::OutageQueue queue(/*fills_max=*/10);
  std::atomic<bool> store_up{true};
  std::atomic<int> woke{0};
  std::thread retry([&] {
    while (queue.wait_for_work([&] { return store_up.load(); })) {
      ++woke;
      queue.pop_front(queue.size());
      store_up = true;
    }
  });
  const Fill a = fill(1, 10, 20);
  REQUIRE(queue.push(std::vector<const Fill*>{&a}) == 1);  // Empty to non-empty wakes it.
  const auto until = [&](int n) {
    for (int i = 0; i < 5'000 && woke.load() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return woke.load() >= n;
  };
  CHECK(until(1));
  store_up = false;  // A store gone down wakes it through wake().
  queue.wake();
  CHECK(until(2));
  queue.stop();
  retry.join();  // Returns: the wait ended.

  // A sleep after stop() returns at once, not after its whole wait.
  const auto start = std::chrono::steady_clock::now();
  queue.sleep_unless_stopping(absl::Seconds(30));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

}  // namespace
}  // namespace account
