// File: audit.h
//
// The result of checking the ledger's invariants (ARCHITECTURE.md section 3)
// on demand: each violation is one readable line naming the account, order
// or symbol and the figures.
//
// Thread-safety: plain value.
#pragma once

#include <string>
#include <vector>

namespace account {

struct AuditReport {
  std::vector<std::string> violations;
  bool ok() const { return violations.empty(); }
};

}  // namespace account
