#include "account/risk_cache.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

namespace account {
namespace {

constexpr Qty kDefaultHeadroomQty{500 * kBpPerShare};
constexpr AccountId kAlice{1};
constexpr AccountId kBob{2};
constexpr SymbolId kMahomes{7};
constexpr SymbolId kKelce{8};

RiskCacheOptions options_with(ReaderFence fence, size_t readers_max = 4) {
  return RiskCacheOptions{.readers_max = readers_max,
                          .default_buy_headroom_qty = kDefaultHeadroomQty,
                          .account_id_max = 1 << 20,
                          .reader_fence = fence};
}

RiskReader must_register(RiskCache& cache) {
  absl::StatusOr<RiskReader> reader = cache.register_reader();
  REQUIRE(reader.ok());
  return std::move(reader).value();
}

// Alice: $100.00 cash, $80.00 open-notional headroom; 10 shares of Mahomes
// available to sell, 20 more she may buy.
RiskTickChanges alice_tick(uint64_t tick) {
  return RiskTickChanges{
      .tick = TickId{tick},
      .accounts = {{kAlice, Cents{10'000}, Cents{8'000}}},
      .positions = {{kAlice, kMahomes, Qty{10 * kBpPerShare}, Qty{20 * kBpPerShare}}}};
}

void require_published(RiskCache& cache, const RiskTickChanges& changes) {
  REQUIRE(cache.publish(changes).ok());
}

ReaderFence fence_under_test() {
  return GENERATE(ReaderFence::kSeqCst, ReaderFence::kAsymmetric);
}

TEST_CASE("RiskVerdict values equal the engine's reject codes", "[risk_cache]") {
  CHECK(static_cast<int>(RiskVerdict::kAccept) == 0);
  CHECK(static_cast<int>(RiskVerdict::kRiskUnavailable) == 6);
  CHECK(static_cast<int>(RiskVerdict::kInsufficientFunds) == 7);
  CHECK(static_cast<int>(RiskVerdict::kExposureExceeded) == 8);
  CHECK(risk_verdict_name(RiskVerdict::kExposureExceeded) == "ExposureExceeded");
}

TEST_CASE("Before any publish every account is unknown", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  CHECK(cache.published_tick() == TickId{0});
  ReadGuard guard = reader.read();
  CHECK(guard.tick() == TickId{0});
  CHECK(guard.check_buy(kAlice, kMahomes, Qty{1}, Cents{1}) == RiskVerdict::kRiskUnavailable);
  CHECK(guard.check_sell(kAlice, kMahomes, Qty{1}) == RiskVerdict::kRiskUnavailable);
  CHECK(guard.available_cash(kAlice) == std::nullopt);
  CHECK(guard.open_notional_headroom(kAlice) == std::nullopt);
  CHECK(guard.available_qty(kAlice, kMahomes) == Qty{0});
  CHECK(guard.buy_headroom_qty(kAlice, kMahomes) == kDefaultHeadroomQty);
}

// One row per verdict, in precedence order.
TEST_CASE("check_buy verdicts in precedence order", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  require_published(cache, alice_tick(1));
  RiskReader reader = must_register(cache);
  const Qty qty{5 * kBpPerShare};
  const Cents notional{5'000};

  SECTION("malformed input") {
    CHECK(reader.check_buy(kAlice, kMahomes, Qty{-1}, notional) == RiskVerdict::kRiskUnavailable);
    CHECK(reader.check_buy(kAlice, kMahomes, qty, Cents{-1}) == RiskVerdict::kRiskUnavailable);
  }
  SECTION("unknown account") {
    CHECK(reader.check_buy(kBob, kMahomes, qty, notional) == RiskVerdict::kRiskUnavailable);
  }
  SECTION("available cash below notional, even when every cap is exceeded too") {
    CHECK(reader.check_buy(kAlice, kMahomes, Qty{21 * kBpPerShare}, Cents{10'001}) ==
          RiskVerdict::kInsufficientFunds);
  }
  SECTION("open notional headroom below notional") {
    CHECK(reader.check_buy(kAlice, kMahomes, qty, Cents{8'001}) ==
          RiskVerdict::kExposureExceeded);
  }
  SECTION("buy headroom below qty") {
    CHECK(reader.check_buy(kAlice, kMahomes, Qty{20 * kBpPerShare + 1}, notional) ==
          RiskVerdict::kExposureExceeded);
  }
  SECTION("accept, including exactly at every limit") {
    CHECK(reader.check_buy(kAlice, kMahomes, qty, notional) == RiskVerdict::kAccept);
    CHECK(reader.check_buy(kAlice, kMahomes, Qty{20 * kBpPerShare}, Cents{8'000}) ==
          RiskVerdict::kAccept);
    CHECK(reader.check_buy(kAlice, kMahomes, Qty{0}, Cents{0}) == RiskVerdict::kAccept);
  }
}

TEST_CASE("check_sell verdicts in precedence order", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  require_published(cache, alice_tick(1));
  RiskReader reader = must_register(cache);

  SECTION("malformed input") {
    CHECK(reader.check_sell(kAlice, kMahomes, Qty{-1}) == RiskVerdict::kRiskUnavailable);
  }
  SECTION("unknown account") {
    CHECK(reader.check_sell(kBob, kMahomes, Qty{1}) == RiskVerdict::kRiskUnavailable);
  }
  SECTION("available qty below qty") {
    CHECK(reader.check_sell(kAlice, kMahomes, Qty{10 * kBpPerShare + 1}) ==
          RiskVerdict::kInsufficientFunds);
    CHECK(reader.check_sell(kAlice, kKelce, Qty{1}) == RiskVerdict::kInsufficientFunds);
  }
  SECTION("accept, including exactly the available qty") {
    CHECK(reader.check_sell(kAlice, kMahomes, Qty{10 * kBpPerShare}) == RiskVerdict::kAccept);
    CHECK(reader.check_sell(kAlice, kKelce, Qty{0}) == RiskVerdict::kAccept);
  }
}

TEST_CASE("A pair never published has no shares and the default headroom", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  require_published(cache, alice_tick(1));
  RiskReader reader = must_register(cache);
  ReadGuard guard = reader.read();
  CHECK(guard.available_qty(kAlice, kKelce) == Qty{0});
  CHECK(guard.buy_headroom_qty(kAlice, kKelce) == kDefaultHeadroomQty);
  CHECK(guard.check_buy(kAlice, kKelce, kDefaultHeadroomQty, Cents{1}) == RiskVerdict::kAccept);
  CHECK(guard.check_buy(kAlice, kKelce, kDefaultHeadroomQty + Qty{1}, Cents{1}) ==
        RiskVerdict::kExposureExceeded);
}

TEST_CASE("Positions published before their account leave it unknown", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  require_published(cache, {.tick = TickId{1},
                            .accounts = {},
                            .positions = {{kBob, kKelce, Qty{3}, Qty{4}}}});
  RiskReader reader = must_register(cache);
  ReadGuard guard = reader.read();
  CHECK(guard.available_cash(kBob) == std::nullopt);
  CHECK(guard.check_sell(kBob, kKelce, Qty{1}) == RiskVerdict::kRiskUnavailable);
  CHECK(guard.available_qty(kBob, kKelce) == Qty{3});
  CHECK(guard.buy_headroom_qty(kBob, kKelce) == Qty{4});
}

// Reads after several publishes, so that both copies are read: a change that
// reached only one copy would show on every other tick.
TEST_CASE("A publish changes only the entries it lists, in both copies", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  require_published(cache, {.tick = TickId{1},
                            .accounts = {{kAlice, Cents{100}, Cents{200}},
                                         {kBob, Cents{300}, Cents{400}}},
                            .positions = {{kAlice, kMahomes, Qty{1}, Qty{2}},
                                          {kAlice, kKelce, Qty{3}, Qty{4}}}});
  require_published(cache, {.tick = TickId{2},
                            .accounts = {{kAlice, Cents{101}, Cents{201}}},
                            .positions = {{kAlice, kKelce, Qty{5}, Qty{6}}}});
  for (uint64_t tick = 3; tick <= 6; ++tick) {
    require_published(cache, {.tick = TickId{tick}, .accounts = {}, .positions = {}});
    ReadGuard guard = reader.read();
    CAPTURE(tick);
    CHECK(guard.tick() == TickId{tick});
    CHECK(guard.available_cash(kAlice) == Cents{101});
    CHECK(guard.open_notional_headroom(kAlice) == Cents{201});
    CHECK(guard.available_cash(kBob) == Cents{300});
    CHECK(guard.open_notional_headroom(kBob) == Cents{400});
    CHECK(guard.available_qty(kAlice, kMahomes) == Qty{1});
    CHECK(guard.buy_headroom_qty(kAlice, kMahomes) == Qty{2});
    CHECK(guard.available_qty(kAlice, kKelce) == Qty{5});
    CHECK(guard.buy_headroom_qty(kAlice, kKelce) == Qty{6});
  }
}

// The first few positions of an account live inline, the rest in a table.
TEST_CASE("An account with many positions keeps each one", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  constexpr int64_t kSymbolCount = 11;
  auto position = [](uint64_t tick, int64_t symbol) {
    const int64_t qty = static_cast<int64_t>(tick) * 100 + symbol;
    return PositionRisk{kAlice, SymbolId{static_cast<uint64_t>(symbol)}, Qty{qty}, Qty{-qty}};
  };
  RiskTickChanges first{.tick = TickId{1}, .accounts = {}, .positions = {}};
  // Published in an order that is not the symbol order.
  for (int64_t symbol = kSymbolCount; symbol >= 1; --symbol) {
    first.positions.push_back(position(1, symbol));
  }
  require_published(cache, first);
  // Tick 2 changes every other symbol, inline and overflow alike.
  RiskTickChanges second{.tick = TickId{2}, .accounts = {}, .positions = {}};
  for (int64_t symbol = 1; symbol <= kSymbolCount; symbol += 2) {
    second.positions.push_back(position(2, symbol));
  }
  require_published(cache, second);
  for (uint64_t tick = 3; tick <= 4; ++tick) {
    require_published(cache, {.tick = TickId{tick}, .accounts = {}, .positions = {}});
    ReadGuard guard = reader.read();
    for (int64_t symbol = 1; symbol <= kSymbolCount; ++symbol) {
      CAPTURE(tick, symbol);
      const PositionRisk want = position(symbol % 2 == 1 ? 2 : 1, symbol);
      CHECK(guard.available_qty(kAlice, want.symbol) == want.available_qty);
      CHECK(guard.buy_headroom_qty(kAlice, want.symbol) == want.buy_headroom_qty);
    }
    CHECK(guard.available_qty(kAlice, SymbolId{kSymbolCount + 1}) == Qty{0});
    CHECK(guard.buy_headroom_qty(kAlice, SymbolId{kSymbolCount + 1}) == kDefaultHeadroomQty);
  }
}

TEST_CASE("The later of two entries for one key wins", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  require_published(cache, {.tick = TickId{1},
                            .accounts = {{kAlice, Cents{1}, Cents{1}},
                                         {kAlice, Cents{2}, Cents{2}}},
                            .positions = {}});
  require_published(cache, {.tick = TickId{2}, .accounts = {}, .positions = {}});
  CHECK(reader.available_cash(kAlice) == Cents{2});
}

TEST_CASE("Accounts on different pages are independent", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  const std::vector<uint64_t> ids = {1, 1'023, 1'024, 1'025, 5'000, 1 << 20};
  RiskTickChanges changes{.tick = TickId{1}, .accounts = {}, .positions = {}};
  for (uint64_t id : ids) {
    changes.accounts.push_back({AccountId{id}, Cents{static_cast<int64_t>(id)}, Cents{0}});
  }
  require_published(cache, changes);
  require_published(cache, {.tick = TickId{2}, .accounts = {}, .positions = {}});
  for (uint64_t id : ids) {
    CAPTURE(id);
    CHECK(reader.available_cash(AccountId{id}) == Cents{static_cast<int64_t>(id)});
  }
  CHECK(reader.available_cash(AccountId{1'026}) == std::nullopt);
  CHECK(reader.available_cash(AccountId{uint64_t{1} << 40}) == std::nullopt);
}

TEST_CASE("published_tick advances and refuses going back", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  require_published(cache, alice_tick(5));
  CHECK(cache.published_tick() == TickId{5});
  require_published(cache, alice_tick(9));
  CHECK(cache.published_tick() == TickId{9});

  RiskTickChanges stale = alice_tick(9);
  stale.accounts[0].available_cash = Cents{1};
  absl::Status status = cache.publish(stale);
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(cache.published_tick() == TickId{9});
  CHECK(reader.available_cash(kAlice) == Cents{10'000});
}

TEST_CASE("A publish with a bad id fails whole", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  RiskReader reader = must_register(cache);
  RiskTickChanges changes = alice_tick(1);
  SECTION("account id 0") { changes.accounts.push_back({AccountId{0}, Cents{1}, Cents{1}}); }
  SECTION("account id above the maximum") {
    changes.positions.push_back({AccountId{(1 << 20) + 1}, kKelce, Qty{1}, Qty{1}});
  }
  SECTION("symbol id 0") { changes.positions.push_back({kAlice, SymbolId{0}, Qty{1}, Qty{1}}); }
  CHECK(cache.publish(changes).code() == absl::StatusCode::kInvalidArgument);
  CHECK(cache.published_tick() == TickId{0});
  CHECK(reader.available_cash(kAlice) == std::nullopt);
}

TEST_CASE("register_reader is bounded by readers_max and slots are reused", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test(), /*readers_max=*/2));
  require_published(cache, alice_tick(1));
  std::optional<RiskReader> first = must_register(cache);
  RiskReader second = must_register(cache);
  absl::StatusOr<RiskReader> third = cache.register_reader();
  CHECK(third.status().code() == absl::StatusCode::kResourceExhausted);

  // Moving a reader keeps its slot.
  RiskReader moved = std::move(*first);
  first.reset();
  CHECK(cache.register_reader().status().code() == absl::StatusCode::kResourceExhausted);

  { RiskReader gone = std::move(moved); }
  RiskReader reused = must_register(cache);
  CHECK(reused.available_cash(kAlice) == Cents{10'000});
  CHECK(second.available_cash(kAlice) == Cents{10'000});
}

TEST_CASE("A reused slot keeps working across publishes", "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test(), /*readers_max=*/1));
  for (uint64_t tick = 1; tick <= 4; ++tick) {
    RiskReader reader = must_register(cache);
    { ReadGuard guard = reader.read(); }
    require_published(cache, alice_tick(tick));
    CHECK(reader.read().tick() == TickId{tick});
  }
}

bool wait_until(const std::atomic<bool>& flag, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!flag.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return flag.load();
}

TEST_CASE("An open guard keeps its tick and holds back publish until it closes",
          "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  require_published(cache, alice_tick(1));
  RiskReader reader = must_register(cache);
  RiskTickChanges next{.tick = TickId{2},
                       .accounts = {{kAlice, Cents{1}, Cents{1}}},
                       .positions = {{kAlice, kMahomes, Qty{0}, Qty{0}}}};
  std::atomic<bool> published{false};
  std::optional<std::thread> writer;
  {
    ReadGuard guard = reader.read();
    writer.emplace([&] {
      const bool ok = cache.publish(next).ok();
      published.store(ok);
    });
    // The new tick becomes visible to other readers at once...
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (cache.published_tick() != TickId{2} && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    CHECK(cache.published_tick() == TickId{2});
    // ...while the guard keeps reading tick 1, and publish() waits for it.
    for (int i = 0; i < 50; ++i) {
      CHECK(guard.tick() == TickId{1});
      CHECK(guard.available_cash(kAlice) == Cents{10'000});
      CHECK(guard.check_sell(kAlice, kMahomes, Qty{10 * kBpPerShare}) == RiskVerdict::kAccept);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK_FALSE(published.load());
  }
  CHECK(wait_until(published, std::chrono::seconds(5)));
  writer->join();
  ReadGuard guard = reader.read();
  CHECK(guard.tick() == TickId{2});
  CHECK(guard.available_cash(kAlice) == Cents{1});
  CHECK(guard.check_sell(kAlice, kMahomes, Qty{1}) == RiskVerdict::kInsufficientFunds);
}

TEST_CASE("Another reader's open guard does not stop this reader seeing the new tick",
          "[risk_cache]") {
  RiskCache cache(options_with(fence_under_test()));
  require_published(cache, alice_tick(1));
  RiskReader slow = must_register(cache);
  RiskReader fast = must_register(cache);
  std::atomic<bool> published{false};
  std::optional<std::thread> writer;
  {
    ReadGuard held = slow.read();
    writer.emplace([&] { published.store(cache.publish(alice_tick(2)).ok()); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (fast.read().tick() != TickId{2} && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    CHECK(fast.read().tick() == TickId{2});
    CHECK(held.tick() == TickId{1});
  }
  CHECK(wait_until(published, std::chrono::seconds(5)));
  writer->join();
}

TEST_CASE("reader_fence reports the fence in effect", "[risk_cache]") {
  RiskCache seq_cst(options_with(ReaderFence::kSeqCst));
  CHECK(seq_cst.reader_fence() == ReaderFence::kSeqCst);
  RiskCache asymmetric(options_with(ReaderFence::kAsymmetric));
#if ACCOUNT_INTERNAL_TSAN
  CHECK(asymmetric.reader_fence() == ReaderFence::kSeqCst);
#else
  // Either, depending on the kernel; both must pass every test above.
  CHECK((asymmetric.reader_fence() == ReaderFence::kSeqCst ||
         asymmetric.reader_fence() == ReaderFence::kAsymmetric));
#endif
}

}  // namespace
}  // namespace account
