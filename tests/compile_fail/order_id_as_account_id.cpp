// An OrderId must not be accepted where an AccountId is required: each id is its own type (ids.h).
//
// Built twice by tests/CMakeLists.txt: as is, it must fail to compile (ctest
// compile_fail.order_id_as_account_id); with ACCOUNT_SHOULD_COMPILE defined it must compile
// (ctest compile_ok.order_id_as_account_id), which proves that the failure comes from the line
// under #else and from nothing else.
#include "account/ids.h"

namespace {

account::AccountId credited_account(account::AccountId id) { return id; }

}  // namespace

account::AccountId order_id_as_account_id() {
#ifdef ACCOUNT_SHOULD_COMPILE
  return credited_account(account::AccountId{7});
#else
  return credited_account(account::OrderId{7});
#endif
}
