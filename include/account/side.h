// File: side.h
//
// Order side. Values are explicit: they are stored.
#pragma once

#include <cstdint>
#include <string_view>

namespace account {

enum class Side : uint8_t { kBuy = 1, kSell = 2 };

constexpr std::string_view side_name(Side side) { return side == Side::kBuy ? "BUY" : "SELL"; }

}  // namespace account
