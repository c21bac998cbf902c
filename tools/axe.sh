#!/usr/bin/env bash
# Vendor axe-core (the accessibility rules the browser tests run) into the virtual
# environment at install time, from the npm registry, at a pinned version. Pages never
# fetch it: the tests inject this file into the page they check.
#   tools/axe.sh DEST_DIR
set -euo pipefail
version=4.11.0
dest=${1:?usage: tools/axe.sh DEST_DIR}
if [ -s "$dest/axe.min.js" ] && grep -q "axe v$version" "$dest/axe.min.js"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "axe.sh: npm is needed to fetch axe-core $version (on Debian: sudo apt-get install -y npm)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# npm checks the tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$work/axe-core-$version.tgz" -C "$work" package/axe.min.js package/LICENSE
mkdir -p "$dest"
cp "$work/package/LICENSE" "$dest/LICENSE"
cp "$work/package/axe.min.js" "$dest/axe.min.js.tmp"
mv "$dest/axe.min.js.tmp" "$dest/axe.min.js"
