# Checks a benchmark program's shared command line (tests/bench/bench_report.hpp).
#   cmake -DBENCH=<program> -DMODE=help -P check_bench_cli.cmake
#     --help exits 0, prints the usage on stdout and nothing else: a benchmark that ignored
#     --help and measured would print its figures, which are not usage lines.
#   cmake -DBENCH=<program> -DMODE=json "-DARGS=--iterations;5" "-DNAMES=a_us;b_us" -P ...
#     --json with the given arguments exits 0 and stdout is one JSON object holding each of
#     NAMES as a number.
cmake_minimum_required(VERSION 3.25)
if(MODE STREQUAL "help")
  execute_process(COMMAND "${BENCH}" --help OUTPUT_VARIABLE out ERROR_VARIABLE err
                  RESULT_VARIABLE rc TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--help exited with ${rc}\n${out}\n${err}")
  endif()
  if(NOT out MATCHES "usage: [^\n]*--json")
    message(FATAL_ERROR "--help printed no usage line:\n${out}")
  endif()
  if(NOT err STREQUAL "")
    message(FATAL_ERROR "--help wrote to stderr (did it start measuring?):\n${err}")
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  list(REMOVE_AT lines 0) # "<program>: <summary>"
  foreach(line IN LISTS lines)
    if(NOT line STREQUAL "" AND NOT line MATCHES "^usage: " AND NOT line MATCHES "^  --")
      message(FATAL_ERROR "--help printed a line that is not usage (did it measure?): '${line}'")
    endif()
  endforeach()
elseif(MODE STREQUAL "json")
  execute_process(COMMAND "${BENCH}" --json ${ARGS} OUTPUT_VARIABLE out ERROR_VARIABLE err
                  RESULT_VARIABLE rc TIMEOUT 280)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--json exited with ${rc}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  string(STRIP "${out}" out)
  if(NOT out MATCHES "^{.*}$")
    message(FATAL_ERROR "stdout is not one JSON object:\n${out}")
  endif()
  string(JSON type ERROR_VARIABLE parseError TYPE "${out}")
  if(parseError OR NOT type STREQUAL "OBJECT")
    message(FATAL_ERROR "stdout does not parse as a JSON object (${parseError}):\n${out}")
  endif()
  foreach(name IN LISTS NAMES)
    string(JSON type ERROR_VARIABLE missing TYPE "${out}" "${name}")
    if(missing OR NOT type STREQUAL "NUMBER")
      message(FATAL_ERROR "figure '${name}' is missing or not a number:\n${out}")
    endif()
  endforeach()
else()
  message(FATAL_ERROR "MODE must be help or json")
endif()
