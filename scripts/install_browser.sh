#!/usr/bin/env bash
# Debian's Chromium and a Chinese font for the browser tests and screenshots (no browser download:
# Playwright drives /usr/bin/chromium). Without the font every Chinese character is an empty box.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk" || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Browser tests need: ${need[*]} (sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
}
