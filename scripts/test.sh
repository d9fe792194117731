#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the system libraries if missing, starts
# PostgreSQL for the store's PostgreSQL tests (and stops it after, if it started it), then
# builds and runs every test target. KOKI_SKIP_POSTGRES=1 runs without PostgreSQL (those
# tests then skip).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/system-packages.sh"
# For the test that renders a notice in headless Chromium with Japanese fonts (it skips, saying
# so, where they cannot be installed).
bash "$here/scripts/system-packages.sh" --optional chromium fonts-noto-cjk
if [ "${KOKI_SKIP_POSTGRES:-0}" != "1" ]; then
  running=0
  pg_lsclusters -h 2>/dev/null | grep -q online && running=1
  KOKI_TEST_POSTGRES="$(bash "$here/scripts/postgres.sh" start)" || {
    echo "koki: PostgreSQL could not be started; KOKI_SKIP_POSTGRES=1 runs the tests without it" >&2
    exit 1
  }
  export KOKI_TEST_POSTGRES KOKI_REQUIRE_POSTGRES=1
  if [ "$running" = 0 ]; then trap 'bash "$here/scripts/postgres.sh" stop' EXIT; fi
fi
swift test --package-path "$here"
