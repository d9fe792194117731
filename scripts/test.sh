#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the system libraries if missing, then
# builds and runs every test target.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/scripts/system-packages.sh"
# For the test that renders a notice in headless Chromium with Japanese fonts (it skips, saying
# so, where they cannot be installed).
bash "$here/scripts/system-packages.sh" --optional chromium fonts-noto-cjk
swift test --package-path "$here"
