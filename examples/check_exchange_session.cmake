# ctest example.exchange_session.same_in_both_modes: runs the exchange session on a SQLite file
# (restarted after day four) and in memory, with the same seed, and fails unless both exit 0 and
# their reports agree line for line, but for the lines that name the store and the restart's own
# block. A restart that loaded anything other than what the ledger closed with, or that answered
# a fill otherwise, would show here as a different balance, volume, count or audit.
#
#   cmake -DEXAMPLE=build/release/examples/exchange_session -P examples/check_exchange_session.cmake

cmake_minimum_required(VERSION 3.25)

if(NOT EXAMPLE)
  message(FATAL_ERROR "usage: cmake -DEXAMPLE=<exchange_session> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

# The report of one run, without the lines that differ between the modes by design.
function(run_session out_var)
  execute_process(COMMAND "${EXAMPLE}" ${ARGN}
    OUTPUT_VARIABLE output
    ERROR_VARIABLE errors
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "exchange_session ${ARGN} exited ${status}:\n${output}${errors}")
  endif()
  # Lines into a CMake list: ';' and brackets would split or group its elements.
  string(REPLACE ";" "<semicolon>" output "${output}")
  string(REPLACE "[" "<open>" output "${output}")
  string(REPLACE "]" "<close>" output "${output}")
  string(REPLACE "\n" ";" lines "${output}")
  set(kept "")
  set(in_restart FALSE)
  foreach(line IN LISTS lines)
    if(line MATCHES "  restart: the ledger closes")
      set(in_restart TRUE)
    endif()
    if(in_restart)
      if(line MATCHES "unique index\\)$")
        set(in_restart FALSE)
      endif()
      continue()
    endif()
    if(line MATCHES "^(ledger: |restart: |ran in )")
      continue()
    endif()
    string(REGEX REPLACE ", ledger in .*\\)$" ")" line "${line}")
    list(APPEND kept "${line}")
  endforeach()
  set(${out_var} "${kept}" PARENT_SCOPE)
endfunction()

run_session(on_file)
run_session(in_memory --memory)

list(LENGTH on_file file_count)
list(LENGTH in_memory memory_count)
if(file_count LESS 40)
  message(FATAL_ERROR "the session on a SQLite file printed only ${file_count} lines")
endif()
if(NOT on_file STREQUAL in_memory)
  math(EXPR last "${file_count} - 1")
  foreach(i RANGE ${last})
    list(GET on_file ${i} a)
    if(i LESS memory_count)
      list(GET in_memory ${i} b)
    else()
      set(b "<no line>")
    endif()
    if(NOT a STREQUAL b)
      message(FATAL_ERROR "the session on a SQLite file, restarted, ended otherwise than in "
        "memory; first difference at report line ${i}:\n  file:   ${a}\n  memory: ${b}")
    endif()
  endforeach()
  message(FATAL_ERROR "the session in memory printed more lines (${memory_count}) than on a "
    "SQLite file (${file_count})")
endif()
message(STATUS "the session on a SQLite file, restarted after day four, and the session in "
  "memory agree on all ${file_count} lines of their reports")
