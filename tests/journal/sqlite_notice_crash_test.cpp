// A crash between the commit and the sink's return still delivers the notice: a child process
// (child/journal_notice_child.cpp) commits an expiry on a SQLite file and dies inside the sink's
// call for it; the ledger opened on the file afterwards delivers the same notice, same seq.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "account/account_service.h"
#include "account/sqlite/sqlite_store.h"
#include "account/testing/recording_notification_sink.h"
#include "support/temp_dir.h"

namespace account {
namespace {

// Runs the child on `db`; returns what it printed and sets `status` to its wait status.
std::string run_child(const std::string& db, int& status) {
  const std::string command = std::string(ACCOUNT_JOURNAL_NOTICE_CHILD) + " '" + db + "'";
  FILE* out = ::popen(command.c_str(), "r");
  REQUIRE(out != nullptr);
  std::string text;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, out) != nullptr) text += buffer;
  status = ::pclose(out);
  return text;
}

TEST_CASE("SqliteStore: a crash inside the sink's call still delivers the notice after restart",
          "[sqlite][journal][notices]") {
  testing::TempDir dir;
  const std::string db = dir.file("ledger.db");
  int status = 0;
  const std::string said = run_child(db, status);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  uint64_t seq = 0;
  uint64_t order = 0;
  REQUIRE(std::sscanf(said.c_str(), "expired %lu %lu", &seq, &order) == 2);
  CHECK(order == 7);

  auto sink = std::make_shared<testing::RecordingNotificationSink>();
  auto svc = AccountService::open({.store = SqliteStore::open(db, {}).value(), .sink = sink})
                 .value();
  // The expiry was the child's last commit, delivered but never acknowledged by the sink.
  CHECK(svc->journal_head() == seq);
  REQUIRE(svc->await_notices(absl::Seconds(10)));
  const std::vector<testing::ExpiredOrderNotice> notices = sink->expired_orders();
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].seq == seq);
  CHECK(notices[0].order == OrderId{7});
  // Delivered and closed cleanly: the cursor is stored, and a third ledger repeats nothing.
  svc.reset();
  auto quiet = std::make_shared<testing::RecordingNotificationSink>();
  auto again = AccountService::open({.store = SqliteStore::open(db, {}).value(), .sink = quiet})
                   .value();
  REQUIRE(again->await_notices(absl::Seconds(10)));
  CHECK(quiet->expired_order_count() == 0);
}

}  // namespace
}  // namespace account
