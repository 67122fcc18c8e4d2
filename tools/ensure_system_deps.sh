#!/usr/bin/env bash
# Installs the Debian packages the Airflow runtime needs to build its providers:
# the mysql provider compiles `mysqlclient`, which needs default-libmysqlclient-dev and pkg-config.
set -euo pipefail
needed=(default-libmysqlclient-dev pkg-config)
missing=()
for p in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "error: need root or sudo to install ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
