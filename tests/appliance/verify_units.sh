#!/usr/bin/env bash
# CTest appliance:systemd-analyze-verify: `systemd-analyze verify` of every unit in image/units,
# against a root staged from the .deb packages that appliance:deb-packages built (so ExecStart=
# paths are checked against what the packages install) plus this machine's own systemd units
# (sysinit.target and friends). Works in a container without systemd as PID 1: --root= loads
# units from the staged tree only. Any warning (an unknown key, a bad value) fails the test, not
# just errors.
#   verify_units.sh UNITS_DIR DEBS_DIR STAGE_DIR
set -euo pipefail
units=$1
debs=$2
stage=$3
rm -rf "$stage"
mkdir -p "$stage/usr/lib/systemd/system" "$stage/etc"
cp -a /lib/systemd/system/. "$stage/usr/lib/systemd/system/"
for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$stage"; done
# The units under test are the ones in the source tree (the packages carry copies of them).
for u in "$units"/*; do
  cmp -s "$u" "$stage/usr/lib/systemd/system/$(basename "$u")" ||
    { echo "verify_units: $(basename "$u") is not shipped unchanged by a package" >&2; exit 1; }
done
status=0
for u in "$units"/*; do
  name=$(basename "$u")
  output=$(systemd-analyze verify --root="$stage" "$stage/usr/lib/systemd/system/$name" 2>&1) || status=1
  if [ -n "$output" ]; then
    echo "$output"
    status=1
  fi
  echo "verify_units: $name $([ -z "$output" ] && echo ok || echo FAILED)"
done
rm -rf "$stage"
exit $status
