#!/usr/bin/env bash
# Runs every benchmark program once with --json and prints one table of their figures.
#
#   scripts/bench.sh [--json] [--build DIR] [--only NAME]
#     --json        print one JSON object {"<benchmark>": {figures...}, ...} instead of the table
#     --build DIR   the build folder holding tests/bench (default: build)
#     --only NAME   run only minsheng-bench-NAME (submit, intake, forwarder, case-query, pinyin, ui)
#
# The benchmarks must be built (cmake --build build --target minsheng-bench-submit ...). Each
# benchmark's own text goes to <build>/bench-logs/<name>.log. Figures are compared between runs on
# the same machine; ratios within one run (submit/plain, stored/verify) are what travel.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
json=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=1 ;;
    --build) build="$2"; shift ;;
    --only) only="$2"; shift ;;
    --help|-h) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

names=(submit intake forwarder case-query pinyin ui)
logs="$build/bench-logs"
mkdir -p "$logs"
results="{}"
status=0
for name in "${names[@]}"; do
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  program="$build/tests/bench/minsheng-bench-$name"
  if [ ! -x "$program" ]; then
    echo "bench.sh: $program is not built; skipped" >&2
    status=1
    continue
  fi
  echo "bench.sh: running minsheng-bench-$name ..." >&2
  if ! out=$("$program" --json 2>"$logs/$name.log"); then
    echo "bench.sh: minsheng-bench-$name failed (see $logs/$name.log)" >&2
    status=1
  fi
  if ! printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; then
    echo "bench.sh: minsheng-bench-$name printed no JSON object" >&2
    status=1
    continue
  fi
  results=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r[sys.argv[2]]=json.loads(sys.argv[3]); print(json.dumps(r))' \
    "$results" "$name" "$out")
done

if [ "$json" = 1 ]; then
  printf '%s\n' "$results"
else
  python3 - "$results" <<'PY'
import json, sys
results = json.loads(sys.argv[1])
print(f"{'benchmark':<12} {'figure':<32} {'value':>14}")
for bench, figures in results.items():
    for key, value in figures.items():
        if key in ("benchmark",):
            continue
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        print(f"{bench:<12} {key:<32} {shown:>14}")
PY
fi
exit $status
