# The layer map: which floor and which side each source folder is on. Written here once; the
# build and the layering tests (tests/layering) both read it. docs/architecture.md draws it.
#
# A file may include a header, and a target may link a library, only from its own folder or from
# a folder on a lower floor that is either shared or on its own side. So every arrow points down,
# and the kiosk side and the county side never see each other.
#
#   folder            floor  side
set(MINSHENG_LAYERS
  "crypto           0      shared"
  "sync/forms       1      shared"
  "sync/wire        1      shared"
  "sync/store       1      shared"
  "sync/net         1      shared"
  "sync/service     1      shared"
  "kiosk/outbox     2      kiosk"
  "kiosk/core       3      kiosk"
  "kiosk/forwarder  4      kiosk"
  "kiosk/ui         5      kiosk"
  "kiosk/app        6      kiosk"
  "county/office    2      county"
  "county/server    3      county"
  "county/staff     3      county"
  "county/console   4      county"
  "county/app       5      county"
)

# Libraries from outside the project that only one folder may link: the window system stays in
# the kiosk window (style: one small class owns the window system).
set(MINSHENG_LAYER_PRIVATE_LIBS
  "PkgConfig::IMGUI   kiosk/ui"
  "PkgConfig::GLFW3   kiosk/ui"
  "OpenGL::GL         kiosk/ui"
)

# minsheng_layer_of(<path relative to the source root> <out folder> <out floor> <out side>):
# the folder of the map that holds <path> (the longest matching prefix), or "" when none does.
function(minsheng_layer_of path out_folder out_floor out_side)
  set(best "")
  set(best_floor "")
  set(best_side "")
  foreach(entry IN LISTS MINSHENG_LAYERS)
    string(REGEX REPLACE " +" ";" fields "${entry}")
    list(GET fields 0 folder)
    list(GET fields 1 floor)
    list(GET fields 2 side)
    string(LENGTH "${folder}" n)
    string(LENGTH "${best}" bn)
    if((path STREQUAL folder OR path MATCHES "^${folder}/") AND n GREATER bn)
      set(best "${folder}")
      set(best_floor "${floor}")
      set(best_side "${side}")
    endif()
  endforeach()
  set(${out_folder} "${best}" PARENT_SCOPE)
  set(${out_floor} "${best_floor}" PARENT_SCOPE)
  set(${out_side} "${best_side}" PARENT_SCOPE)
endfunction()

# minsheng_layer_allows(<from path> <to path> <out bool>): whether something in <from> may use
# something in <to>. Paths outside the map (tests, generated files) are not judged here.
function(minsheng_layer_allows from to out)
  minsheng_layer_of("${from}" ff ffloor fside)
  minsheng_layer_of("${to}" tf tfloor tside)
  if(ff STREQUAL "" OR tf STREQUAL "" OR ff STREQUAL tf)
    set(${out} TRUE PARENT_SCOPE)
  elseif(tfloor LESS ffloor AND (tside STREQUAL "shared" OR tside STREQUAL fside))
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()
