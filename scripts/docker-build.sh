#!/usr/bin/env bash
# Builds the gateway image and smoke-tests it like Fly.io would: start with a token and
# a /data volume, wait for the HEALTHCHECK to pass, check GET /healthz, stop with
# SIGTERM and expect exit code 0 within 10 s. Prints the image size.
#
# Needs a Docker engine (`docker info` must work). Usage:
#   scripts/docker-build.sh                  # build for this machine, tag openclaw-lite:local, smoke test
#   IMAGE=me/openclaw:dev scripts/docker-build.sh
#   PLATFORMS=linux/amd64,linux/arm64 scripts/docker-build.sh   # multi-arch build check only (buildx)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${IMAGE:-openclaw-lite:local}"
port="${PORT:-3000}"

if ! docker info >/dev/null 2>&1; then
  echo "docker-build.sh: no Docker engine reachable (\`docker info\` failed); run this where Docker runs" >&2
  exit 2
fi

if [ -n "${PLATFORMS:-}" ]; then
  # A multi-platform result cannot be loaded into the local image store; this proves it builds.
  docker buildx build --platform "$PLATFORMS" -t "$image" "$root"
  exit 0
fi

docker build -t "$image" "$root"
size=$(docker image inspect --format '{{.Size}}' "$image")
echo "image $image: $((size / 1024 / 1024)) MB ($size bytes)"

name="openclaw-smoke-$$"
volume="openclaw-smoke-data-$$"
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT

docker run -d --name "$name" -p "127.0.0.1:$port:3000" -v "$volume:/data" \
  -e OPENCLAW_GATEWAY_TOKEN="smoke-$(date +%s)-$$" "$image" >/dev/null

status=""
for _ in $(seq 1 60); do
  status=$(docker inspect --format '{{.State.Health.Status}}' "$name")
  [ "$status" = healthy ] && break
  [ "$(docker inspect --format '{{.State.Running}}' "$name")" = true ] || break
  sleep 1
done
docker logs "$name"
if [ "$status" != healthy ]; then
  echo "docker-build.sh: container did not become healthy (status: ${status:-none})" >&2
  exit 1
fi
docker logs "$name" 2>&1 | grep -q '^\[gateway\] listening on ws://0.0.0.0:3000 (PID [0-9]*)$' || {
  echo "docker-build.sh: no '[gateway] listening on ws://0.0.0.0:3000 (PID …)' line" >&2
  exit 1
}
body=$(docker exec "$name" node -e "fetch('http://127.0.0.1:3000/healthz').then((r) => r.text()).then(console.log)")
echo "GET /healthz -> $body"
[ "$body" = '{"ok":true,"status":"live"}' ] || exit 1
docker exec "$name" openclaw health
echo "user: $(docker exec "$name" id -un); writable outside /data: $(docker exec "$name" sh -c 'touch /app/x 2>/dev/null && echo yes || echo no')"
echo "memory: $(docker stats --no-stream --format '{{.MemUsage}}' "$name")"

start=$(date +%s)
docker stop --time 10 "$name" >/dev/null
code=$(docker inspect --format '{{.State.ExitCode}}' "$name")
echo "stopped in $(($(date +%s) - start)) s with exit code $code"
[ "$code" = 0 ]
echo "docker-build.sh: OK"
