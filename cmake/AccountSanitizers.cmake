# Sanitizer builds, selected with ACCOUNT_SANITIZER:
#
#   ""                   none (default)
#   "address,undefined"  AddressSanitizer + UndefinedBehaviorSanitizer; any report aborts the run
#   "thread"             ThreadSanitizer
#   "fuzzer"             clang only: libFuzzer coverage (fuzzer-no-link) + ASan + UBSan, for the
#                        fuzz targets in tests/fuzz/ (tests/fuzz/run_fuzzers.sh)
#
# The flags are added for every target of this project (library, tests, benchmarks, examples) with
# directory-scoped add_compile_options/add_link_options: instrumented and uninstrumented objects of
# our own must not be mixed, and directory options are not exported to consumers.

include_guard(GLOBAL)

set(ACCOUNT_SANITIZER "" CACHE STRING
    "Sanitizers to build with: empty, \"address,undefined\" or \"thread\"")
set_property(CACHE ACCOUNT_SANITIZER PROPERTY STRINGS "" "address,undefined" "thread" "fuzzer")

# The library takes no absl::Mutex: Debian's prebuilt Abseil is not instrumented for
# ThreadSanitizer, so TSan could not see its locks. Our own locks (src/base/mutex.h) sit on the
# standard library, which TSan understands.

if(ACCOUNT_SANITIZER STREQUAL "")
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "ACCOUNT_SANITIZER needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}")
endif()

if(ACCOUNT_SANITIZER STREQUAL "address,undefined")
  # Like simdjson: a UBSan finding is fatal instead of a line in the log that nobody reads.
  set(_account_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(ACCOUNT_SANITIZER STREQUAL "thread")
  set(_account_sanitizer_flags -fsanitize=thread)
elseif(ACCOUNT_SANITIZER STREQUAL "fuzzer")
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ACCOUNT_SANITIZER=fuzzer needs Clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  set(_account_sanitizer_flags
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
else()
  message(FATAL_ERROR
    "ACCOUNT_SANITIZER=\"${ACCOUNT_SANITIZER}\" is not one of \"\", \"address,undefined\", \"thread\", \"fuzzer\"")
endif()

message(STATUS "account: building with -fsanitize (${ACCOUNT_SANITIZER})")
add_compile_options(${_account_sanitizer_flags} -fno-omit-frame-pointer)
add_link_options(${_account_sanitizer_flags})
unset(_account_sanitizer_flags)
