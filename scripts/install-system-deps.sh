#!/usr/bin/env bash
# Debian packages the app and its tests need: a Japanese font and HarfBuzz's subsetter for WeasyPrint,
# poppler-utils to read PDFs back in tests, chromium (and node/npm for axe-core) to check the pages people look at. Installs only what is missing.
set -euo pipefail
PACKAGES=(fonts-ipaexfont libharfbuzz-subset0 poppler-utils chromium)
# node and npm may come from elsewhere (e.g. NodeSource, whose nodejs bundles npm): Debian's only when absent
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# axe-core and playwright-core (no browser download: Debian's chromium is driven) for the accessibility checks,
# @xapi/cmi5 for the cmi5 AU run in the browser (its browser build is shipped in course_content/)
HERE="$(cd "$(dirname "$0")/.." && pwd)"
missing_npm=0
for module in axe-core playwright-core @xapi/cmi5; do
  [ -d "$HERE/tests/browser/node_modules/$module" ] || missing_npm=1
done
if [ "$missing_npm" -eq 1 ]; then
  echo "Installing the browser checks' npm packages (tests/browser/package-lock.json)"
  (cd "$HERE/tests/browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
fi
