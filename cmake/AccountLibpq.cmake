# Finds libpq for the PostgreSQL store (account::postgres) and defines ACCOUNT_WITH_POSTGRES.
#
# Sets:
#   ACCOUNT_LIBPQ_TARGET           the imported target to link (PostgreSQL::PostgreSQL, or
#                                  PkgConfig::LIBPQ when CMake's FindPostgreSQL does not find it)
#   ACCOUNT_LIBPQ_FIND_DEPENDENCY  the lines the package config runs to define that target again
#   ACCOUNT_WITH_POSTGRES          option, default ON when libpq was found

include_guard(GLOBAL)

include(AccountFindDependency)
account_find_dependency(LIBPQ PACKAGE PostgreSQL TARGET PostgreSQL::PostgreSQL PKGCONFIG libpq)

set(ACCOUNT_LIBPQ_FOUND OFF)
if(ACCOUNT_LIBPQ_TARGET)
  set(ACCOUNT_LIBPQ_FOUND ON)
endif()
option(ACCOUNT_WITH_POSTGRES "Build the PostgreSQL store, account::postgres (needs libpq)"
  ${ACCOUNT_LIBPQ_FOUND})
if(ACCOUNT_WITH_POSTGRES AND NOT ACCOUNT_LIBPQ_TARGET)
  message(FATAL_ERROR
    "ACCOUNT_WITH_POSTGRES is ON but libpq was not found (Debian: apt-get install libpq-dev)")
endif()
