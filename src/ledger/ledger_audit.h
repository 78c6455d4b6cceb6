// Private to the library: the audit's checks of invariants 1-4 and the
// Sleeper links over one ledger state (audit.cpp), for AccountService::audit(),
// audit_store() and, with ACCOUNT_AUDIT_EVERY_GROUP, after every group commit.
#pragma once

#include <string>
#include <vector>

#include "ledger/ledger_state.h"

namespace account::internal {

// Appends one readable line per violation found in `state`. O(state).
void check_invariants(const LedgerState& state, std::vector<std::string>& violations);

}  // namespace account::internal
