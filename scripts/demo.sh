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
if [ -z "${KOKI_LEDGER:-}" ]; then
  rm -f "$ledger" "$ledger-wal" "$ledger-shm" "$ledger.key" "$ledger.passwords"
fi
koki="$here/.build/debug/koki"
"$koki" simulate --ledger "$ledger" "$@"
# Secure the simulated city: its administrator and master key (koki init), and a demo operator
# holding the everyday roles, logged in so the README's commands work at once. The passwords are
# made here and kept, readable by you alone, beside the ledger (synthetic data only).
umask 077
admin_password="$(head -c 18 /dev/urandom | base64)"
demo_password="$(head -c 18 /dev/urandom | base64)"
printf 'admin %s\ndemo %s\n' "$admin_password" "$demo_password" > "$ledger.passwords"
printf '%s\n' "$admin_password" | "$koki" init --ledger "$ledger" --password-stdin >/dev/null
printf '%s\n' "$admin_password" | "$koki" login admin --ledger "$ledger" --password-stdin >/dev/null
printf '%s\n' "$demo_password" | "$koki" operator add demo --ledger "$ledger" --name "Demo operator" \
  --role counter --role assessment --role collection --role arrears --role auditor --role administrator \
  --password-stdin >/dev/null
printf '%s\n' "$demo_password" | "$koki" login demo --ledger "$ledger" --password-stdin
echo "explore it: export KOKI_LEDGER=$ledger; koki arrears list; koki history PERSON (see README)"
echo "passwords (admin, demo) are in $ledger.passwords; the master key is $ledger.key"
