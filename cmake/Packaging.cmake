# Install rules and the Debian packages (CPack DEB), one package per component:
#
#   minsheng-kiosk   (COMPONENT kiosk)   /usr/bin/minsheng-kiosk, the UI catalogues and policy
#                    pages, the kiosk and forwarder units, the appliance's provisioning unit and
#                    helpers (/usr/lib/minsheng), an example kiosk.toml
#   minsheng-county  (COMPONENT county)  /usr/bin/minsheng-county, the shipped forms, the intake
#                    server's unit, the county office install guide
#
#   cmake --build BUILD --target minsheng-kiosk minsheng-county && (cd BUILD && cpack -G DEB)
#
# Layout (docs in image/README.md):
#   /usr/share/minsheng/{locale,policy}   kiosk data files (found next to the binary, ../share)
#   /usr/share/minsheng/forms             the county's default forms (`init`, `provision`)
#   /usr/share/minsheng/calendar          the office calendar `init` copies (holidays, 调休)
#   /etc/minsheng/kiosk.toml              the kiosk's configuration (from a provisioned bundle)
#   /var/lib/minsheng                     the kiosk's data folder (outbox, forwarder socket)
#   /var/lib/minsheng-county              the county folder of the intake server
#
# To ship another data folder (e.g. a deployed Rime directory), add one line to
# minsheng_install_data below; both packages must never install the same file (dpkg refuses).
include(GNUInstallDirs)
# `install`/cpack do not rebuild everything first: the packages need the two programs only
# (build them, or the whole tree as CI does, before cpack).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(_img ${PROJECT_SOURCE_DIR}/image)

# minsheng_install_data(COMPONENT SOURCE_DIR DESTINATION_UNDER_SHARE)
function(minsheng_install_data component source dest)
  install(DIRECTORY ${source}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/${dest} COMPONENT ${component})
endfunction()

# ---- kiosk --------------------------------------------------------------------------------
minsheng_install_data(kiosk ${PROJECT_SOURCE_DIR}/config/locale minsheng/locale)
minsheng_install_data(kiosk ${PROJECT_SOURCE_DIR}/config/policy minsheng/policy)
# The pinyin engine's deployed data (kiosk/core/CMakeLists.txt, target minsheng_rime_data, which
# minsheng-kiosk depends on): read-only at run time; the user folder is private per process.
minsheng_install_data(kiosk ${PROJECT_BINARY_DIR}/rime minsheng/rime)
install(FILES ${PROJECT_SOURCE_DIR}/config/kiosk.example.toml ${_img}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/minsheng-kiosk COMPONENT kiosk)
install(FILES ${_img}/units/minsheng-kiosk.service ${_img}/units/minsheng-sync.service
              ${_img}/units/minsheng-provision.service
        DESTINATION lib/systemd/system COMPONENT kiosk)
install(PROGRAMS ${_img}/scripts/kiosk-session ${_img}/scripts/provision
                 ${_img}/scripts/usb-storage-gate
        DESTINATION lib/minsheng COMPONENT kiosk)
install(FILES ${_img}/scripts/sysusers-minsheng-kiosk.conf DESTINATION lib/sysusers.d
        RENAME minsheng-kiosk.conf COMPONENT kiosk)
install(FILES ${_img}/scripts/tmpfiles-minsheng-kiosk.conf DESTINATION lib/tmpfiles.d
        RENAME minsheng-kiosk.conf COMPONENT kiosk)

# ---- county -------------------------------------------------------------------------------
minsheng_install_data(county ${PROJECT_SOURCE_DIR}/config/forms minsheng/forms)
minsheng_install_data(county ${PROJECT_SOURCE_DIR}/config/calendar minsheng/calendar)
install(FILES ${_img}/county-install.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/minsheng-county
        COMPONENT county)
install(FILES ${_img}/units/minsheng-county.service DESTINATION lib/systemd/system
        COMPONENT county)
install(FILES ${_img}/scripts/sysusers-minsheng-county.conf DESTINATION lib/sysusers.d
        RENAME minsheng-county.conf COMPONENT county)
install(FILES ${_img}/scripts/tmpfiles-minsheng-county.conf DESTINATION lib/tmpfiles.d
        RENAME minsheng-county.conf COMPONENT county)

# ---- CPack DEB ----------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME minsheng)
set(CPACK_PACKAGE_VENDOR "Minsheng")
set(CPACK_PACKAGE_CONTACT "Minsheng maintainers <minsheng@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${MINSHENG_PACKAGE_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL kiosk county)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Dependencies are written out, not computed by dpkg-shlibdeps: it would name libglfw3, which
# conflicts with Debian's Wayland build libglfw3-wayland (same soname, a drop-in) that the
# appliance uses. tests/appliance/check_debs.sh checks that every NEEDED library of the binaries
# is covered by these lists.
set(_common "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libsodium23, libsqlcipher0, libssl3, libsystemd0, libtomlplusplus3, systemd")
set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME minsheng-kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
    "${_common}, libglfw3 | libglfw3-wayland, libopengl0, libqrencode4, libstb0, libgl1-mesa-dri, fonts-wqy-microhei, librime1, libzinnia0, tegaki-zinnia-simplified-chinese, libespeak-ng1, espeak-ng-data, rime-data-terra-pinyin, rime-essay")
# librime1 reads the pinyin data deployed into /usr/share/minsheng/rime at build time;
# rime-data-terra-pinyin gives read-aloud phrase readings and rime-essay the word counts it segments
# with (kiosk/core/pinyin_reading.hpp); the zinnia model and
# espeak-ng's data are read at run time. ALSA (libasound2) is loaded at run time when present.
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "cage, seatd, libglfw3-wayland, libasound2")
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
    "Minsheng kiosk: touch window, forwarder and appliance units\n The 民声 kiosk for the 双减 policy: forms, sealing, the encrypted outbox, the\n forwarder, and the systemd units of the kiosk appliance (cage, watchdog).")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA ${_img}/scripts/deb-kiosk/postinst)
set(CPACK_DEBIAN_COUNTY_PACKAGE_NAME minsheng-county)
# libxlsxwriter4: the staff tool's spreadsheet export; zlib1g because xlsxwriter.pc links -lz
# into the program itself (kept as a direct dependency when the linker does not drop it).
set(CPACK_DEBIAN_COUNTY_PACKAGE_DEPENDS "${_common}, libxlsxwriter4, zlib1g")
set(CPACK_COMPONENT_COUNTY_DESCRIPTION
    "Minsheng county office: intake server and staff tool\n minsheng-county: county keys, kiosk provisioning, the HTTPS intake server and the\n staff tool (pull, verify, decrypt, case ledger).")
set(CPACK_DEBIAN_COUNTY_PACKAGE_CONTROL_EXTRA ${_img}/scripts/deb-county/postinst)
include(CPack)
