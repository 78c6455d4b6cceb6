// The example server's demo data: an account with something to show on the signed-in page.
//
//   seed_demo_account(service, "johndoe");   // before the first sign-in of that provider sub
//
// Thread-safety: call once at start, before the server takes requests.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "account/account_service.h"

namespace account_example {

// Creates (or finds) the account of provider subject `sub`, named "Demo Player", with $2,500.00
// of cash, a linked Sleeper league ("Waiver Wire Legends", 2026), and three trades against a
// market-maker account: buys of 10 shares of player 1 at $12.50 and 4 of player 2 at $30.00,
// then a sale of 3 of player 1 at $14.00. Idempotent: every entry has a natural key and every
// fill an execution id, so a second call changes nothing. The ledger's denial otherwise
// (e.g. kInvalidArgument for an empty `sub`).
absl::Status seed_demo_account(account::AccountService& service, std::string_view sub);

}  // namespace account_example
