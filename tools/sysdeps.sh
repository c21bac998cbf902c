#!/usr/bin/env bash
# Make sure the Debian packages a build (and, with "test", the test suite) needs are
# installed. As root it installs what is missing; otherwise it prints the command.
set -euo pipefail

# libfribidi0: Pillow's wheels carry libraqm and HarfBuzz but load FriBiDi at run time,
# and the charts are shaped through them (a Pillow built from source also needs libraqm0).
runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfribidi0)
# chromium: the web edition's browser tests drive Debian's build (never a downloaded one),
# unless DPO_DOCS_CHROMIUM names a browser already there (Ubuntu's "chromium" is a snap
# shim; GitHub's Ubuntu runners carry Google Chrome).
testing=(poppler-utils qpdf libreoffice-writer-nogui)
if [ -z "${DPO_DOCS_CHROMIUM:-}" ] || [ ! -x "${DPO_DOCS_CHROMIUM}" ]; then
  testing+=(chromium)
fi

wanted=("${runtime[@]}")
for group in "$@"; do
  if [ "$group" = test ]; then
    wanted+=("${testing[@]}")
    # npm fetches axe-core (tools/axe.sh); a Node.js installed otherwise brings its own.
    command -v npm >/dev/null 2>&1 || wanted+=(npm)
  fi
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "sysdeps: not a Debian-like system; install the equivalents of: ${wanted[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "sysdeps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "sysdeps: missing system packages; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
