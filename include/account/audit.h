// File: audit.h
//
// The result of checking the ledger's invariants (ARCHITECTURE.md section 3)
// on demand: each violation is one readable line naming the account, order
// or symbol and the figures.
//
// Thread-safety: AuditReport is a plain value; audit_store() is as
// thread-safe as the store's load().
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/limits.h"
#include "account/store.h"

namespace account {

struct AuditReport {
  std::vector<std::string> violations;
  bool ok() const { return violations.empty(); }
};

// Audits what `store` holds on its own: loads it once (one committed point,
// as a ledger opened with `limits` at `now` would) and checks invariants 1-4
// and the Sleeper links on it. For operators beside a live ledger (accountctl
// audit): it compares nothing with a memory that a second load would find
// moved on. AccountService::audit() compares its memory with the store too.
// Never writes. A load that fails is one violation naming the store's error.
AuditReport audit_store(Store& store, const LedgerLimits& limits, absl::Time now);

}  // namespace account
