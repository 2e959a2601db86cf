# Fails when a file includes a header, or a target links a library, from a layer it may not use
# (cmake/Layers.cmake). Run by CTest (tests/layering/CMakeLists.txt):
#
#   cmake -DSOURCE_DIR=<tree> [-DTARGET_LINKS=<file written at configure time>] -P check_layers.cmake
#
# Each violation is printed as "path:line: ..." so an editor can jump to it.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/Layers.cmake)

set(violations 0)
set(files_read 0)
foreach(entry IN LISTS MINSHENG_LAYERS)
  string(REGEX REPLACE " +" ";" fields "${entry}")
  list(GET fields 0 folder)
  file(GLOB_RECURSE sources RELATIVE "${SOURCE_DIR}"
       "${SOURCE_DIR}/${folder}/*.cpp" "${SOURCE_DIR}/${folder}/*.hpp" "${SOURCE_DIR}/${folder}/*.h"
       "${SOURCE_DIR}/${folder}/*.in")
  foreach(src IN LISTS sources)
    math(EXPR files_read "${files_read} + 1")
    file(STRINGS "${SOURCE_DIR}/${src}" lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    file(STRINGS "${SOURCE_DIR}/${src}" all_lines)
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" header "${line}")
      minsheng_layer_allows("${src}" "${header}" ok)
      if(NOT ok)
        list(FIND all_lines "${line}" index)
        math(EXPR lineno "${index} + 1")
        minsheng_layer_of("${src}" ff ffloor fside)
        minsheng_layer_of("${header}" tf tfloor tside)
        message("${src}:${lineno}: includes ${header}: ${ff} (floor ${ffloor}, ${fside}) may not "
                "use ${tf} (floor ${tfloor}, ${tside})")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()

set(links_read 0)
if(DEFINED TARGET_LINKS)
  file(STRINGS "${TARGET_LINKS}" links)
  foreach(link IN LISTS links)
    math(EXPR links_read "${links_read} + 1")
    string(REPLACE "|" ";" fields "${link}")
    list(GET fields 0 from_folder)
    list(GET fields 1 target)
    list(GET fields 2 to_folder)
    list(GET fields 3 dependency)
    if(to_folder STREQUAL "EXTERNAL")
      foreach(rule IN LISTS MINSHENG_LAYER_PRIVATE_LIBS)
        string(REGEX REPLACE " +" ";" rf "${rule}")
        list(GET rf 0 lib)
        list(GET rf 1 owner)
        if(dependency STREQUAL lib AND NOT from_folder STREQUAL owner)
          message("${from_folder}/CMakeLists.txt: target ${target} links ${dependency}, which "
                  "only ${owner} may link")
          math(EXPR violations "${violations} + 1")
        endif()
      endforeach()
    else()
      minsheng_layer_allows("${from_folder}" "${to_folder}" ok)
      if(NOT ok)
        minsheng_layer_of("${from_folder}" ff ffloor fside)
        minsheng_layer_of("${to_folder}" tf tfloor tside)
        message("${from_folder}/CMakeLists.txt: target ${target} links ${dependency} from "
                "${to_folder}: ${ff} (floor ${ffloor}, ${fside}) may not use ${tf} "
                "(floor ${tfloor}, ${tside})")
        math(EXPR violations "${violations} + 1")
      endif()
    endif()
  endforeach()
endif()

if(files_read EQUAL 0)
  message(FATAL_ERROR "no source file found under ${SOURCE_DIR}: wrong SOURCE_DIR?")
endif()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} layering violation(s) in ${files_read} files and "
                      "${links_read} target links (cmake/Layers.cmake says what may use what)")
endif()
message("layering: ${files_read} files and ${links_read} target links, every arrow points down")
