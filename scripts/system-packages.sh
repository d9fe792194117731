#!/usr/bin/env bash
# Installs the system libraries koki builds against, if any is missing:
# libsqlite3-dev (the embedded event store), liblz4-dev (payload compression), pkg-config.
# With --optional PKG...: installs those instead, and a failure only says so.
set -euo pipefail
needed=(libsqlite3-dev liblz4-dev pkg-config)
optional=0
if [ "${1:-}" = "--optional" ]; then
  optional=1
  shift
  needed=("$@")
fi
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "koki: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $optional -eq 1 ]; then
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || echo "koki: could not install ${missing[*]}; the tests that need them skip" >&2
  else
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
