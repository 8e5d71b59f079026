#!/usr/bin/env bash
# Installs what this machine lacks, and nothing else; safe to run again and again.
#   apt:  chromium (browser tests), prometheus + promtool (metrics tests),
#         kubernetes-client for `kubectl kustomize` (only if no kubectl is on PATH)
#   uv:   from PyPI if missing; then the workspace from the one lock file
#   npm:  the web app's dependencies from its lock file (when web/ exists)
# Fails loudly (non-zero exit and a message) when something cannot be installed.
set -euo pipefail
export UV_PYTHON_DOWNLOADS=never
cd "$(dirname "$0")/.."

fail() { echo "bootstrap: FAILED: $*" >&2; exit 1; }

APT_PACKAGES=(chromium prometheus)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v kubectl >/dev/null || missing+=(kubernetes-client)
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "need root (or sudo) to apt-get install ${missing[*]}"
    SUDO="sudo"
  fi
  echo "bootstrap: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null || fail "apt-get install ${missing[*]}"
fi
for tool in /usr/bin/chromium promtool prometheus kubectl; do
  command -v "$tool" >/dev/null || fail "$tool missing after install"
done

PY=$(command -v python3.11 || command -v python3) || fail "python3.11 not found"
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || fail "Python 3.11 is required (found $("$PY" --version))"
if ! command -v uv >/dev/null && ! "$PY" -m uv --version >/dev/null 2>&1; then
  echo "bootstrap: installing uv from PyPI"
  "$PY" -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1" || fail "pip install uv"
fi
UV="uv"; command -v uv >/dev/null || UV="$PY -m uv"
$UV sync --all-packages --frozen --quiet || fail "uv sync (is uv.lock up to date?)"

if [ -f web/package-lock.json ]; then
  command -v npm >/dev/null || fail "npm missing (Node 20 expected)"
  stamp=web/node_modules/.restock-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s web/package-lock.json "$stamp"; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci"
    cp web/package-lock.json "$stamp"
  fi
fi
echo "bootstrap: ok"
