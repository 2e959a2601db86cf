#!/usr/bin/env bash
# The README's test command: installs what is missing, checks the format, builds, and runs the
# whole suite twice — an optimised build with warnings as errors, then an AddressSanitizer + UBSan
# build — and then every fuzz target for a fixed number of runs under libFuzzer.
#
#   MINSHENG_SKIP_SANITIZERS=1   only the first build (quicker local runs)
#   MINSHENG_CRASH_ROUNDS=N      kill-and-reopen rounds of the outbox crash test (default 200)
#   MINSHENG_SKIP_FUZZ=1         skip the libFuzzer smoke run (MINSHENG_FUZZ_RUNS=N, default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

# One format for every C++ file (.clang-format at the root); `clang-format -i FILE` fixes one.
echo "== format (clang-format) =="
git ls-files -z '*.cpp' '*.hpp' '*.h' | xargs -0 clang-format --dry-run -Werror

echo "== build (RelWithDebInfo, -Werror) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINSHENG_WERROR=ON
cmake --build build -j"$jobs"
echo "== tests =="
ctest --test-dir build --output-on-failure -j"$jobs"

if [ "${MINSHENG_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== build (Debug, ASan + UBSan) =="
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMINSHENG_SANITIZE=ON
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan + UBSan =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
if [ "${MINSHENG_SKIP_FUZZ:-0}" != 1 ]; then
  # Every parser of outside bytes, under libFuzzer with ASan + UBSan, for a fixed number of runs
  # from the seed corpus (long runs: docs/fuzzing.md). New inputs go to a scratch folder so the
  # committed corpus only changes on purpose.
  echo "== fuzz smoke (clang, libFuzzer, ASan + UBSan) =="
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DMINSHENG_FUZZ=ON
  cmake --build build-fuzz -j"$jobs" --target fuzz-all
  runs=${MINSHENG_FUZZ_RUNS:-20000}
  # name, binary, seed corpus: the parsers in tests/fuzz/ and the intake server's handler.
  targets=()
  for corpus in tests/fuzz/corpus/*/; do
    name=$(basename "$corpus")
    targets+=("$name build-fuzz/tests/fuzz/fuzz_$name $corpus")
  done
  targets+=("intake_handler build-fuzz/tests/county/server/fuzz_intake_handler tests/county/server/fuzz_corpus")
  for entry in "${targets[@]}"; do
    read -r name binary target <<<"$entry"
    scratch=$(mktemp -d)
    echo "-- fuzz_$name: $runs runs"
    status=0
    # -timeout: an input that takes over 10 s is a finding (a slow parse is a denial of service).
    "$binary" -runs="$runs" -max_len=65536 -timeout=10 -print_final_stats=1 \
      "$scratch" "$target" > "$scratch.log" 2>&1 || status=$?
    grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' "$scratch.log" || true
    if [ "$status" != 0 ]; then tail -n 40 "$scratch.log"; fi
    rm -f "$scratch.log"
    rm -rf "$scratch"
    if [ "$status" != 0 ]; then
      echo "fuzz_$name found a crash (see above); add the input to $target" >&2
      exit 1
    fi
  done
fi
echo "== all tests passed =="
