#!/usr/bin/env bash
# The long check outside CI: build the appliance image (if needed), make a provisioning stick
# with a fresh county and kiosk bundle, boot both under qemu-system-x86_64 (UEFI, serial console,
# a virtio VGA as the kiosk's screen), and wait until the serial console shows systemd starting
# minsheng-kiosk.service, which for a Type=notify unit means the kiosk sent READY=1 after its
# first frame. Prints how long the build and the boot took.
#
#   image/boot-check.sh [--out DIR] [--kvm] [--timeout SECONDS] [--rebuild]
#
#   --kvm      use KVM (default: TCG software emulation, which works everywhere, slowly; KVM
#              inside some nested containers fails with "emulation failure" in the firmware)
#   --rebuild  build the image again even if DIR/minsheng-kiosk.img exists
# Exit status 0 when READY was seen.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$repo/build-image"
accel=tcg
timeout=1200
rebuild=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --kvm) accel=kvm; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "boot-check: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
log() { printf '\033[1m== boot-check: %s\033[0m\n' "$*"; }

need=()
for p in qemu-system-x86 ovmf mtools dosfstools; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

img="$out/minsheng-kiosk.img"
build_seconds="(not rebuilt)"
if [ "$rebuild" = 1 ] || [ ! -f "$img" ]; then
  log "building the image"
  t0=$(date +%s)
  "$here/build-image.sh" --out "$out" --software-render --console-status
  build_seconds=$(( $(date +%s) - t0 ))
fi

# A provisioning stick: a county with no passphrase (a test) and one bundle, on FAT.
log "provisioning stick"
county_bin="${MINSHENG_COUNTY_BIN:-$out/pkg/county/app/minsheng-county}"
[ -x "$county_bin" ] || county_bin=$(command -v minsheng-county)
work="$out/boot-check"
rm -rf "$work" && mkdir -p "$work"
"$county_bin" init --dir "$work/county" --no-passphrase --demo >/dev/null
"$county_bin" provision --dir "$work/county" --kiosk-id qemu-001 --name "阳光社区 1 号机" \
  --location "qemu" --out "$work/bundle" >/dev/null
truncate -s 32M "$work/stick.img"
mkfs.vfat -n MINSHENG "$work/stick.img" >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -s -i "$work/stick.img" "$work/bundle" ::/kiosk-bundle

cpu=max
ovmf=/usr/share/ovmf/OVMF.fd
serial="$work/serial.log"
log "booting under qemu-system-x86_64 (accel=$accel), serial console in $serial"
t0=$(date +%s)
qemu-system-x86_64 -machine q35,accel="$accel" -cpu "$cpu" -m 2048 -smp 2 \
  -bios "$ovmf" \
  -drive file="$img",format=raw,if=virtio,snapshot=on \
  -device qemu-xhci -drive if=none,id=stick,file="$work/stick.img",format=raw,snapshot=on \
  -device usb-storage,drive=stick \
  -vga none -device virtio-vga -display none -serial file:"$serial" -monitor none -no-reboot &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
result=1
while kill -0 "$qemu" 2>/dev/null; do
  elapsed=$(( $(date +%s) - t0 ))
  if grep -aq 'Started .*minsheng-kiosk.service' "$serial" 2>/dev/null; then
    result=0
    break
  fi
  if grep -aqE 'Failed to start .*minsheng-(kiosk|provision)|minsheng-kiosk.service: Failed' "$serial" 2>/dev/null; then
    log "a minsheng unit failed (see $serial)"
  fi
  if [ "$elapsed" -gt "$timeout" ]; then
    log "no READY within $timeout s"
    break
  fi
  sleep 1
done
boot_seconds=$(( $(date +%s) - t0 ))
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
trap - EXIT
echo "---- serial console (minsheng lines and failures) ----"
grep -aE 'minsheng|Failed|cage|Reached target' "$serial" | tail -n 40 || true
echo "------------------------------------------------------"
echo "image:      $img ($(du -h --apparent-size "$img" | cut -f1))"
echo "build time: ${build_seconds} s"
echo "boot time:  ${boot_seconds} s to $( [ $result = 0 ] && echo READY || echo 'no READY') (accel=$accel)"
exit $result
