#!/usr/bin/env bash
# Debian packages the tests drive: chromium (browser tests through Playwright) and
# poppler-utils (pdftoppm/pdftotext for the PDF tests) and faketime (the suite's second run at a far date). Installs only what is missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
# a CJK face for chromium, so screenshots and browser tests draw Chinese as it is read
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${need[@]}"
