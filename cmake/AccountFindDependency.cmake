# account_find_dependency(<VAR> PACKAGE <name> [CONFIG] TARGET <imported target>
#                         PKGCONFIG <module>)
#
# Finds a third-party library by its CMake package first and by pkg-config second, the way both
# optional backends need it (libpq, simdjson). Sets, in the caller's scope:
#   ACCOUNT_<VAR>_TARGET           the imported target to link: <imported target>, or
#                                  PkgConfig::<VAR> from pkg-config; empty when neither found it
#   ACCOUNT_<VAR>_FIND_DEPENDENCY  the lines the installed package config runs to define that
#                                  target again for a consumer

include_guard(GLOBAL)

function(account_find_dependency var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "CONFIG" "PACKAGE;TARGET;PKGCONFIG" "")
  set(mode "")
  set(find_args "${arg_PACKAGE}")
  if(arg_CONFIG)
    set(mode CONFIG)
    set(find_args "${arg_PACKAGE} CONFIG")
  endif()
  set(target "")
  set(find_dependency "")
  find_package(${arg_PACKAGE} ${mode} QUIET)
  if(${arg_PACKAGE}_FOUND AND TARGET ${arg_TARGET})
    set(target ${arg_TARGET})
    set(find_dependency "find_dependency(${find_args})")
  else()
    find_package(PkgConfig QUIET)
    if(PkgConfig_FOUND)
      pkg_check_modules(${var} QUIET IMPORTED_TARGET GLOBAL ${arg_PKGCONFIG})
    endif()
    if(${var}_FOUND)
      set(target PkgConfig::${var})
      set(find_dependency "find_dependency(PkgConfig)\n  pkg_check_modules(${var} REQUIRED \
IMPORTED_TARGET ${arg_PKGCONFIG})")
    endif()
  endif()
  set(ACCOUNT_${var}_TARGET "${target}" PARENT_SCOPE)
  set(ACCOUNT_${var}_FIND_DEPENDENCY "${find_dependency}" PARENT_SCOPE)
endfunction()
