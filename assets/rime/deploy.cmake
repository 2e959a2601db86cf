# Deploys the kiosk's Rime data: cmake -DOUT=DIR -DASSETS=assets/rime -DRIME_DATA=/usr/share/rime-data
#   -DDEPLOYER=/usr/bin/rime_deployer -P deploy.cmake
#
# rime_deployer takes one shared data folder, so this builds one from links: the Debian files
# the luna_pinyin_simp schema needs (rime-prelude, rime-essay, rime-data-luna-pinyin) and our
# patches and dictionary. default.custom.yaml limits the deployment to luna_pinyin_simp.
# The result in OUT is all the kiosk reads at run time (PinyinInputMethod).
foreach(v OUT ASSETS RIME_DATA DEPLOYER)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "deploy.cmake: -D${v}=... is required")
  endif()
endforeach()
set(work "${OUT}.work")
file(REMOVE_RECURSE "${work}" "${OUT}")
file(MAKE_DIRECTORY "${work}/shared" "${work}/user" "${OUT}")
foreach(f default.yaml key_bindings.yaml punctuation.yaml symbols.yaml pinyin.yaml essay.txt
          luna_pinyin.schema.yaml luna_pinyin_simp.schema.yaml luna_pinyin.dict.yaml)
  if(NOT EXISTS "${RIME_DATA}/${f}")
    message(FATAL_ERROR "${RIME_DATA}/${f} is missing: install rime-prelude, rime-essay and "
                        "rime-data-luna-pinyin (scripts/install-deps.sh)")
  endif()
  file(CREATE_LINK "${RIME_DATA}/${f}" "${work}/shared/${f}" SYMBOLIC)
endforeach()
file(GLOB ours "${ASSETS}/*.yaml")
foreach(f ${ours})
  get_filename_component(name "${f}" NAME)
  file(CREATE_LINK "${f}" "${work}/shared/${name}" SYMBOLIC)
endforeach()
execute_process(
  COMMAND "${DEPLOYER}" --build "${work}/user" "${work}/shared" "${OUT}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE "${work}")
foreach(f default.yaml luna_pinyin_simp.schema.yaml minsheng_pinyin.table.bin
          minsheng_pinyin_simp.prism.bin)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${OUT}/${f}")
    message(FATAL_ERROR "rime_deployer --build failed (status ${rc}; ${f} not written):\n${out}\n${err}")
  endif()
endforeach()
