#include "account/notional.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>

#include "account/units.h"

namespace account {
namespace {

TEST_CASE("fill_notional floors the sub-cent remainder", "[notional]") {
  // 0.1429 shares at $350.00 is exactly $50.015.
  CHECK(fill_notional(Qty{1429}, Price{35000}) == Cents{5001});
  CHECK(fill_notional(Qty{10'000}, Price{35000}) == Cents{35000});
  CHECK(fill_notional(Qty{1}, Price{1}) == Cents{0});
  CHECK(fill_notional(Qty{0}, Price{35000}) == Cents{0});
}

TEST_CASE("reserve_notional rounds up so it covers every fill at the limit", "[notional]") {
  CHECK(reserve_notional(Qty{1429}, Price{35000}) == Cents{5002});
  CHECK(reserve_notional(Qty{10'000}, Price{35000}) == Cents{35000});
  CHECK(reserve_notional(Qty{1}, Price{1}) == Cents{1});
  CHECK(reserve_notional(Qty{0}, Price{35000}) == Cents{0});
}

TEST_CASE("qty_for_notional buys the most that does not exceed the budget", "[notional]") {
  // 0.1428 shares cost $49.98; 0.1429 would cost $50.015.
  CHECK(qty_for_notional(Cents{5000}, Price{35000}) == Qty{1428});
  CHECK(qty_for_notional(Cents{35000}, Price{35000}) == Qty{10'000});
  CHECK(qty_for_notional(Cents{0}, Price{35000}) == Qty{0});

  const auto qty = qty_for_notional(Cents{5000}, Price{35000});
  REQUIRE(qty.has_value());
  CHECK(*fill_notional(*qty, Price{35000}) <= Cents{5000});
  CHECK(*reserve_notional(*qty, Price{35000}) <= Cents{5000});
}

TEST_CASE("notional helpers refuse negative inputs", "[notional]") {
  CHECK_FALSE(fill_notional(Qty{-1}, Price{35000}).has_value());
  CHECK_FALSE(fill_notional(Qty{1429}, Price{-1}).has_value());
  CHECK_FALSE(reserve_notional(Qty{-1}, Price{35000}).has_value());
  CHECK_FALSE(reserve_notional(Qty{1429}, Price{-1}).has_value());
  CHECK_FALSE(qty_for_notional(Cents{-1}, Price{35000}).has_value());
  CHECK_FALSE(qty_for_notional(Cents{5000}, Price{-1}).has_value());
}

TEST_CASE("qty_for_notional refuses a zero price", "[notional]") {
  CHECK_FALSE(qty_for_notional(Cents{5000}, Price{0}).has_value());
}

TEST_CASE("notional helpers report a result outside int64", "[notional]") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  CHECK_FALSE(fill_notional(Qty{kMax}, Price{kMax}).has_value());
  CHECK_FALSE(reserve_notional(Qty{kMax}, Price{kMax}).has_value());
  CHECK_FALSE(qty_for_notional(Cents{kMax}, Price{1}).has_value());
}


// A slow reference for a * b / 10'000 on non-negative int64: schoolbook
// multiplication in 32-bit limbs, then long division of the 128-bit product
// one limb at a time. Shares no code with the __int128 implementation.
struct Wide {
  uint32_t limb[4] = {0, 0, 0, 0};  // Little-endian.
};

Wide multiply(uint64_t a, uint64_t b) {
  const uint32_t x[2] = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32)};
  const uint32_t y[2] = {static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32)};
  Wide out;
  for (int i = 0; i < 2; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < 2; ++j) {
      const uint64_t cur = uint64_t{out.limb[i + j]} + uint64_t{x[i]} * y[j] + carry;
      out.limb[i + j] = static_cast<uint32_t>(cur);
      carry = cur >> 32;
    }
    out.limb[i + 2] = static_cast<uint32_t>(carry);
  }
  return out;
}

// {quotient fits in 64 bits?, quotient, remainder != 0}
struct Division {
  bool fits;
  uint64_t quotient;
  bool inexact;
};

Division divide(const Wide& n, uint32_t d) {
  uint32_t q[4];
  uint64_t rem = 0;
  for (int i = 3; i >= 0; --i) {
    const uint64_t cur = (rem << 32) | n.limb[i];
    q[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  return {q[3] == 0 && q[2] == 0, (uint64_t{q[1]} << 32) | q[0], rem != 0};
}

TEST_CASE("notional math matches a limb-by-limb reference on random inputs", "[notional]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (int i = 0; i < 200'000; ++i) {
    // Mix small, exchange-sized and huge operands.
    const int shift_q = static_cast<int>(rng() % 63);
    const int shift_p = static_cast<int>(rng() % 63);
    const uint64_t q = (rng() & kInt64Max) >> shift_q;
    const uint64_t p = (rng() & kInt64Max) >> shift_p;
    CAPTURE(q, p);
    const Division ref = divide(multiply(q, p), 10'000);
    const auto floor_cents = fill_notional(Qty{static_cast<int64_t>(q)}, Price{static_cast<int64_t>(p)});
    const auto ceil_cents = reserve_notional(Qty{static_cast<int64_t>(q)}, Price{static_cast<int64_t>(p)});
    const bool floor_fits = ref.fits && ref.quotient <= kInt64Max;
    REQUIRE(floor_cents.has_value() == floor_fits);
    if (floor_fits) REQUIRE(static_cast<uint64_t>(floor_cents->value()) == ref.quotient);
    const uint64_t ceil_ref = ref.quotient + (ref.inexact ? 1 : 0);
    const bool ceil_fits = ref.fits && ref.quotient < kInt64Max + (ref.inexact ? 0 : 1);
    REQUIRE(ceil_cents.has_value() == ceil_fits);
    if (ceil_fits) REQUIRE(static_cast<uint64_t>(ceil_cents->value()) == ceil_ref);
  }
}

TEST_CASE("qty_for_notional is the largest quantity within budget", "[notional]") {
  std::mt19937_64 rng(Catch::rngSeed());
  for (int i = 0; i < 100'000; ++i) {
    const Cents budget{static_cast<int64_t>(rng() % 100'000'000)};
    const Price price{static_cast<int64_t>(100 + rng() % 99'901)};
    CAPTURE(budget.value(), price.cents_per_share());
    const Qty q = qty_for_notional(budget, price).value();
    REQUIRE(*reserve_notional(q, price) <= budget);
    REQUIRE(*fill_notional(q, price) <= budget);
    // One more basis point would cost more than the budget, exactly.
    REQUIRE(static_cast<internal::Int128>(q.value() + 1) * price.cents_per_share() >
            static_cast<internal::Int128>(budget.value()) * kBpPerShare);
  }
}

}  // namespace
}  // namespace account
