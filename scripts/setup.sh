#!/usr/bin/env bash
# Sets up a fresh machine for this repo: pnpm (from the npm registry; Corepack cannot fetch it here),
# the system packages the tests use (Chromium for browser tests, redis-server for the Redis store,
# the PostgreSQL server for the ledger: the tests create throw-away clusters with its initdb,
# a Korean font for the pages Chromium renders),
# the workspace dependencies from the lockfile, and a build of every package.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm install --global "pnpm@$PNPM_VERSION" --no-fund --no-audit
fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# Debian puts initdb under /usr/lib/postgresql/<version>/bin, not on the PATH.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
# A Korean font, so the pages (and the browser tests' screenshots) show Hangul instead of boxes.
[ -n "$(fc-list :lang=ko 2>/dev/null)" ] || need+=(fontconfig fonts-nanum)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} (Debian: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

pnpm install --frozen-lockfile
pnpm build
