// ReservationTable (src/ledger/reservation_table.h) against std::map on random puts
// and erases over ids issued densely, as the ledger issues and prunes them:
// chunks are emptied, dropped from the front, reused or made again.
#include "ledger/reservation_table.h"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <vector>

namespace account::internal {
namespace {

TEST_CASE("ReservationTable matches std::map while ids are issued and retired",
          "[reservation_table]") {
  const uint32_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  ReservationTable table;
  // Emptied chunks are reused for new ids: one kept, or as many as reserved.
  SECTION("chunks reserved ahead") { table.reserve(20'000); }
  SECTION("no chunk reserved") {}
  std::map<uint64_t, Reservation> model;
  // Half the puts go through put(r, before), which must show the row it
  // replaces (the model's), or nullptr for a new id, before writing.
  const auto put = [&](const Reservation& r) {
    if (rng() % 2 == 0) return table.put(r).second;
    auto it = model.find(r.id.value());
    int calls = 0;
    const auto before = [&](const Reservation* prior) {
      ++calls;
      REQUIRE((prior != nullptr) == (it != model.end()));
      if (prior != nullptr) REQUIRE(*prior == it->second);
    };
    const bool inserted = table.put(r, before).second;
    REQUIRE(calls == 1);
    return inserted;
  };
  uint64_t next_id = 1;
  uint64_t oldest = 1;  // Erases favour the oldest ids, as retention does.
  for (int step = 0; step < 60'000; ++step) {
    const uint64_t op = rng() % 10;
    if (op < 5) {
      const Reservation r{.id = ReservationId{next_id++}, .order_qty = Qty{int64_t(step)}};
      REQUIRE(put(r));
      model[r.id.value()] = r;
    } else if (op < 6 && next_id > 1) {
      const uint64_t id = 1 + rng() % (next_id - 1);
      Reservation r{.id = ReservationId{id}, .remaining_qty = Qty{int64_t(step)}};
      const bool held = model.contains(id);
      if (!held) continue;  // The ledger updates only reservations it holds.
      REQUIRE_FALSE(put(r));
      model[id] = r;
    } else if (next_id > oldest) {
      const uint64_t id = oldest + rng() % std::min<uint64_t>(next_id - oldest, 50);
      table.erase(ReservationId{id});
      model.erase(id);
      while (oldest < next_id && !model.contains(oldest)) ++oldest;
    }
    REQUIRE(table.size() == model.size());
    if (step % 509 != 0) continue;
    for (uint64_t id = 0; id <= next_id; ++id) {
      const Reservation* got = table.find(ReservationId{id});
      auto it = model.find(id);
      REQUIRE((got != nullptr) == (it != model.end()));
      if (got != nullptr) REQUIRE(*got == it->second);
    }
    std::vector<Reservation> all;
    table.for_each([&](const Reservation& r) { all.push_back(r); });
    REQUIRE(all.size() == model.size());
    size_t i = 0;
    for (const auto& [id, r] : model) REQUIRE(all[i++] == r);
  }
  // Rows out of order and below the retired prefix, as a snapshot restores them.
  table.erase(ReservationId{1});
  REQUIRE(put(Reservation{.id = ReservationId{1}}));
  CHECK(table.find(ReservationId{1}) != nullptr);
}

}  // namespace
}  // namespace account::internal
