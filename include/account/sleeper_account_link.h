// File: sleeper_account_link.h
//
// SleeperLink: the Sleeper league an account funds from, as the ledger keeps
// it on the account (Account::sleeper) and the stores persist it. Choosing a
// league is in sleeper_link.h; AccountService::link_sleeper() stores one.
//
// Limits: user_id, username, league_id and season are 1..255 bytes without
// NUL (the ledger refuses anything else with kInvalidArgument); roster_id
// is >= 1.
//
// Thread-safety: plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace account {

// Bytes allowed in each text field of a SleeperLink.
inline constexpr size_t kSleeperFieldBytesMax = 255;

// What an account stores once it has chosen a league.
struct SleeperLink {
  std::string user_id;
  std::string username;  // As it was when linked; informative only.
  std::string league_id;
  std::string season;    // "2026".
  int64_t roster_id = 0;

  friend bool operator==(const SleeperLink&, const SleeperLink&) = default;
};

}  // namespace account
