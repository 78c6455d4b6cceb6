# Finds libsqlite3 for the SQLite store (account::sqlite) and defines ACCOUNT_WITH_SQLITE.
#
# Sets:
#   ACCOUNT_SQLITE_TARGET           the imported target to link (SQLite::SQLite3, from CMake's
#                                   FindSQLite3)
#   ACCOUNT_SQLITE_FIND_DEPENDENCY  the line the package config runs to define that target again
#   ACCOUNT_WITH_SQLITE             option, default ON when a libsqlite3 new enough was found
#
# The store needs SQLite 3.37 or newer: its tables are STRICT (3.37), and it sets the bytes
# reserved on each page for the page checksums with SQLITE_FCNTL_RESERVE_BYTES (3.32).
# Debian 12 ships 3.40.

include_guard(GLOBAL)

set(ACCOUNT_SQLITE_VERSION_MIN 3.37.0)
find_package(SQLite3 QUIET)

set(ACCOUNT_SQLITE_TARGET "")
set(ACCOUNT_SQLITE_FIND_DEPENDENCY "")
set(ACCOUNT_SQLITE_PROBLEM "libsqlite3 was not found (Debian: apt-get install libsqlite3-dev)")
if(SQLite3_FOUND AND TARGET SQLite::SQLite3)
  if(SQLite3_VERSION VERSION_LESS ACCOUNT_SQLITE_VERSION_MIN)
    string(CONCAT ACCOUNT_SQLITE_PROBLEM "libsqlite3 ${SQLite3_VERSION} was found, but the "
      "SQLite store needs ${ACCOUNT_SQLITE_VERSION_MIN} or newer (Debian 12: apt-get install "
      "libsqlite3-dev)")
  else()
    set(ACCOUNT_SQLITE_TARGET SQLite::SQLite3)
    set(ACCOUNT_SQLITE_FIND_DEPENDENCY "find_dependency(SQLite3)")
    set(ACCOUNT_SQLITE_PROBLEM "")
  endif()
endif()

set(ACCOUNT_SQLITE_FOUND OFF)
if(ACCOUNT_SQLITE_TARGET)
  set(ACCOUNT_SQLITE_FOUND ON)
endif()
option(ACCOUNT_WITH_SQLITE "Build the SQLite store, account::sqlite (needs libsqlite3)"
  ${ACCOUNT_SQLITE_FOUND})
if(ACCOUNT_WITH_SQLITE AND NOT ACCOUNT_SQLITE_TARGET)
  message(FATAL_ERROR "ACCOUNT_WITH_SQLITE is ON but ${ACCOUNT_SQLITE_PROBLEM}")
endif()
