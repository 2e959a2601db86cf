#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole suite twice —
# an optimised build with warnings as errors, then an AddressSanitizer + UBSan build.
#
#   MINSHENG_SKIP_SANITIZERS=1   only the first build (quicker local runs)
#   MINSHENG_CRASH_ROUNDS=N      kill-and-reopen rounds of the outbox crash test (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

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
echo "== all tests passed =="
