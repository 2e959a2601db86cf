#!/usr/bin/env bash
# Builds the Minsheng kiosk appliance: a bootable x86_64 GPT disk image (UEFI, systemd-boot) made
# only of Debian 12 packages and our minsheng-kiosk .deb. See image/README.md.
#
#   image/build-image.sh [--out DIR] [--deb FILE.deb] [--software-render] [--size-mb N]
#
#   --out DIR          work and output folder (default: build-image/ at the repository root);
#                      the image is DIR/minsheng-kiosk.img
#   --deb FILE         the minsheng-kiosk .deb (default: build it with CPack into DIR/pkg)
#   --software-render  force Mesa's software renderer (llvmpipe) for the kiosk: qemu, or panels
#                      without a usable GPU
#   --console-status   print systemd's unit status on the serial console (boot-check.sh)
#
# Stages, each skipped when its stamp exists in DIR (delete DIR to start over):
#   tools   the host tools this script needs (debootstrap, mtools, dosfstools, fdisk, e2fsprogs)
#   base    debootstrap of Debian 12 plus the appliance's Debian packages (the slow part)
#   root    a copy of base with our .deb installed and the lock-down applied (image/rootfs/)
#   disk    the ESP (FAT, mtools: no loop device, no mount) and root/data partitions
#           (mkfs.ext4 -d), assembled with sfdisk into one GPT image
# Needs root (debootstrap, chroot, bind mounts of /proc /sys /dev for package scripts).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$repo/build-image"
deb=""
software=0
console_status=0
base_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --deb) deb=$2; shift 2 ;;
    --software-render) software=1; shift ;;
    --console-status) console_status=1; shift ;;
    --base-only) base_only=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-image: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
mirror=${MINSHENG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
log() { printf '\033[1m== build-image: %s\033[0m\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "build-image: run as root (debootstrap, chroot)" >&2; exit 1; }

# Fixed partition UUIDs: the kernel command line and fstab name partitions by these, so the
# image needs no UUID lookup at build time. (Every kiosk flashed from one image shares them.)
esp_uuid=c12a7328-f81f-11d2-ba4b-00a0c93ec93b
root_part_uuid=4f68bce3-e8cd-4db1-96e7-fbcaf984b709
data_part_uuid=6d5a1c2e-9b1e-4c55-8f0a-3c1d2b6e7a01

# ---- tools ----------------------------------------------------------------------------------
if [ ! -e "$out/.stamp-tools" ]; then
  log "host tools"
  need=()
  for p in debootstrap mtools dosfstools fdisk e2fsprogs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
  touch "$out/.stamp-tools"
fi

# Package scripts (initramfs, dbus, systemd) need /proc, /sys and /dev in the chroot.
mounted=()
chroot_mounts() {
  local r=$1
  for m in proc sys dev dev/pts; do
    mkdir -p "$r/$m"
    case $m in
      proc) mount -t proc proc "$r/proc" ;;
      sys) mount -t sysfs sys "$r/sys" ;;
      dev) mount --bind /dev "$r/dev" ;;
      dev/pts) mount --bind /dev/pts "$r/dev/pts" ;;
    esac
    mounted=("$r/$m" "${mounted[@]}")
  done
}
chroot_umount() {
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
  mounted=()
}
trap chroot_umount EXIT
in_root() { chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "${@:2}"; }

# ---- base -----------------------------------------------------------------------------------
base="$out/base"
if [ ! -e "$out/.stamp-base" ]; then
  log "debootstrap $suite (minbase) into $base"
  rm -rf "$base"
  t0=$(date +%s)
  debootstrap --variant=minbase --components=main "$suite" "$base" "$mirror"
  cat > "$base/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
EOF
  # No service may start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$base/usr/sbin/policy-rc.d"
  chmod 755 "$base/usr/sbin/policy-rc.d"
  # initramfs: every storage and input driver, not just the build host's (MODULES=dep would
  # look at this machine).
  mkdir -p "$base/etc/initramfs-tools/conf.d"
  echo 'MODULES=most' > "$base/etc/initramfs-tools/conf.d/minsheng.conf"
  chroot_mounts "$base"
  in_root "$base" apt-get update -qq
  # The appliance's packages, Debian 12 only (image/README.md says why each one is here).
  in_root "$base" apt-get install -y -qq --no-install-recommends \
    linux-image-amd64 initramfs-tools systemd systemd-sysv udev dbus libpam-systemd \
    systemd-boot-efi kmod util-linux mount e2fsprogs procps \
    cage libglfw3-wayland libgl1-mesa-dri libegl-mesa0 libegl1 libgles2 libgbm1 \
    fonts-wqy-microhei \
    libtss2-esys-3.0.2-0 libtss2-rc0 libtss2-mu0 libtss2-tcti-device0
  in_root "$base" apt-get clean
  chroot_umount
  echo "$(( $(date +%s) - t0 ))" > "$out/base-seconds"
  touch "$out/.stamp-base"
fi

[ "$base_only" = 1 ] && exit 0

# ---- the .deb -------------------------------------------------------------------------------
if [ -z "$deb" ]; then
  log "CPack: minsheng-kiosk .deb"
  cmake -S "$repo" -B "$out/pkg" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINSHENG_BUILD_TESTS=OFF >/dev/null
  cmake --build "$out/pkg" -j"$(nproc 2>/dev/null || echo 2)" --target minsheng-kiosk minsheng-county >/dev/null
  (cd "$out/pkg" && cpack -G DEB >/dev/null)
  deb=$(ls "$out"/pkg/minsheng-kiosk_*.deb | head -n1)
fi
[ -f "$deb" ] || { echo "build-image: no .deb at $deb" >&2; exit 1; }

# ---- root -----------------------------------------------------------------------------------
root="$out/root"
log "root file system from base + $(basename "$deb")"
rm -rf "$root"
cp -a "$base" "$root"
cp "$deb" "$root/tmp/minsheng-kiosk.deb"
chroot_mounts "$root"
# apt resolves our Depends from Debian only (no other source is configured).
in_root "$root" apt-get install -y -qq --no-install-recommends /tmp/minsheng-kiosk.deb \
  systemd-resolved systemd-timesyncd seatd xwayland
rm -f "$root/tmp/minsheng-kiosk.deb"
in_root "$root" apt-get clean
chroot_umount
MINSHENG_SOFTWARE_RENDER=$software MINSHENG_CONSOLE_STATUS=$console_status \
  ROOT_PART_UUID=$root_part_uuid DATA_PART_UUID=$data_part_uuid ESP_UUID=$esp_uuid \
  "$here/rootfs/apply.sh" "$root"

# ---- disk -----------------------------------------------------------------------------------
log "partitions and disk image"
img="$out/minsheng-kiosk.img"
parts="$out/parts"
rm -rf "$parts" && mkdir -p "$parts"
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
# ESP: systemd-boot, one loader entry, kernel and initrd (FAT via mtools: no loop device).
esp_mb=$(( ( $(stat -c %s "$kernel") + $(stat -c %s "$initrd") ) / 1048576 + 40 ))
truncate -s "${esp_mb}M" "$parts/esp.img"
mkfs.vfat -F 32 -n ESP "$parts/esp.img" >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$parts/esp.img" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
mcopy -i "$parts/esp.img" "$root/usr/lib/systemd/boot/efi/systemd-bootx64.efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$parts/esp.img" "$kernel" ::/vmlinuz
mcopy -i "$parts/esp.img" "$initrd" ::/initrd.img
printf 'default minsheng.conf\ntimeout 0\neditor no\n' > "$parts/loader.conf"
cmdline="root=PARTUUID=$root_part_uuid rootfstype=ext4 ro console=tty1 console=ttyS0,115200 quiet loglevel=3 systemd.show_status=auto sysrq_always_enabled=0"
[ "$console_status" = 1 ] && cmdline="${cmdline/systemd.show_status=auto/systemd.show_status=1}"
printf 'title Minsheng kiosk\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "$cmdline" \
  > "$parts/minsheng.conf"
mcopy -i "$parts/esp.img" "$parts/loader.conf" ::/loader/loader.conf
mcopy -i "$parts/esp.img" "$parts/minsheng.conf" ::/loader/entries/minsheng.conf
# /boot's copies are on the ESP now; the root file system does not need them.
rm -f "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-*
# Root: ext4 filled from the directory (mkfs.ext4 -d), mounted read-only at boot.
root_mb=$(( $(du -sm "$root" | cut -f1) * 115 / 100 + 64 ))
mkfs.ext4 -q -L minsheng-root -d "$root" "$parts/root.img" "${root_mb}M"
# Data: empty ext4 for the kiosk's persistent state (/var/lib/minsheng and friends, mounted at
# /persist). MINSHENG_DATA_MB sets its size (default 256).
data_mb=${MINSHENG_DATA_MB:-256}
# Its skeleton: the folders fstab binds into place, owned as the services need them.
skel="$parts/data-skel"
uid=$(chroot "$root" id -u minsheng)
gid=$(chroot "$root" id -g minsheng)
mkdir -p "$skel/minsheng" "$skel/etc-minsheng" "$skel/credstore" "$skel/systemd"
cp -a "$root/var/lib/systemd/." "$skel/systemd/"
chown "$uid:$gid" "$skel/minsheng" && chmod 0700 "$skel/minsheng"
chown "0:$gid" "$skel/etc-minsheng" && chmod 0750 "$skel/etc-minsheng"
chmod 0700 "$skel/credstore"
mkfs.ext4 -q -L minsheng-data -d "$skel" "$parts/data.img" "${data_mb}M"
# GPT: 1 MiB alignment, ESP, root, data.
total_mb=$(( 1 + esp_mb + root_mb + data_mb + 1 ))
rm -f "$img"
truncate -s "${total_mb}M" "$img"
sfdisk -q "$img" <<EOF
label: gpt
first-lba: 2048
start=1MiB, size=${esp_mb}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$esp_uuid, name=minsheng-esp
size=${root_mb}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$root_part_uuid, name=minsheng-root
size=${data_mb}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$data_part_uuid, name=minsheng-data
EOF
off=1
for p in esp root data; do
  dd if="$parts/$p.img" of="$img" bs=1M seek=$off conv=notrunc status=none
  off=$(( off + $(stat -c %s "$parts/$p.img") / 1048576 ))
done
rm -rf "$parts"
log "done: $img ($(du -h --apparent-size "$img" | cut -f1), $(du -h "$img" | cut -f1) on disk)"
