#!/usr/bin/env bash
# Install dpo-docs into the project's virtual environment from a lock file, so every
# machine renders with the same package versions (the same bytes from the same inputs).
#   tools/install.sh requirements.lock       what the builds need (make briefing)
#   tools/install.sh requirements-dev.lock   and the tools the tests use (make test)
# uv installs when it is on the PATH or can be installed into the environment from
# PyPI (seconds instead of half a minute); pip does the same work otherwise.
set -euo pipefail
lock=${1:?usage: tools/install.sh LOCK_FILE}
venv=${VENV:-.venv}
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
  # No pip inside at first: uv installs, and pip is added only if uv cannot be had.
  "$python" -m venv --without-pip "$venv" || {
    echo "cannot create a virtual environment; on Debian: sudo apt-get install -y python3-venv" >&2
    exit 1
  }
fi
uv=$(command -v uv || true)
if [ -z "$uv" ] && [ ! -x "$venv/bin/uv" ]; then
  # The interpreter's own pip puts uv into the environment; else the environment's pip.
  quiet=(-q --disable-pip-version-check)
  "$python" -m pip --python "$venv/bin/python" install "${quiet[@]}" uv >/dev/null 2>&1 \
    || { "$venv/bin/python" -m ensurepip -q >/dev/null 2>&1 && "$venv/bin/python" -m pip install "${quiet[@]}" uv >/dev/null 2>&1; } \
    || true
fi
if [ -z "$uv" ] && [ -x "$venv/bin/uv" ]; then
  uv=$venv/bin/uv
fi
if [ -n "$uv" ]; then
  "$uv" pip install -q --python "$venv/bin/python" -r "$lock"
  "$uv" pip install -q --python "$venv/bin/python" --no-deps -e .
else
  "$venv/bin/python" -m pip --version >/dev/null 2>&1 || "$venv/bin/python" -m ensurepip -q
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$lock"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
fi
