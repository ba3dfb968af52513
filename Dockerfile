# syntax=docker/dockerfile:1
# openclaw-lite gateway image (amd64 and arm64).
#
# The build stage runs on the builder's own platform: its output (dist/) is plain
# JavaScript with every dependency bundled, so one build serves every target and a
# cross-build (buildx --platform linux/arm64) never runs npm under emulation.
# The runtime stage holds Node, tini and dist/, plus one native module (ngrok, for tunnels).

# The Node version is the one in .node-version (a test keeps them equal).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
# build.mjs imports its sibling .mjs files, and builds the Control UI from ui/ too.
COPY scripts/ scripts/
COPY src/ src/
COPY ui/ ui/
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to the gateway (which stops within 5 s and exits 0)
# and reaps zombies; Node itself is not written to be PID 1.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
# The V8 compile cache (enabled by dist/index.js) lives on the volume too, so a restart
# skips recompiling the bundle and nothing is written outside /data.
ENV NODE_ENV=production \
  OPENCLAW_STATE_DIR=/data \
  NODE_COMPILE_CACHE=/data/.cache/node-compile-cache
WORKDIR /app
# package.json gives dist/*.js their module type ("type": "module") and the version.
COPY package.json ./
COPY --from=build /src/dist/ dist/
# The one native module, the official ngrok library for voice-call tunnels: installed here,
# on the target platform, so npm picks that platform's prebuilt binary. Loaded only when
# plugins.entries["voice-call"].config.tunnel.provider is "ngrok".
# (In an empty folder: next to package.json, npm would install every dependency.)
RUN mkdir /tmp/ngrok && cd /tmp/ngrok \
  && npm install --no-save --no-package-lock --omit=dev --no-audit --no-fund @ngrok/ngrok@1.7.0 \
  && mv node_modules /app/node_modules && cd / && rm -rf /tmp/ngrok /root/.npm
# /data is the only place the gateway writes (config, lock, logs, sessions); mount a volume here.
# `openclaw` on PATH for `fly ssh console -u node -C "openclaw config set …"` and `docker exec`;
# it defaults the state dir to /data in case a shell session lacks the image's env.
RUN mkdir -p /data && chown node:node /data \
  && printf '#!/bin/sh\nexport OPENCLAW_STATE_DIR="${OPENCLAW_STATE_DIR:-/data}"\nexec node /app/dist/index.js "$@"\n' \
    > /usr/local/bin/openclaw \
  && chmod 755 /usr/local/bin/openclaw
VOLUME ["/data"]
USER node
EXPOSE 3000
# Liveness like Fly's check; slim images have no curl, so Node's fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/index.js", "gateway", "--allow-unconfigured", "--port", "3000", "--bind", "lan"]
