// RecordingNotificationSink and RecordingLogSink (account/testing/recording_*_sink.h): what
// they keep, in order, their waits, their callbacks, and both fed by a real AccountService.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "account/account_service.h"
#include "account/memory_store.h"
#include "account/status.h"
#include "account/testing/counterparties.h"
#include "account/testing/fault_injecting_store.h"
#include "account/testing/recording_log_sink.h"
#include "account/testing/recording_notification_sink.h"

namespace account {
namespace {

using testing::LoggedRecord;
using testing::RecordingLogSink;
using testing::RecordingNotificationSink;

const absl::Time kT = absl::FromUnixSeconds(1'789'000'000);

TEST_CASE("recording notification sink: keeps each notice in order until cleared",
          "[testing][sinks]") {
  RecordingNotificationSink sink;
  sink.on_order_expired(5, AccountId{1}, OrderId{11}, ReservationId{3});
  sink.on_order_expired(6, AccountId{2}, OrderId{12}, ReservationId{4});
  const Fill fill{.execution = ExecutionId{9}, .qty = Qty{1}, .price = Price{100}};
  sink.on_queued_fill_done(fill, denial(Reason::kDuplicateExecution, "applied before"));
  CHECK(sink.expired_orders() ==
        std::vector<testing::ExpiredOrderNotice>{{5, AccountId{1}, OrderId{11}, ReservationId{3}},
                                                 {6, AccountId{2}, OrderId{12}, ReservationId{4}}});
  REQUIRE(sink.queued_fills_done().size() == 1);
  CHECK(sink.queued_fills_done()[0].fill == fill);
  CHECK(reason_of(sink.queued_fills_done()[0].result) == Reason::kDuplicateExecution);
  CHECK(sink.expired_order_count() == 2);
  CHECK(sink.queued_fill_done_count() == 1);
  sink.clear();
  CHECK(sink.expired_orders().empty());
  CHECK(sink.queued_fill_done_count() == 0);
}

TEST_CASE("recording notification sink: waits for notices another thread sends",
          "[testing][sinks]") {
  RecordingNotificationSink sink;
  CHECK_FALSE(sink.wait_for_queued_fills_done(1, absl::Milliseconds(10)));
  CHECK(sink.wait_for_expired_orders(0, absl::ZeroDuration()));
  std::thread notifier([&] {
    for (uint64_t i = 1; i <= 3; ++i) {
      absl::SleepFor(absl::Milliseconds(2));
      sink.on_queued_fill_done(Fill{.execution = ExecutionId{i}}, absl::OkStatus());
    }
  });
  CHECK(sink.wait_for_queued_fills_done(3, absl::Seconds(10)));
  notifier.join();
  const auto done = sink.queued_fills_done();
  REQUIRE(done.size() == 3);
  CHECK(done[2].fill.execution == ExecutionId{3});
}

TEST_CASE("recording notification sink: a callback runs after the notice is kept, unlocked",
          "[testing][sinks]") {
  RecordingNotificationSink sink;
  std::vector<size_t> seen;
  sink.set_on_order_expired([&](const testing::ExpiredOrderNotice& notice) {
    // The sink may be read from inside its callback: its lock is not held.
    seen.push_back(sink.expired_order_count());
    CHECK(notice.order == OrderId{7});
  });
  sink.set_on_queued_fill_done([&](const testing::QueuedFillNotice& notice) {
    seen.push_back(notice.fill.execution.value() * 100);
  });
  sink.on_order_expired(1, AccountId{1}, OrderId{7}, ReservationId{1});
  sink.on_queued_fill_done(Fill{.execution = ExecutionId{5}}, absl::OkStatus());
  CHECK(seen == std::vector<size_t>{1, 500});
}

TEST_CASE("recording notification sink: hears a ledger's expiries and queued fills",
          "[testing][sinks]") {
  auto clock = std::make_shared<ManualClock>(kT);
  auto store = std::make_shared<testing::FaultInjectingStore>(std::make_shared<MemoryStore>());
  auto sink = std::make_shared<RecordingNotificationSink>();
  auto service =
      AccountService::open({.store = store,
                            .clock = clock,
                            .sink = sink,
                            .settlement_retry = {.backoff_initial = absl::Milliseconds(1),
                                                 .backoff_max = absl::Milliseconds(5)}})
          .value();
  auto pair = testing::Counterparties::open(*service).value();
  OrderSpec day = {.account = pair.buyer(),
                   .order = OrderId{50},
                   .symbol = testing::kTestSymbol,
                   .qty = Qty{1},
                   .limit = Price{100},
                   .expires_at = kT + absl::Hours(24)};
  REQUIRE(service->credit(pair.buyer(), Cents{10}, EntryKind::kAdjustment, "day-cash").ok());
  const ReservationId held = service->reserve_buy(day).value();

  store->go_down();
  const Fill fill = pair.fill();
  CHECK(service->settle(fill).value().outcome == SettlementOutcome::kQueued);
  store->come_back();
  REQUIRE(sink->wait_for_queued_fills_done(1, absl::Seconds(10)));
  CHECK(sink->queued_fills_done()[0].fill == fill);
  CHECK(sink->queued_fills_done()[0].result.ok());

  clock->advance(absl::Hours(24));
  REQUIRE(service->expire_due_reservations().value() == 1);
  // From the journal's entry that expired it, on the notifier's thread.
  REQUIRE(service->await_notices(absl::Seconds(10)));
  CHECK(sink->expired_orders() == std::vector<testing::ExpiredOrderNotice>{
                                      {service->journal_head(), pair.buyer(), OrderId{50}, held}});
}

LogRecord record(std::string_view event, LogLevel level, absl::Span<const LogField> fields) {
  return LogRecord{.time = kT, .level = level, .event = event, .message = "m", .fields = fields};
}

TEST_CASE("recording log sink: keeps records with their fields typed, secrets redacted",
          "[testing][sinks]") {
  RecordingLogSink log;
  const std::string token = "eyJhbGciOi.secret";
  const LogField fields[] = {{"execution_id", uint64_t{4242}},
                             {"delta_cents", int64_t{-7}},
                             {"ratio", 0.5},
                             {"queued", true},
                             {"status_code", std::string_view("UNAVAILABLE")},
                             {"refresh_token", std::string_view(token)}};
  log.write(record("store_commit_failed", LogLevel::kError, fields));
  log.write(record("fills_queued", LogLevel::kWarning, {}));
  log.write(record("store_commit_failed", LogLevel::kError, {}));

  CHECK(log.records().size() == 3);
  CHECK(log.count("store_commit_failed") == 2);
  CHECK(log.count("nothing") == 0);
  const std::vector<LoggedRecord> failed = log.with_event("store_commit_failed");
  REQUIRE(failed.size() == 2);
  const LoggedRecord& r = failed[0];
  CHECK(r.level == LogLevel::kError);
  CHECK(r.time == kT);
  CHECK(r.message == "m");
  CHECK(r.text("execution_id") == "4242");
  CHECK(r.text("delta_cents") == "-7");
  CHECK(r.text("ratio") == "0.5");
  CHECK(r.text("queued") == "true");
  CHECK(r.text("status_code") == "UNAVAILABLE");
  CHECK(r.text("refresh_token") == "[redacted]");
  CHECK(r.text("missing").empty());
  REQUIRE(r.field("execution_id") != nullptr);
  CHECK(std::get<uint64_t>(r.field("execution_id")->value) == 4242);
  CHECK(r.line ==
        JsonLinesLogSink::format_line(record("store_commit_failed", LogLevel::kError, fields)));
  CHECK(r.line.find(token) == std::string::npos);
  CHECK(log.lines().size() == 3);
  log.clear();
  CHECK(log.records().empty());
}

TEST_CASE("recording log sink: drops records below its level, and waits for events",
          "[testing][sinks]") {
  RecordingLogSink log(LogLevel::kWarning);
  log.write(record("chatter", LogLevel::kInfo, {}));
  CHECK(log.records().empty());
  CHECK_FALSE(log.wait_for_event("store_retry_failed", 1, absl::Milliseconds(10)));
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) log.write(record("store_retry_failed", LogLevel::kError, {}));
  });
  CHECK(log.wait_for_event("store_retry_failed", 3, absl::Seconds(10)));
  writer.join();
}

TEST_CASE("recording log sink: hears what a ledger tells its operators", "[testing][sinks]") {
  auto store = std::make_shared<testing::FaultInjectingStore>(std::make_shared<MemoryStore>());
  auto log = std::make_shared<RecordingLogSink>();
  auto service = AccountService::open({.store = store, .log = log}).value();
  store->fail_next_commits(1, testing::CommitFault::kUnavailable);
  CHECK(reason_of(service->create_account("g-1", "One")) == Reason::kStoreUnavailable);
  const std::vector<LoggedRecord> failed = log->with_event("store_commit_failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].level == LogLevel::kError);
  CHECK(failed[0].text("status_code") == "UNAVAILABLE");
  CHECK(failed[0].message == "connection refused");
}

}  // namespace
}  // namespace account
