# Finds OpenSSL, libcurl and simdjson for sign-in (account::auth) and defines ACCOUNT_WITH_AUTH.
#
# Sets:
#   ACCOUNT_AUTH_FIND_DEPENDENCY   the lines the package config runs to define OpenSSL::Crypto,
#                                  CURL::libcurl and the simdjson target again for a consumer
#   ACCOUNT_WITH_AUTH              option, default ON when all three were found
#
# simdjson is found by AccountSleeper.cmake (ACCOUNT_SIMDJSON_TARGET); it is included here so this
# file works whatever the order of the includes in the top-level CMakeLists.txt.

include_guard(GLOBAL)

include(AccountSleeper)
find_package(OpenSSL 3 QUIET COMPONENTS Crypto)

set(ACCOUNT_AUTH_FIND_DEPENDENCY "find_dependency(OpenSSL 3 COMPONENTS Crypto)
  find_dependency(CURL)
  ${ACCOUNT_SIMDJSON_FIND_DEPENDENCY}")

set(ACCOUNT_AUTH_DEPS_FOUND OFF)
if(OpenSSL_FOUND AND TARGET OpenSSL::Crypto AND CURL_FOUND AND TARGET CURL::libcurl
   AND ACCOUNT_SIMDJSON_TARGET)
  set(ACCOUNT_AUTH_DEPS_FOUND ON)
endif()
option(ACCOUNT_WITH_AUTH
  "Build sign-in, account::auth (needs OpenSSL 3, libcurl and simdjson)"
  ${ACCOUNT_AUTH_DEPS_FOUND})
if(ACCOUNT_WITH_AUTH AND NOT ACCOUNT_AUTH_DEPS_FOUND)
  message(FATAL_ERROR "ACCOUNT_WITH_AUTH is ON but OpenSSL 3, libcurl or simdjson was not found "
    "(Debian: apt-get install libssl-dev libcurl4-openssl-dev libsimdjson-dev)")
endif()
