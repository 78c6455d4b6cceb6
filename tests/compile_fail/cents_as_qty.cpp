// Cents must not be accepted where a Qty is required: money and quantity are distinct units
// (units.h), so a cash amount cannot be mistaken for a number of basis points of a share.
//
// Built twice by tests/CMakeLists.txt: as is, it must fail to compile (ctest
// compile_fail.cents_as_qty); with ACCOUNT_SHOULD_COMPILE defined it must compile
// (ctest compile_ok.cents_as_qty), which proves that the failure comes from the line under #else
// and from nothing else.
#include "account/units.h"

namespace {

account::Qty half_a_share(account::Qty one_share) { return account::Qty{one_share.value() / 2}; }

}  // namespace

account::Qty cents_as_qty() {
#ifdef ACCOUNT_SHOULD_COMPILE
  return half_a_share(account::Qty{10'000});
#else
  return half_a_share(account::Cents{10'000});
#endif
}
