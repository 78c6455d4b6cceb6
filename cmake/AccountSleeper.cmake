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

set(ACCOUNT_SIMDJSON_TARGET "")
set(ACCOUNT_SIMDJSON_FIND_DEPENDENCY "")
find_package(simdjson CONFIG QUIET)
if(simdjson_FOUND AND TARGET simdjson::simdjson)
  set(ACCOUNT_SIMDJSON_TARGET simdjson::simdjson)
  set(ACCOUNT_SIMDJSON_FIND_DEPENDENCY "find_dependency(simdjson CONFIG)")
else()
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(SIMDJSON QUIET IMPORTED_TARGET GLOBAL simdjson)
  endif()
  if(SIMDJSON_FOUND)
    set(ACCOUNT_SIMDJSON_TARGET PkgConfig::SIMDJSON)
    set(ACCOUNT_SIMDJSON_FIND_DEPENDENCY
      "find_dependency(PkgConfig)\n  pkg_check_modules(SIMDJSON REQUIRED IMPORTED_TARGET simdjson)")
  endif()
endif()
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
