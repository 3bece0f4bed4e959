#!/bin/sh
# Entry point of `npm run demo|stack|test`: installs the npm dependencies when they are missing or
# older than the lockfile, then runs the given TypeScript script with tsx. Everything else the
# scripts need (Temporal CLI, Postgres cluster) they set up themselves.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies ..." >&2
  # npm install, not npm ci: the lockfile pins every version, but optional native packages for
  # other platforms may be missing from it (registries that serve only this platform's builds),
  # and npm ci refuses such a lockfile while npm install installs the same tree.
  npm install --no-audit --no-fund --loglevel=error
fi
# node with tsx's loader, not the tsx CLI: that one is a second process which relays each signal
# to the script (again when the script does not answer within 30 ms, then SIGKILLs it), so a
# Ctrl-C could kill the script half-way through stopping what it started. exec: no shell between
# npm and the script either.
exec node --import tsx "$@"
