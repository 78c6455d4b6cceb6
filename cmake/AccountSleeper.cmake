# Finds libcurl and simdjson for the Sleeper client (account::sleeper) and defines
# ACCOUNT_WITH_SLEEPER.
#
# Sets:
#   ACCOUNT_SIMDJSON_TARGET           the imported target to link (simdjson::simdjson from
#                                     simdjson's CMake package, or PkgConfig::SIMDJSON)
#   ACCOUNT_SLEEPER_FIND_DEPENDENCY   the lines the package config runs to define CURL::libcurl
#                                     and that target again
#   ACCOUNT_WITH_SLEEPER              option, default ON when both were found

include_guard(GLOBAL)

find_package(CURL QUIET)

include(AccountFindDependency)
account_find_dependency(SIMDJSON PACKAGE simdjson CONFIG TARGET simdjson::simdjson
  PKGCONFIG simdjson)
set(ACCOUNT_SLEEPER_FIND_DEPENDENCY "find_dependency(CURL)\n  ${ACCOUNT_SIMDJSON_FIND_DEPENDENCY}")

set(ACCOUNT_SLEEPER_DEPS_FOUND OFF)
if(CURL_FOUND AND TARGET CURL::libcurl AND ACCOUNT_SIMDJSON_TARGET)
  set(ACCOUNT_SLEEPER_DEPS_FOUND ON)
endif()
option(ACCOUNT_WITH_SLEEPER
  "Build the Sleeper client, account::sleeper (needs libcurl and simdjson)"
  ${ACCOUNT_SLEEPER_DEPS_FOUND})
if(ACCOUNT_WITH_SLEEPER AND NOT ACCOUNT_SLEEPER_DEPS_FOUND)
  message(FATAL_ERROR "ACCOUNT_WITH_SLEEPER is ON but libcurl or simdjson was not found "
    "(Debian: apt-get install libcurl4-openssl-dev libsimdjson-dev)")
endif()
