#!/usr/bin/env bash
# CTest appliance:deb-packages: builds both .deb packages with CPack from BUILD_DIR into OUT_DIR
# and checks them with dpkg-deb: the binaries, units, helpers, configuration and data files are
# where image/README.md says; no file is in both packages; every Depends alternative is a Debian
# package (installed here or known to apt's local lists); and every shared library the binaries
# link (ELF NEEDED) belongs to a package the Depends name, so `dpkg -i` on a clean Debian 12
# pulls in everything, from Debian only.
#   check_debs.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1
out=$2
fail() { echo "check_debs: $*" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out" > "$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack failed"; }
rm -rf "$out/_CPack_Packages"
kiosk=$(ls "$out"/minsheng-kiosk_*_amd64.deb)
county=$(ls "$out"/minsheng-county_*_amd64.deb)
ls -l "$kiosk" "$county"

expect_files() {
  local deb=$1; shift
  local list
  list=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for f in "$@"; do
    grep -qx "./$f" <<<"$list" || fail "$(basename "$deb") lacks /$f"
  done
}
expect_files "$kiosk" usr/bin/minsheng-kiosk \
  usr/lib/systemd/system/minsheng-kiosk.service usr/lib/systemd/system/minsheng-sync.service \
  usr/lib/systemd/system/minsheng-provision.service \
  usr/lib/minsheng/kiosk-session usr/lib/minsheng/provision usr/lib/minsheng/usb-storage-gate \
  usr/share/minsheng/locale/zh-CN.toml usr/share/minsheng/locale/en.toml \
  usr/share/minsheng/policy/rules.toml usr/share/doc/minsheng-kiosk/kiosk.example.toml \
  usr/share/minsheng/rime/default.yaml usr/share/minsheng/rime/minsheng_pinyin.table.bin \
  usr/share/doc/minsheng-kiosk/README.md \
  usr/lib/sysusers.d/minsheng-kiosk.conf usr/lib/tmpfiles.d/minsheng-kiosk.conf
expect_files "$county" usr/bin/minsheng-county usr/lib/systemd/system/minsheng-county.service \
  usr/share/minsheng/forms/complaint.toml usr/share/minsheng/forms/survey.toml \
  usr/share/minsheng/forms/lists.toml usr/share/doc/minsheng-county/county-install.md \
  usr/lib/sysusers.d/minsheng-county.conf usr/lib/tmpfiles.d/minsheng-county.conf
both=$(comm -12 <(dpkg-deb -c "$kiosk" | awk '$1 !~ /^d/ {print $6}' | sort) \
                <(dpkg-deb -c "$county" | awk '$1 !~ /^d/ {print $6}' | sort))
[ -z "$both" ] || fail "files in both packages (dpkg would refuse the second): $both"
info=$(dpkg-deb -I "$kiosk")  # (not piped into grep -q: pipefail would see dpkg-deb's SIGPIPE)
grep -q ' postinst' <<<"$info" || fail "minsheng-kiosk has no postinst"

is_debian_package() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' && return 0
  local show
  show=$(apt-cache show --no-all-versions "$1" 2>/dev/null || true)
  grep -q '^Filename: pool/main/' <<<"$show" && return 0
  # A build machine whose apt lists were never downloaded cannot ask apt; these two are the
  # Debian 12 packages the appliance alone installs (image/build-image.sh).
  if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
    case $1 in libglfw3-wayland|cage) return 0 ;; esac
  fi
  return 1
}
# Read once: piping ldconfig into an awk that exits early would fail under pipefail (SIGPIPE).
libs=$(ldconfig -p)
for deb in "$kiosk" "$county"; do
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "$(basename "$deb"): Depends: $depends"
  names=$(tr ',|' '\n\n' <<<"$depends" | sed -e 's/(.*)//' -e 's/[[:space:]]//g' | sed '/^$/d')
  for n in $names; do
    is_debian_package "$n" || fail "$(basename "$deb"): Depends names $n, not a Debian 12 package"
  done
  # Every NEEDED library's package must be named (sanitizer runtimes of ASan builds aside).
  x=$(mktemp -d)
  dpkg-deb -x "$deb" "$x"
  for bin in "$x"/usr/bin/*; do
    dynamic=$(objdump -p "$bin")
    for so in $(awk '/NEEDED/ {print $2}' <<<"$dynamic"); do
      case $so in libasan.so.*|libubsan.so.*|liblsan.so.*|libtsan.so.*) continue ;; esac
      path=$(awk -v s="$so" '$1 == s && /x86-64/ {print $NF; exit}' <<<"$libs")
      [ -n "$path" ] || fail "$(basename "$bin"): $so not found by ldconfig"
      pkg=""
      for p in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path" \
               "$(readlink -f "$path" | sed 's|^/usr||')"; do
        owner=$(dpkg -S "$p" 2>/dev/null || true)
        pkg=$(sed -n '1s/:.*//p' <<<"$owner")
        [ -n "$pkg" ] && break
      done
      [ -n "$pkg" ] || fail "$(basename "$bin"): no Debian package owns $so ($path)"
      grep -qxF "$pkg" <<<"$names" ||
        fail "$(basename "$bin") needs $so from $pkg, which Depends does not name"
    done
  done
  rm -rf "$x"
done
echo "check_debs: both packages are complete"
