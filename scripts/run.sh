#!/usr/bin/env bash
# The README's run command, on embedded defaults: installs what is missing, builds, then plays
# the whole pipeline in ./demo-data (recreated on every run):
#   1. a county office folder with fresh keys (no passphrase: a demo),
#   2. a provisioned demo kiosk,
#   3. a sample complaint and a sample survey submitted on the kiosk (sealed, signed, stored),
#   4. the pending envelopes exported as files, as a USB stick would carry them,
#   5. the county opening them: verified, decrypted and printed.
# Later releases replace steps 3-5 with the kiosk window and the county's intake server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target minsheng-kiosk minsheng-county >/dev/null

kiosk=build/kiosk/app/minsheng-kiosk
county=build/sync/county/minsheng-county
demo=${MINSHENG_DEMO_DIR:-demo-data}
rm -rf "$demo"
mkdir -p "$demo"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. County office: fresh keys in $demo/county"
"$county" init --dir "$demo/county" --no-passphrase

step "2. Provision kiosk demo-001 into $demo/kiosk"
"$county" provision --dir "$demo/county" --kiosk-id demo-001 --name "阳光社区 1 号机" \
  --location "阳光社区服务中心一楼大厅" --out "$demo/kiosk"

step "3. A parent submits a complaint and a survey on the kiosk"
"$kiosk" forms --config "$demo/kiosk/kiosk.toml" --example complaint > "$demo/complaint-answers.json"
"$kiosk" forms --config "$demo/kiosk/kiosk.toml" --example survey > "$demo/survey-answers.json"
"$kiosk" submit --config "$demo/kiosk/kiosk.toml" --form complaint --answers "$demo/complaint-answers.json"
"$kiosk" submit --config "$demo/kiosk/kiosk.toml" --form survey --answers "$demo/survey-answers.json"
# The answer files were only the demo's input; a real kiosk never writes answers to disk.
rm -f "$demo/complaint-answers.json" "$demo/survey-answers.json"

step "4. The kiosk's outbox, exported for a USB stick"
"$kiosk" outbox --config "$demo/kiosk/kiosk.toml" --export "$demo/usb-stick"

step "5. County staff verify and open what the stick brought"
"$county" open --dir "$demo/county" "$demo/usb-stick"

cat <<MSG

Done. Everything is in $demo/:
  county/     the county office folder (keys, forms, enrolled kiosks)
  kiosk/      the kiosk bundle; its encrypted outbox is kiosk/data/outbox.db
  usb-stick/  the exported, still sealed envelopes
MSG
