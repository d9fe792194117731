#!/usr/bin/env bash
# The main job on a fresh machine: installs the system libraries if missing, builds koki, and
# simulates a small city (3,000 insured, FY2023–FY2025) through koki's own commands into
# ./koki-city.ledger (or $KOKI_LEDGER), then prints the report and verifies the chain.
# Extra arguments go to `koki simulate` (e.g. --insured 10000 --years 5 --seed 7).
# The default file is this job's own output: it is made anew on each run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/system-packages.sh"
swift build --package-path "$here" --product koki
ledger="${KOKI_LEDGER:-$PWD/koki-city.ledger}"
if [ -z "${KOKI_LEDGER:-}" ]; then rm -f "$ledger" "$ledger-wal" "$ledger-shm"; fi
"$here/.build/debug/koki" simulate --ledger "$ledger" "$@"
echo "explore it: export KOKI_LEDGER=$ledger; koki arrears list; koki history PERSON (see README)"
