#!/usr/bin/env bash
# Installs the Debian 12 packages Minsheng needs to build, test and run.
# Both README commands call this script. It does nothing when every package is present,
# so it is cheap to run before every build.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # libraries (the README says why each one is here)
  libsodium-dev libsqlcipher-dev sqlcipher libboost-dev libssl-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev
  # county office: spreadsheets for the exports (xlsxwriter.pc links -lz, but Debian's
  # libxlsxwriter-dev does not pull in zlib's development files)
  libxlsxwriter-dev zlib1g-dev
  # kiosk window (front end): Dear ImGui 1.86 with its GLFW/OpenGL3 backends, QR codes, a CJK font
  libimgui-dev libglfw3-dev libqrencode-dev fonts-wqy-microhei
  # Chinese text entry and read-aloud: librime pinyin (luna_pinyin_simp, essay weights, prelude),
  # read-aloud: terra_pinyin phrase readings and rime-essay word counts; zinnia handwriting, espeak-ng
  librime-dev librime-bin rime-data-luna-pinyin rime-data-terra-pinyin rime-prelude rime-essay
  libzinnia-dev tegaki-zinnia-simplified-chinese libespeak-ng-dev espeak-ng-data
  # appliance: sd_notify for the systemd watchdog, .deb packaging, unit checks
  libsystemd-dev dpkg-dev fakeroot systemd
  # tests; clang-14 and its runtime for the libFuzzer targets; clang-format for the format check;
  # git to list the files it checks; unzip to read the exported workbooks back
  catch2 clang libclang-rt-14-dev clang-format git unzip
  # UI tests: a real X server without a screen, Mesa's software OpenGL, real input events;
  # gdb for gcore (the memory-wipe tests search a core file of the kiosk)
  xvfb xauth xdotool x11-utils libgl1-mesa-dri gdb
  # office console tests: a real headless browser driven by WebDriver
  chromium chromium-driver python3-selenium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "minsheng: installing missing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "minsheng: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
