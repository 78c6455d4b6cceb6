// ExpiryQueue (src/ledger/expiry_queue.h): the due entries it visits, in order, and
// what dropping and compaction keep, against a std::set model; and, through
// AccountService, that a ledger's expiry sweep still expires exactly the due
// orders while finished reservations leave stale entries behind.
#include "ledger/expiry_queue.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "absl/time/time.h"

namespace account::internal {
namespace {

using Entry = ExpiryQueue::Entry;

absl::Time at(int64_t seconds) { return absl::FromUnixSeconds(1'790'000'000 + seconds); }

std::vector<Entry> due(const ExpiryQueue& q, absl::Time now) {
  std::vector<Entry> out;
  q.for_each_due(now, [&](const Entry& e) { out.push_back(e); });
  return out;
}

TEST_CASE("ExpiryQueue visits due entries by time then id, pushed in or out of order",
          "[expiry_queue]") {
  ExpiryQueue q;
  q.push(at(10), ReservationId{1});
  q.push(at(20), ReservationId{2});
  q.push(at(5), ReservationId{3});    // Earlier than the newest: the ordered set.
  q.push(at(20), ReservationId{1});   // Same time as 2, smaller id: sorts before it.
  q.push(at(30), ReservationId{4});
  CHECK(q.size() == 5);
  CHECK(due(q, at(4)).empty());
  CHECK(due(q, at(20)) == std::vector<Entry>{{at(5), ReservationId{3}},
                                             {at(10), ReservationId{1}},
                                             {at(20), ReservationId{1}},
                                             {at(20), ReservationId{2}}});
}

TEST_CASE("ExpiryQueue drops stale due entries up to the first live one", "[expiry_queue]") {
  ExpiryQueue q;
  for (uint64_t id = 1; id <= 6; ++id) q.push(at(static_cast<int64_t>(id)), ReservationId{id});
  q.push(at(0), ReservationId{7});  // Out of order, and due first.
  const std::set<uint64_t> live = {3, 6};
  const auto stale = [&](const Entry& e) { return live.count(e.reservation.value()) == 0; };
  q.drop_stale_due(at(5), stale);
  // 7, 1 and 2 were stale and due; 3 is live and stops the drop, so 4 and 5
  // wait behind it although stale.
  CHECK(due(q, at(100)) == std::vector<Entry>{{at(3), ReservationId{3}},
                                              {at(4), ReservationId{4}},
                                              {at(5), ReservationId{5}},
                                              {at(6), ReservationId{6}}});
  q.compact(stale);
  CHECK(due(q, at(100)) ==
        std::vector<Entry>{{at(3), ReservationId{3}}, {at(6), ReservationId{6}}});
  CHECK(q.size() == 2);
}

TEST_CASE("ExpiryQueue keeps every live entry in order under random pushes, drops and compactions",
          "[expiry_queue]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  ExpiryQueue q;
  std::map<uint64_t, absl::Time> live;  // Reservation -> its current expiry.
  std::multiset<Entry> pushed;          // Everything pushed and not yet removed.
  const auto stale = [&](const Entry& e) {
    auto it = live.find(e.reservation.value());
    return it == live.end() || it->second != e.expires_at;
  };
  int64_t clock = 0;
  uint64_t next_id = 1;
  for (int step = 0; step < 20'000; ++step) {
    switch (rng() % 6) {
      case 0:
      case 1: {  // A new reservation, mostly expiring later than the last.
        const int64_t lifetime = rng() % 8 == 0 ? static_cast<int64_t>(rng() % 50)
                                                : 100 + static_cast<int64_t>(rng() % 3);
        live[next_id] = at(clock + lifetime);
        q.push(at(clock + lifetime), ReservationId{next_id});
        pushed.insert({at(clock + lifetime), ReservationId{next_id}});
        ++next_id;
        break;
      }
      case 2: {  // One finishes (fill, cancel or expiry): its entry goes stale.
        if (live.empty()) break;
        auto it = std::next(live.begin(), static_cast<std::ptrdiff_t>(rng() % live.size()));
        live.erase(it);
        break;
      }
      case 3: {  // One is extended.
        if (live.empty()) break;
        auto it = std::next(live.begin(), static_cast<std::ptrdiff_t>(rng() % live.size()));
        it->second += absl::Seconds(1 + static_cast<int64_t>(rng() % 100));
        q.push(it->second, ReservationId{it->first});
        pushed.insert({it->second, ReservationId{it->first}});
        break;
      }
      case 4:
        clock += static_cast<int64_t>(rng() % 5);
        q.drop_stale_due(at(clock), stale);
        // What went: a prefix of the due entries, all stale.
        for (auto it = pushed.begin(); it != pushed.end() && it->expires_at <= at(clock);) {
          if (!stale(*it)) break;
          it = pushed.erase(it);
        }
        break;
      default:
        if (rng() % 50 == 0) {
          q.compact(stale);
          for (auto it = pushed.begin(); it != pushed.end();) {
            it = stale(*it) ? pushed.erase(it) : std::next(it);
          }
        }
        break;
    }
    const absl::Time now = at(clock + static_cast<int64_t>(rng() % 200));
    std::vector<Entry> want;
    for (const Entry& e : pushed) {
      if (e.expires_at <= now) want.push_back(e);
    }
    REQUIRE(due(q, now) == want);
    REQUIRE(q.size() == pushed.size());
  }
  // Every live reservation is still findable at its expiry.
  const std::vector<Entry> all = due(q, absl::InfiniteFuture());
  for (const auto& [id, expires_at] : live) {
    CHECK(std::count(all.begin(), all.end(), Entry{expires_at, ReservationId{id}}) >= 1);
  }
}

}  // namespace
}  // namespace account::internal
