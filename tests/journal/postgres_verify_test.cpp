// `accountctl verify` on PostgreSQL (verify_cases.h), on fresh databases of the test process's
// own server. The damage is written with raw SQL as the superuser, past the store.
#include <catch2/catch.hpp>
#include <string>

#include "support/postgres_fixture.h"
#include "verify_cases.h"

namespace account {
namespace {

testing::verify::VerifyTarget postgres_target() {
  const std::string url = testing::fresh_database_url();
  return {
      .url = url,
      .execute = [url](const std::string& sql) { testing::query_value(url, sql); },
      .bytes_literal = [](const std::string& hex) { return "decode('" + hex + "', 'hex')"; },
  };
}

TEST_CASE("accountctl verify on PostgreSQL names a changed row and a damaged entry",
          "[journal][postgres][cli]") {
  testing::verify::verify_names_damage(postgres_target());
}

TEST_CASE("accountctl journal prune on PostgreSQL, then verify from the checkpoint",
          "[journal][postgres][cli][retention]") {
  testing::verify::verify_after_prune(postgres_target());
}

TEST_CASE("accountctl verify passes beside a ledger committing on PostgreSQL",
          "[journal][postgres][cli]") {
  testing::verify::verify_beside_a_committing_ledger(postgres_target());
}

}  // namespace
}  // namespace account
