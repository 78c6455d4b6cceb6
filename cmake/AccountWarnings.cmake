# Compiler warnings for the account project's own targets.
#
# The flags live in the INTERFACE target `account_warnings`, which our targets link PRIVATE (wrapped
# in $<BUILD_INTERFACE:...>), so they apply to our sources and never reach a consumer of the
# installed package.

include_guard(GLOBAL)
include(CheckCXXCompilerFlag)

add_library(account_warnings INTERFACE)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  # No -Wconversion: on money code it flags every int64 <-> int128 step that the notional helpers
  # already range-check, and the noise hides the warnings that matter.
  target_compile_options(account_warnings INTERFACE
    -Wall
    -Wextra
    -Wpedantic
    -Wshadow
    -Wnon-virtual-dtor
    # Designated initializers deliberately leave defaulted members out
    # (`Fill{.execution = ..., .qty = ...}`); -Wextra would flag every one.
    -Wno-missing-field-initializers)

  # From GCC 12, -O2/-O3 builds report a -Wrestrict "memcpy may overlap" inside libstdc++'s own
  # std::string for code as plain as `"k" + std::to_string(id)` (GCC bug 105329). The finding is a
  # false positive in the standard library, not in our code, and would fail -Werror builds.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
    target_compile_options(account_warnings INTERFACE -Wno-restrict)
  endif()

  # Clang checks the ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED annotations; turn the check on
  # whenever the compiler has it, as leveldb does.
  check_cxx_compiler_flag(-Wthread-safety ACCOUNT_HAVE_WTHREAD_SAFETY)
  if(ACCOUNT_HAVE_WTHREAD_SAFETY)
    target_compile_options(account_warnings INTERFACE -Wthread-safety)
  endif()

  if(ACCOUNT_WARNINGS_AS_ERRORS)
    target_compile_options(account_warnings INTERFACE -Werror)
  endif()
elseif(MSVC)
  target_compile_options(account_warnings INTERFACE /W4 /permissive-)
  if(ACCOUNT_WARNINGS_AS_ERRORS)
    target_compile_options(account_warnings INTERFACE /WX)
  endif()
endif()
