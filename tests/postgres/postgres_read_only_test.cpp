// PostgresStore opened read-only (operators' tools beside a running
// ledger): no writer lock, no migration, nothing written.
#include <catch2/catch.hpp>

#include "account/account_service.h"
#include "account/status.h"
#include "support/postgres_fixture.h"

namespace account {
namespace {

using testing::open_store;

TEST_CASE("a read-only store opens beside the writer and sees what it committed",
          "[postgres][read_only]") {
  const std::string url = testing::fresh_database_url();
  std::shared_ptr<PostgresStore> writer = open_store(url);
  CHECK(writer->schema_version_found() == 0);
  CHECK(writer->schema_version_now() == PostgresStore::kSchemaVersion);
  auto service = AccountService::open({.store = writer}).value();
  const AccountId alice = service->create_account("google-alice", "Alice").value();
  REQUIRE(service->credit(alice, Cents{12'345}, EntryKind::kFantasyCredit, "c1").ok());

  // A second writer is refused; a reader is not.
  CHECK(PostgresStore::open(url, {}).status().code() == absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::unique_ptr<PostgresStore>> reader =
      PostgresStore::open(url, {.read_only = true});
  REQUIRE(reader.ok());
  CHECK((*reader)->schema_version_found() == PostgresStore::kSchemaVersion);
  CHECK((*reader)->schema_version_now() == PostgresStore::kSchemaVersion);

  std::shared_ptr<Store> shared(std::move(*reader));
  auto view = AccountService::open({.store = shared}).value();
  CHECK(view->cash(alice).value() == Cents{12'345});
  CHECK(view->audit().ok());

  // Writes through the read-only view are refused and change nothing.
  const absl::Status refused =
      view->credit(alice, Cents{1}, EntryKind::kFantasyCredit, "c2");
  CHECK(reason_of(refused) == Reason::kStoreFailure);
  CHECK(service->cash(alice).value() == Cents{12'345});
  ChangeSet nothing;
  CHECK(shared->commit(nothing).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("a read-only store refuses a database that was never migrated",
          "[postgres][read_only]") {
  const std::string url = testing::fresh_database_url();
  absl::StatusOr<std::unique_ptr<PostgresStore>> reader =
      PostgresStore::open(url, {.read_only = true});
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(reader.status().message()).find("schema is version 0") != std::string::npos);
  CHECK(std::string(reader.status().message()).find("migrate it first") != std::string::npos);
  // ...and left it untouched: a writer still finds version 0 and migrates.
  std::shared_ptr<PostgresStore> writer = open_store(url);
  CHECK(writer->schema_version_found() == 0);
}

}  // namespace
}  // namespace account
