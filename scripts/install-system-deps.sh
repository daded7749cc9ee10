#!/usr/bin/env bash
# Debian packages the tests drive: chromium (browser tests through Playwright) and
# poppler-utils (pdftoppm/pdftotext for the PDF tests) and faketime (the suite's second run at a far date),
# and node with npm for the local OpenID Connect provider the sign-in tests start (tests/oidc, whose
# node modules are then installed from its package-lock.json with `npm ci`). Installs only what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v faketime >/dev/null 2>&1 || need+=(faketime)
# a CJK face for chromium, so screenshots and browser tests draw Chinese as it is read
fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || need+=(fonts-noto-cjk)  # no -q: under pipefail an early exit of grep fails fc-list (SIGPIPE)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi
# the OIDC mock (oauth2-mock-server, pinned in tests/oidc/package-lock.json), from npm's configured registry
if [ ! -d "$root/tests/oidc/node_modules/oauth2-mock-server" ]; then
  echo "installing: tests/oidc node modules (npm ci)"
  npm ci --prefix "$root/tests/oidc" --no-audit --no-fund
fi
