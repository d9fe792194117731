#!/usr/bin/env bash
# Installs the system libraries koki builds against, if any is missing:
# libsqlite3-dev (the embedded event store), liblz4-dev (payload compression), pkg-config.
set -euo pipefail
needed=(libsqlite3-dev liblz4-dev pkg-config)
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "koki: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
