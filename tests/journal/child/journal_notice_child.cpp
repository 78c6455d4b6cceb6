// account_journal_notice_child: a ledger that dies inside its NotificationSink, for the journal
// tests (sqlite_notice_crash_test.cpp).
//
//   account_journal_notice_child <db>
//       Opens a ledger on the SQLite file <db> (a clock of its own at 2026-09-10T00:00:00Z),
//       creates an account, credits it, reserves order 7 to expire an hour later, moves its
//       clock two hours on and expires it. The expiry's notice arrives on the notifier's
//       thread: the sink prints "expired <seq> <order>" and ends the process at once
//       (_Exit: no destructor runs, nothing more is stored), as a crash between the commit
//       and the sink's return would.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "account/account_service.h"
#include "account/clock.h"
#include "account/notification_sink.h"
#include "account/sqlite/sqlite_store.h"

namespace {

class DyingSink final : public account::NotificationSink {
 public:
  void on_order_expired(uint64_t seq, account::AccountId, account::OrderId order,
                        account::ReservationId) override {
    const std::string line =
        "expired " + std::to_string(seq) + " " + std::to_string(order.value()) + "\n";
    if (::write(1, line.data(), line.size()) < 0) std::_Exit(4);
    std::_Exit(0);
  }
};

int fail(const std::string& what) {
  std::fprintf(stderr, "account_journal_notice_child: %s\n", what.c_str());
  return 3;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return fail("usage: account_journal_notice_child <db>");
  auto store = account::SqliteStore::open(argv[1], {});
  if (!store.ok()) return fail(store.status().ToString());
  auto clock = std::make_shared<account::ManualClock>(absl::FromUnixSeconds(1'789'000'000));
  auto service = account::AccountService::open({.store = std::move(*store),
                                                .clock = clock,
                                                .sink = std::make_shared<DyingSink>()});
  if (!service.ok()) return fail(service.status().ToString());
  account::AccountService& svc = **service;
  const auto id = svc.create_account("google-dies", "Dies");
  if (!id.ok()) return fail(id.status().ToString());
  if (absl::Status s = svc.credit(*id, account::Cents{10'000}, account::EntryKind::kAdjustment,
                                  "fund");
      !s.ok()) {
    return fail(s.ToString());
  }
  const auto held = svc.reserve_buy({.account = *id,
                                     .order = account::OrderId{7},
                                     .symbol = account::SymbolId{1},
                                     .qty = account::Qty{10'000},
                                     .limit = account::Price{1'000},
                                     .expires_at = clock->now() + absl::Hours(1)});
  if (!held.ok()) return fail(held.status().ToString());
  clock->advance(absl::Hours(2));
  const auto expired = svc.expire_due_reservations();
  if (!expired.ok() || *expired != 1) return fail("the order did not expire");
  // The notifier ends the process; if it never does, say so.
  ::sleep(30);
  return fail("no expiry notice within 30 s");
}
