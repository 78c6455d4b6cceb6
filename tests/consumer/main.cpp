// Uses the installed package: a header-only function (fill_notional) and one compiled into the
// static library with its Abseil dependencies (denial / reason_of), so that both the include path
// and the link line of account::account are exercised.
#include <cstdio>

#include "account/notional.h"
#include "account/reason.h"
#include "account/status.h"

int main() {
  const auto notional = account::fill_notional(account::Qty{1429}, account::Price{35000});
  if (notional != account::Cents{5001}) {
    std::fputs("fill_notional(Qty{1429}, Price{35000}) != Cents{5001}\n", stderr);
    return 1;
  }

  const absl::Status status =
      account::denial(account::Reason::kInsufficientFunds, "required 5002 cents, available 4998");
  if (account::reason_of(status) != account::Reason::kInsufficientFunds) {
    std::fputs("reason_of(denial(kInsufficientFunds, ...)) != kInsufficientFunds\n", stderr);
    return 1;
  }

  std::puts("account consumer: ok");
  return 0;
}
