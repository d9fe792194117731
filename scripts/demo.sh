#!/usr/bin/env bash
# The main job on a fresh machine: installs the system libraries if missing, builds koki,
# and runs the demonstration on ./koki.ledger in the working folder (or $KOKI_LEDGER).
# Extra arguments go to `koki demo` (e.g. --persons 10000).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/system-packages.sh"
swift build --package-path "$here" --product koki
"$here/.build/debug/koki" demo --ledger "${KOKI_LEDGER:-$PWD/koki.ledger}" "$@"
"$here/.build/debug/koki" verify --ledger "${KOKI_LEDGER:-$PWD/koki.ledger}"
