#!/usr/bin/env bash
# PostgreSQL for koki's tests, from Debian's packages (installed if missing).
#   bash scripts/postgres.sh start   starts the cluster (if it is not running), makes the role and
#                                    database `koki` / `koki_test`, and prints their address
#   bash scripts/postgres.sh stop    stops the cluster again
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
case "${1:-start}" in
start)
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    bash "$here/scripts/system-packages.sh" --optional postgresql >&2
  fi
  command -v pg_lsclusters >/dev/null 2>&1 || { echo "koki: PostgreSQL is not installed" >&2; exit 1; }
  if [ -z "$(pg_lsclusters -h)" ]; then
    version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    root pg_createcluster "$version" main >&2
  fi
  read -r version cluster port status _ < <(pg_lsclusters -h | head -1)
  if [ "$status" != "online" ]; then root pg_ctlcluster "$version" "$cluster" start >&2; fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
  as_postgres psql -q -p "$port" -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'koki') THEN
      CREATE ROLE koki LOGIN PASSWORD 'koki' CREATEDB; END IF; END\$\$;" >&2
  if ! as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'koki_test'" | grep -q 1; then
    as_postgres createdb -p "$port" -O koki koki_test >&2
  fi
  echo "postgres://koki:koki@127.0.0.1:$port/koki_test"
  ;;
stop)
  read -r version cluster _ status _ < <(pg_lsclusters -h | head -1)
  if [ "$status" = "online" ]; then root pg_ctlcluster "$version" "$cluster" stop >&2; fi
  ;;
*) echo "usage: scripts/postgres.sh start|stop" >&2; exit 64 ;;
esac
