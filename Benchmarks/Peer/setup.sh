#!/usr/bin/env bash
# Makes the Python environment the peer benchmark runs in (Benchmarks/Peer/.venv), from PyPI,
# with the library pinned in requirements.txt. Run once; the benchmark finds it there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$here/.venv/bin/python" -c "import eventsourcing.application" && echo "peer ready: $here/.venv"
