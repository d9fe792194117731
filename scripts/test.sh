#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the system libraries if missing, then
# builds and runs every test target.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/system-packages.sh"
swift test --package-path "$here"
