# Install rules and the package config of account, one export file per component, so that a
# consumer finds (and links) only the third-party libraries of what it asks for:
#
#   find_package(account CONFIG REQUIRED)                      account::account: absl, fmt, Threads
#   find_package(account CONFIG REQUIRED COMPONENTS postgres)  and account::postgres: libpq
#
# Installed under <libdir>/cmake/account:
#   accountConfig.cmake, accountConfigVersion.cmake   (cmake/accountConfig.cmake.in)
#   accountTargets.cmake                              account::account, the core
#   account-<name>Targets.cmake                       account::<name>, one per component
#   account-<name>Dependencies.cmake                  the find_dependency() lines of a component
#
# The top-level CMakeLists.txt calls, in its install section:
#
#   account_install_component(<name>
#       TARGETS <target>...        the component's libraries, exported as account::<name>
#       [HEADERS <path>...]        under include/account/: directories or single headers that
#                                  are installed only with this component
#       [REQUIRES <name>...]       components its libraries link (registered before it)
#       [DEPENDENCIES <code>])     find_dependency() lines for its third-party libraries
#   ...
#   account_install_package()      the core, its headers, the config and version files
#
# Headers: the core installs include/account/*.h and the subdirectories named in
# ACCOUNT_CORE_HEADER_DIRS; every other subdirectory belongs to a component and is installed
# only when that component is built. Private headers (src/) are never installed.

include_guard(GLOBAL)

include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

set(ACCOUNT_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/account")

# Subdirectories of include/account/ that are part of the core. internal/ holds what the inline
# RiskCache read and the inline notional math need, nothing else.
set(ACCOUNT_CORE_HEADER_DIRS fantasy internal)

function(account_install_component name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "DEPENDENCIES" "TARGETS;HEADERS;REQUIRES")
  get_property(registered GLOBAL PROPERTY ACCOUNT_INSTALLED_COMPONENTS)
  foreach(required IN LISTS arg_REQUIRES)
    if(NOT required IN_LIST registered)
      message(FATAL_ERROR "account_install_component(${name}): register ${required}, which it "
        "requires, before it")
    endif()
  endforeach()

  install(TARGETS ${arg_TARGETS}
    EXPORT account-${name}Targets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
  install(EXPORT account-${name}Targets
    NAMESPACE account::
    FILE account-${name}Targets.cmake
    DESTINATION "${ACCOUNT_INSTALL_CMAKEDIR}")

  foreach(path IN LISTS arg_HEADERS)
    set(source "${PROJECT_SOURCE_DIR}/include/account/${path}")
    if(IS_DIRECTORY "${source}")
      install(DIRECTORY "${source}/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/account/${path}"
        FILES_MATCHING PATTERN "*.h")
    elseif(EXISTS "${source}")
      get_filename_component(subdir "${path}" DIRECTORY)
      install(FILES "${source}" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/account/${subdir}")
    else()
      message(FATAL_ERROR "account_install_component(${name}): no include/account/${path}")
    endif()
  endforeach()

  set(dependencies_file "${PROJECT_BINARY_DIR}/account-${name}Dependencies.cmake")
  file(CONFIGURE OUTPUT "${dependencies_file}" CONTENT
    "# Generated: the libraries account::${name} links, found before account-${name}Targets.cmake
# is loaded (accountConfig.cmake runs this inside a function).
${arg_DEPENDENCIES}
" @ONLY)
  install(FILES "${dependencies_file}" DESTINATION "${ACCOUNT_INSTALL_CMAKEDIR}")

  set_property(GLOBAL APPEND PROPERTY ACCOUNT_INSTALLED_COMPONENTS ${name})
  set_property(GLOBAL PROPERTY ACCOUNT_INSTALLED_COMPONENT_${name}_REQUIRES ${arg_REQUIRES})
endfunction()

function(account_install_package)
  install(TARGETS account
    EXPORT accountTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
  install(EXPORT accountTargets
    NAMESPACE account::
    DESTINATION "${ACCOUNT_INSTALL_CMAKEDIR}")

  # The core's headers: every subdirectory that is not the core's is a component's.
  set(excludes "")
  file(GLOB children LIST_DIRECTORIES true "${PROJECT_SOURCE_DIR}/include/account/*")
  foreach(child IN LISTS children)
    get_filename_component(child_name "${child}" NAME)
    if(IS_DIRECTORY "${child}" AND NOT child_name IN_LIST ACCOUNT_CORE_HEADER_DIRS)
      list(APPEND excludes PATTERN "${child_name}" EXCLUDE)
    endif()
  endforeach()
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/account/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/account"
    FILES_MATCHING PATTERN "*.h" ${excludes})

  # The component table the config reads: what was built, and what each component requires.
  get_property(components GLOBAL PROPERTY ACCOUNT_INSTALLED_COMPONENTS)
  set(ACCOUNT_CONFIG_COMPONENTS "set(_account_built_components \"${components}\")")
  foreach(component IN LISTS components)
    get_property(requires GLOBAL PROPERTY ACCOUNT_INSTALLED_COMPONENT_${component}_REQUIRES)
    string(APPEND ACCOUNT_CONFIG_COMPONENTS
      "\nset(_account_${component}_requires \"${requires}\")")
  endforeach()

  configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/accountConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/accountConfig.cmake"
    INSTALL_DESTINATION "${ACCOUNT_INSTALL_CMAKEDIR}")
  write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/accountConfigVersion.cmake"
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMajorVersion)
  install(FILES
    "${PROJECT_BINARY_DIR}/accountConfig.cmake"
    "${PROJECT_BINARY_DIR}/accountConfigVersion.cmake"
    DESTINATION "${ACCOUNT_INSTALL_CMAKEDIR}")
endfunction()
