#!/usr/bin/env bash
# Proves the README's two commands on a clean Debian 12, the way a new user meets them:
#
#   1. debootstrap a bookworm minbase tree (once; cached as a tarball between runs),
#   2. unpack a fresh copy of it and put a clean clone of this repository's HEAD in /src,
#   3. inside it (chroot, as root, CI=true): run the README's test command, then its run command,
#   4. report each command's result and time, and where its log is.
#
# Run it as root on a Debian/Ubuntu host, before stopping, whenever scripts/install-deps.sh, the
# build, or what the tests execute has changed. It takes long (the whole suite twice plus the
# fuzz smoke, on a machine that starts with no compiler), so CI does not run it.
#
#   scripts/fresh-check.sh [--keep] [--only test|run] [--refresh]
#
#   --keep      leave the chroot in place afterwards (default: remove it)
#   --only X    run only the test command (test) or only the run command (run)
#   --refresh   debootstrap anew instead of using the cached base tree
#   --base-only make (or refresh) the cached base tree and stop
#
# Environment:
#   MINSHENG_FRESH_DIR     work folder (default /var/tmp/minsheng-fresh): base.tar.gz, root/, logs/
#   MINSHENG_FRESH_MIRROR  Debian mirror for debootstrap (default: the host's apt source for bookworm)
#   MINSHENG_FRESH_SKIP_SANITIZERS, MINSHENG_FRESH_SKIP_FUZZ=1
#                          passed into the test command as MINSHENG_SKIP_SANITIZERS/_FUZZ, for a
#                          quicker partial check (the closing check runs everything)
#
# Exit status: 0 when every command that ran passed, 1 when one failed, 2 on a usage or set-up
# error (not root, debootstrap missing and not installable, …).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${MINSHENG_FRESH_DIR:-/var/tmp/minsheng-fresh}
keep=0
only=""
refresh=0
base_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --only) only=${2:-}; shift ;;
    --refresh) refresh=1 ;;
    --base-only) base_only=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$only" in "" | test | run) ;; *) echo "fresh-check: --only takes test or run" >&2; exit 2 ;; esac
if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-check: run as root (debootstrap and chroot need it)" >&2
  exit 2
fi

log() { printf 'fresh-check: %s\n' "$*" >&2; }

# The host's Debian mirror for bookworm, from deb822 sources or a one-line sources.list.
host_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' "$f"
  done | head -n1 | grep . && return 0
  grep -hsE '^deb +[a-z]+://[^ ]+ +bookworm +' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
    awk '{print $2; exit}' | grep . && return 0
  echo "http://deb.debian.org/debian"
}

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
    { log "debootstrap is missing and could not be installed"; exit 2; }
fi

mkdir -p "$work/logs"
base="$work/base.tar.gz"
root="$work/root"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  mounted=()
  if [ "$keep" != 1 ] && [ -d "$root" ]; then rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT

# 1. The base tree: debootstrap once, keep it as a tarball (a minbase tree is ~80 MB).
if [ "$refresh" = 1 ] || [ ! -s "$base" ]; then
  mirror=${MINSHENG_FRESH_MIRROR:-$(host_mirror)}
  log "debootstrap bookworm minbase from $mirror (cached in $base afterwards)"
  rm -rf --one-file-system "$work/base"
  t0=$(date +%s)
  debootstrap --variant=minbase bookworm "$work/base" "$mirror" >"$work/logs/debootstrap.log" 2>&1 ||
    { log "debootstrap failed; see $work/logs/debootstrap.log"; exit 2; }
  tar -C "$work/base" -czf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf --one-file-system "$work/base"
  log "base tree made in $(($(date +%s) - t0)) s"
fi
[ "$base_only" = 1 ] && exit 0

# 2. A fresh root from the base, the host's package sources, name resolution and /etc/hosts (what
#    a new machine gets from its installer that debootstrap does not write), and a clean clone.
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" -xzf "$base"
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
  rm -f "$root/etc/apt/sources.list"
  for f in /etc/apt/sources.list.d/*.sources; do cp "$f" "$root/etc/apt/sources.list.d/"; done
fi
[ -f /etc/apt/sources.list ] && [ -s /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
for f in /etc/apt/apt.conf.d/*; do
  grep -qs 'Acquire::' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# What Debian's installer writes and debootstrap does not: without /etc/hosts even "localhost"
# does not resolve.
printf '127.0.0.1\tlocalhost\n127.0.1.1\tminsheng-fresh\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
  >"$root/etc/hosts"
echo minsheng-fresh >"$root/etc/hostname"
commit=$(git -C "$repo" rev-parse --short HEAD)
git clone -q --no-hardlinks "$repo" "$root/src"
log "clean clone of $commit in $root/src"

for m in proc sys dev dev/pts; do
  mkdir -p "$root/$m"
done
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sys "$root/sys" && mounted+=("$root/sys")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && mounted+=("$root/dev/pts")
mkdir -p "$root/dev/shm"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm" && mounted+=("$root/dev/shm")
mount -t tmpfs -o mode=1777 tmp "$root/tmp" && mounted+=("$root/tmp")

# 3. The README's commands, as a new user runs them: a login shell as root, CI=true, no display.
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb CI=true LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    MINSHENG_SKIP_SANITIZERS="${MINSHENG_FRESH_SKIP_SANITIZERS:-0}" \
    MINSHENG_SKIP_FUZZ="${MINSHENG_FRESH_SKIP_FUZZ:-0}" \
    /bin/bash -c "cd /src && $1"
}

status=0
results=()
run_step() {
  local name=$1 cmd=$2 t0 rc=0 secs
  log "running '$cmd' (log: $work/logs/$name.log)"
  t0=$(date +%s)
  in_root "$cmd" </dev/null >"$work/logs/$name.log" 2>&1 || rc=$?
  secs=$(($(date +%s) - t0))
  if [ "$rc" = 0 ]; then
    results+=("$(printf '%-16s passed  in %5d s' "$cmd" "$secs")")
  else
    results+=("$(printf '%-16s FAILED  in %5d s (exit %d; last lines of %s below)' "$cmd" "$secs" "$rc" "$work/logs/$name.log")")
    tail -n 40 "$work/logs/$name.log" >&2
    status=1
  fi
}

[ "$only" = run ] || run_step test scripts/test.sh
[ "$only" = test ] || run_step run scripts/run.sh

echo "== fresh-check: Debian 12 minbase, $commit =="
for r in "${results[@]}"; do echo "$r"; done
exit "$status"
