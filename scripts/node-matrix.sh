#!/usr/bin/env bash
# Runs the unit tests, the provider tests and the built gateway's start/health/agent E2E on
# other Node versions than the pinned one (.node-version), to prove the range the product
# supports (package.json engines: >=22.12). Needs a build (npm run build) and node_modules.
#
#   scripts/node-matrix.sh 22.12.0             # must pass: a failure exits 1
#   scripts/node-matrix.sh --advisory 24       # newest Node 24 of today: reported, never fails
#   scripts/node-matrix.sh 22.12.0 --advisory 24
#
# A bare major ("24") is resolved on the registry at run time, so its result can change from
# one day to the next: that is why .ci/run runs it as advisory (a clean clone must give the same
# result next month), and why a failure there prints a warning naming the version to look at.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pinned="v$(tr -d ' \t\r\n' <.node-version)"
suites=(src test/providers test/e2e/gateway-start.test.ts test/e2e/agent.e2e.test.ts)
[ -f dist/index.js ] || { echo "node-matrix: no dist/index.js; run npm run build first" >&2; exit 2; }

failed=0
advisory=0
seen=" $pinned "
for arg in "$@"; do
  if [ "$arg" = "--advisory" ]; then advisory=1; continue; fi
  bin="$(bash scripts/node24.sh --version "$arg")" || { echo "node-matrix: could not install Node $arg" >&2; failed=1; continue; }
  version="$("$bin/node" --version)"
  if [[ "$seen" == *" $version "* ]]; then
    echo "node-matrix: Node $arg is $version, already covered (the pinned version or an earlier run)"
    advisory=0
    continue
  fi
  seen="$seen$version "
  kind=required
  [ $advisory = 1 ] && kind=advisory
  echo "node-matrix: Node $version (asked: $arg, $kind): ${suites[*]}"
  start=$(date +%s)
  # Node 22.12 has node:sqlite only behind a flag (the built CLI adds it itself; test workers need it too).
  flags=""
  "$bin/node" -e 'process.exit(process.getBuiltinModule("node:sqlite") ? 0 : 1)' 2>/dev/null || flags="--experimental-sqlite"
  if NODE_OPTIONS="${NODE_OPTIONS:-} $flags" "$bin/node" node_modules/vitest/vitest.mjs run --reporter=dot "${suites[@]}" >".node24/matrix-$version.log" 2>&1; then
    echo "node-matrix: Node $version ok in $(( $(date +%s) - start )) s ($(grep -Eo '[0-9]+ passed' ".node24/matrix-$version.log" | tail -1))"
  else
    tail -40 ".node24/matrix-$version.log" | sed "s/^/  [$version] /" | grep -Ev '^\s*\[[^]]*\]\s*tests: ' || true
    if [ $advisory = 1 ]; then
      echo "node-matrix: WARNING: the newest Node ($version) fails these tests (full log: .node24/matrix-$version.log); users on it may be affected; not failing the run because this version is not pinned" >&2
    else
      echo "node-matrix: Node $version FAILED (full log: .node24/matrix-$version.log)" >&2
      failed=1
    fi
  fi
  advisory=0
done
exit $failed
