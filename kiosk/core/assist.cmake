# minsheng_kiosk_assist: read-aloud (libespeak-ng, tone-numbered pinyin: pinyin_reading.hpp) and
# handwriting (zinnia). GUI-free; the window, the `speak` subcommand and the tests link it.
# Included from kiosk/core/CMakeLists.txt.
pkg_check_modules(ESPEAK_NG REQUIRED IMPORTED_TARGET espeak-ng)
pkg_check_modules(ZINNIA REQUIRED IMPORTED_TARGET zinnia)

# The traditional → simplified table (data/t2s_chars.txt, scripts/gen-t2s-chars.py) is built
# into the program, so the kiosk needs no OpenCC at run time.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/data/t2s_chars.txt)
file(READ ${CMAKE_CURRENT_LIST_DIR}/data/t2s_chars.txt MINSHENG_T2S_CHARS)
configure_file(${CMAKE_CURRENT_LIST_DIR}/data/t2s_chars.cpp.in
  ${CMAKE_CURRENT_BINARY_DIR}/t2s_chars.cpp @ONLY)
# Mainland readings (pinyin_reading.hpp, sources 1 and 2), built in likewise.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/data/mandarin_chars.txt
  ${CMAKE_CURRENT_LIST_DIR}/data/mandarin_phrases.txt)
file(READ ${CMAKE_CURRENT_LIST_DIR}/data/mandarin_chars.txt MINSHENG_MANDARIN_CHARS)
file(READ ${CMAKE_CURRENT_LIST_DIR}/data/mandarin_phrases.txt MINSHENG_MANDARIN_PHRASES)
configure_file(${CMAKE_CURRENT_LIST_DIR}/data/mandarin_text.cpp.in
  ${CMAKE_CURRENT_BINARY_DIR}/mandarin_text.cpp @ONLY)

# The common-character list that orders the handwriting candidates (data/common_chars.txt,
# scripts/gen-common-chars.py), built in the same way.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/data/common_chars.txt)
file(READ ${CMAKE_CURRENT_LIST_DIR}/data/common_chars.txt MINSHENG_COMMON_CHARS)
configure_file(${CMAKE_CURRENT_LIST_DIR}/data/common_chars.cpp.in
  ${CMAKE_CURRENT_BINARY_DIR}/common_chars.cpp @ONLY)

add_library(minsheng_kiosk_assist STATIC
  ${CMAKE_CURRENT_LIST_DIR}/pinyin_reading.cpp
  ${CMAKE_CURRENT_LIST_DIR}/word_cost_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/read_aloud.cpp
  ${CMAKE_CURRENT_LIST_DIR}/handwriting_recognizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stroke_normaliser.cpp
  ${CMAKE_CURRENT_BINARY_DIR}/common_chars.cpp
  ${CMAKE_CURRENT_BINARY_DIR}/t2s_chars.cpp
  ${CMAKE_CURRENT_BINARY_DIR}/mandarin_text.cpp
)
target_include_directories(minsheng_kiosk_assist PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(minsheng_kiosk_assist PUBLIC
  minsheng_forms tomlplusplus::tomlplusplus PkgConfig::ESPEAK_NG PkgConfig::ZINNIA Threads::Threads
  ${CMAKE_DL_LIBS})
