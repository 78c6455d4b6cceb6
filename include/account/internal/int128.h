// File: internal/int128.h
//
// The 128-bit integers notional math is computed in. GCC and Clang provide
// __int128 as an extension; __extension__ keeps -Wpedantic quiet about it.
#pragma once

namespace account::internal {

__extension__ typedef __int128 Int128;

}  // namespace account::internal
