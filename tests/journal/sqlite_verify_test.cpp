// `accountctl verify` on a SQLite file (verify_cases.h). The damage is written with raw SQL
// through the store's checksum VFS, as a tool would write the file: the page checksums stay
// right, so only verify can tell.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "sqlite/checksum_vfs.h"
#include "support/temp_dir.h"
#include "verify_cases.h"

namespace account {
namespace {

testing::verify::VerifyTarget sqlite_target(const testing::TempDir& dir) {
  const std::string path = dir.file("ledger.db");
  return {
      .url = "sqlite:" + path,
      .execute =
          [path](const std::string& sql) {
            sqlite3* db = nullptr;
            int rc =
                sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, sqlite::checksum_vfs());
            if (rc == SQLITE_OK) {
              sqlite3_busy_timeout(db, 5'000);
              rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
            }
            const std::string error = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
            sqlite3_close_v2(db);
            if (rc != SQLITE_OK) FAIL(sql << ": " << error);
          },
      .bytes_literal = [](const std::string& hex) { return "X'" + hex + "'"; },
  };
}

TEST_CASE("accountctl verify on a SQLite file names a changed row and a damaged entry",
          "[journal][sqlite][cli]") {
  testing::TempDir dir;
  testing::verify::verify_names_damage(sqlite_target(dir));
}

TEST_CASE("accountctl journal prune on a SQLite file, then verify from the checkpoint",
          "[journal][sqlite][cli][retention]") {
  testing::TempDir dir;
  testing::verify::verify_after_prune(sqlite_target(dir));
}

TEST_CASE("accountctl verify passes beside a ledger committing on a SQLite file",
          "[journal][sqlite][cli]") {
  testing::TempDir dir;
  testing::verify::verify_beside_a_committing_ledger(sqlite_target(dir));
}

}  // namespace
}  // namespace account
