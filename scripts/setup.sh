#!/usr/bin/env bash
# Sets up everything Tidu needs on a Debian machine; safe to re-run (fast when nothing is missing).
#   scripts/setup.sh run    packages to serve the platform
#   scripts/setup.sh test   plus what the test suite needs (Chromium, poppler-utils, dev dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1

say() { printf '\033[1;34m[tidu]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[tidu]\033[0m %s\n' "$*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------------------
packages=(fonts-noto-cjk libharfbuzz-subset0)
[ "$mode" = test ] && packages+=(poppler-utils chromium)
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ "$mode" = test ] && [[ " ${missing[*]} " == *" chromium "* ]]; then
    die "missing Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}"
  else
    say "warning: missing Debian packages: ${missing[*]} (Chinese fonts / fast PDFs). Run: sudo apt-get install -y ${missing[*]}"
  fi
fi

# --- Python >= 3.12, never downloaded ---------------------------------------------------------------
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }
find_python() {
  if [ -n "${TIDU_PYTHON:-}" ] && ok "$TIDU_PYTHON"; then echo "$TIDU_PYTHON"; return; fi
  for name in python3.14 python3.13 python3.12 python3; do
    for cand in $(type -ap "$name" 2>/dev/null); do
      # pyenv shims fail when the selected version lacks the command; test what actually runs
      ok "$cand" && { echo "$cand"; return; }
    done
  done
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 \
              /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] /opt/python*/bin/python3; do
    [ -x "$cand" ] && ok "$cand" && { echo "$cand"; return; }
  done
  return 1
}
PY=$(find_python) || die "Python 3.12 or newer is needed and none was found. Install it, e.g. 'sudo apt-get install python3.12 python3.12-venv' (Debian 13), or set TIDU_PYTHON=/path/to/python3.12."

# --- uv (from PyPI when not installed) -------------------------------------------------------------
UV=$(command -v uv || true)
if [ -z "$UV" ]; then
  UV=var/bootstrap/bin/uv
  if [ ! -x "$UV" ]; then
    say "installing uv into var/bootstrap (from PyPI)"
    mkdir -p var && "$PY" -m venv var/bootstrap && var/bootstrap/bin/pip install -q uv
  fi
fi

# --compile-bytecode: the packages' .pyc are written once here. Where PYTHONDONTWRITEBYTECODE is set (as on CI),
# nothing else writes them, and every process (the server, the worker, each test worker and subprocess) would
# compile Django, NumPy and the rest from source again: ~3 s of CPU each, ~1 s with the cache.
if [ "$mode" = test ]; then
  "$UV" sync --frozen --python "$PY" --quiet --compile-bytecode
else
  "$UV" sync --frozen --python "$PY" --no-dev --inexact --quiet --compile-bytecode
fi
say "environment ready: $(.venv/bin/python --version) in .venv"
