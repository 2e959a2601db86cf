#!/usr/bin/env bash
# The README's run command, on embedded defaults: installs what is missing, builds, then plays
# the whole case loop in ./demo-data (recreated on every run):
#   1. a county office folder with fresh keys, CA and staff token (no passphrase: a demo),
#   2. a provisioned demo kiosk pointed at the county server on loopback,
#   3. the county intake server (`minsheng-county serve`) on 127.0.0.1 and the kiosk's forwarder
#      (`minsheng-kiosk sync`), both in the background,
#   4. the kiosk's touch window: on your display when there is one (use it, then close it); with
#      no display, under Xvfb with a scripted walk-through by real X11 clicks whose screenshots go
#      to demo-data/screenshots/,
#   5. county staff pulling, verifying and decrypting what the kiosk sent into the case ledger,
#      and answering a case,
#   6. (no display) the parent checking that case at the kiosk with the receipt code,
#   7. the office console (`minsheng-county console`) on https://127.0.0.1:8444/ with a demo
#      supervisor and clerk whose passwords are printed, holding the walk-through's cases. In a
#      terminal it runs until Ctrl-C; otherwise the script logs in once to show it works, and
#      stops.
#
#   MINSHENG_DEMO_DIR=DIR     where everything goes (default demo-data)
#   MINSHENG_DEMO_PORT=PORT   the county server's port on 127.0.0.1 (default 8443)
#   MINSHENG_DEMO_CONSOLE_PORT=PORT  the office console's port on 127.0.0.1 (default 8444)
#   MINSHENG_HEADLESS=1       use Xvfb and the scripted walk-through even when DISPLAY is set
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" \
  --target minsheng-kiosk minsheng-county minsheng-demo-walkthrough >/dev/null

kiosk=$PWD/build/kiosk/app/minsheng-kiosk
county=$PWD/build/county/app/minsheng-county
walkthrough=$PWD/build/tests/kiosk/ui/minsheng-demo-walkthrough
demo=${MINSHENG_DEMO_DIR:-demo-data}
port=${MINSHENG_DEMO_PORT:-8443}
console_port=${MINSHENG_DEMO_CONSOLE_PORT:-8444}
url=https://127.0.0.1:$port
headless=${MINSHENG_HEADLESS:-0}
[ -n "${DISPLAY:-}" ] || headless=1

rm -rf "$demo"
mkdir -p "$demo/logs"
demo=$(cd "$demo" && pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "minsheng: port $port on 127.0.0.1 is already in use; set MINSHENG_DEMO_PORT to a free port" >&2
  exit 2
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$console_port") 2>/dev/null; then
  echo "minsheng: port $console_port on 127.0.0.1 is already in use; set MINSHENG_DEMO_CONSOLE_PORT to a free port" >&2
  exit 2
fi

step "1. County office: fresh keys, CA and staff token in $demo/county"
"$county" init --dir "$demo/county" --no-passphrase --demo --url "$url"

step "2. Provision kiosk demo-001 into $demo/kiosk"
"$county" provision --dir "$demo/county" --kiosk-id demo-001 --name "阳光社区 1 号机" \
  --location "阳光社区服务中心一楼大厅" --out "$demo/kiosk"
config=$demo/kiosk/kiosk.toml
# A demo sends at once; a community kiosk would hold envelopes back for a random delay
# ([sync] upload_delay_minutes) so that arrival time does not tell when a parent stood there.
printf '\n[sync]\nupload_delay_minutes = 0\n' >> "$config"
if [ "$headless" = 1 ]; then
  # The walk-through drives the window through its test-only automation socket.
  sed -i 's/^automation = false/automation = true/' "$config"
fi

step "3. County intake server on $url and the kiosk's forwarder"
"$county" serve --dir "$demo/county" > "$demo/logs/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q '^listening on' "$demo/logs/serve.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$demo/logs/serve.log" >&2; exit 1; }
  sleep 0.1
done
grep '^listening on' "$demo/logs/serve.log"
"$kiosk" sync --config "$config" --poll-ms 500 > "$demo/logs/sync.log" 2>&1 &
pids+=($!)
echo "forwarder running (log: $demo/logs/sync.log)"

if [ "$headless" = 1 ]; then
  step "4. The kiosk window under Xvfb: a parent reports and answers the survey by touch"
  export MINSHENG_DEMO_CONFIG=$config MINSHENG_DEMO_SHOTS=$demo/screenshots \
    MINSHENG_DEMO_CODE=$demo/work/receipt-code MINSHENG_DEMO_WORK=$demo/work
  "$walkthrough" "[.submit]" --use-colour no | grep -v '^===\|^All tests passed\|^$' || true
  [ -s "$MINSHENG_DEMO_CODE" ] || { echo "minsheng: the walk-through did not finish; see $demo/work/kiosk.log" >&2; exit 1; }
else
  step "4. The kiosk window: report something, note the receipt code, then close the window"
  "$kiosk" --config "$config" --windowed 1280x800
fi

step "   Waiting for the forwarder to deliver (county acknowledgements verified)"
for _ in $(seq 1 300); do
  "$kiosk" outbox --config "$config" --json 2>/dev/null | grep -q '"pending":0' && break
  sleep 0.2
done
"$kiosk" outbox --config "$config"

step "5. County staff: pull, verify, decrypt into the case ledger; answer the case"
"$county" pull --dir "$demo/county"
"$county" cases --dir "$demo/county"
if [ "$headless" = 1 ]; then
  code=$(cat "$MINSHENG_DEMO_CODE")
  "$county" case show --dir "$demo/county" "$code"
  "$county" case set --dir "$demo/county" "$code" --status 办理中 \
    --reply "已转交属地教育局核查，请耐心等待。"

  step "6. The parent checks the case at the kiosk with receipt code $code"
  "$walkthrough" "[.lookup]" --use-colour no | grep -v '^===\|^All tests passed\|^$' || true
fi

step "7. The office console, with a demo supervisor and clerk"
mkdir -p "$demo/work"
password() { head -c 9 /dev/urandom | base64 | tr '+/' 'xy'; }
sup_pw=$(password)
clerk_pw=$(password)
(umask 077; printf '%s\n' "$sup_pw" > "$demo/work/supervisor.pw"; printf '%s\n' "$clerk_pw" > "$demo/work/clerk.pw")
"$county" user add --dir "$demo/county" --name zhuguan --role supervisor \
  --password-file "$demo/work/supervisor.pw"
"$county" user add --dir "$demo/county" --name jingban --role clerk \
  --password-file "$demo/work/clerk.pw" --user zhuguan
"$county" console --dir "$demo/county" --listen "127.0.0.1:$console_port" \
  > "$demo/logs/console.log" 2>&1 &
console_pid=$!
pids+=($console_pid)
for _ in $(seq 1 100); do
  grep -q '^console: ' "$demo/logs/console.log" 2>/dev/null && break
  kill -0 "$console_pid" 2>/dev/null || { cat "$demo/logs/console.log" >&2; exit 1; }
  sleep 0.1
done
console_url=$(sed -n 's/^console: //p' "$demo/logs/console.log" | head -1)
[ -n "$console_url" ] || { cat "$demo/logs/console.log" >&2; exit 1; }
# Log in as the clerk, as a browser would, and count the cases the console shows.
python3 - "$console_url" "$demo/county/tls/ca.pem" "$clerk_pw" <<'PY'
import json, ssl, sys, urllib.request
url, ca, password = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
req = urllib.request.Request(url + "api/session", method="POST",
                             data=json.dumps({"user": "jingban", "password": password}).encode(),
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, context=ctx) as r:
    cookie = r.headers["Set-Cookie"].split(";")[0]
req = urllib.request.Request(url + "api/cases", headers={"Cookie": cookie})
with urllib.request.urlopen(req, context=ctx) as r:
    cases = json.load(r)
print(f"console answers: logged in as jingban, {cases['total']} case(s) listed")
PY
cat <<MSG
Office console: $console_url
  (browsers must trust the county CA: $demo/county/tls/ca.pem)
  主管 supervisor  zhuguan  password: $sup_pw
  经办人 clerk      jingban  password: $clerk_pw
MSG

cat <<MSG

Done. Everything is in $demo/:
  county/       the county office folder (keys, CA, intake.db of the server, ledger.db of staff)
  kiosk/        the kiosk bundle; its encrypted outbox is kiosk/data/outbox.db
  logs/         the server's and the forwarder's logs
MSG
if [ "$headless" = 1 ]; then
  echo "  screenshots/  every screen of the walk-through, as PNG"
fi
if [ -t 0 ]; then
  echo
  echo "The county server, the forwarder and the office console keep running; Ctrl-C stops them."
  wait "$console_pid" || true
fi
