#!/bin/sh
# Entry point of `npm run demo|stack|test`: installs the npm dependencies when they are missing or
# older than the lockfile, then runs the given TypeScript script with tsx. Everything else the
# scripts need (Temporal CLI, Postgres cluster) they set up themselves.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node_modules/.bin/tsx "$@"
