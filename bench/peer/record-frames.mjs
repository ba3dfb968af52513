// bench/peer/record-frames: records the real OpenClaw's gateway frames, as its own clients
// (its CLI, its Control UI in Chromium) exchange them, through a logging WebSocket proxy,
// and writes them as contract fixtures: test/fixtures/openclaw-frames/<flow>.json.
//   node bench/peer/record-frames.mjs [--peer-dir <folder>] [--only <flow>] [--target ours]
//     [--out <dir>] [--serve]
// Needs OpenClaw installed (bench/peer/install-openclaw.mjs) and a build (`npm run build`).
// `--target ours` records against our gateway instead (to compare by hand); `--serve`
// starts the gateway and the proxy and waits (for exploring with OpenClaw's CLI).
// Everything on loopback; every spawned process runs in its own group, killed at the end.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { driveControlUi } from "./control-ui.mjs";
import { startGatewayPair } from "./gateways.mjs";
import { firstOfEach, normaliseFrames, normaliseValue } from "./normalise.mjs";
import { runOpenClawCli } from "./openclaw-cli.mjs";
import { startFrameProxy } from "./proxy.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function parseOptions(argv) {
  const opts = { "peer-dir": "", only: "", target: "openclaw", out: "", serve: false };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in opts)) throw new Error(`unknown option --${key}; known: ${Object.keys(opts).join(", ")}`);
    if (typeof opts[key] === "boolean") opts[key] = true;
    else opts[key] = argv[++i];
  }
  return opts;
}

/** Methods whose recorded request is replayed by `gateway call` (params as OpenClaw's UI sends them). */
export const CALL_FLOWS = {
  "agents.list": {},
  "agent.identity.get": { agentId: "main" },
  health: {},
  status: {},
  "system-presence": {},
  "sessions.list": { includeGlobal: true, includeUnknown: false, limit: 50 },
  "sessions.subscribe": {},
  "sessions.messages.subscribe": { key: "agent:main:main" },
  "sessions.preview": { keys: ["agent:main:main"], limit: 12, maxChars: 240 },
  "sessions.create": { agentId: "main", label: "recorded" },
  "sessions.patch": { key: "agent:main:main", label: "patched" },
  "sessions.compact": { key: "agent:main:main" },
  "chat.history": { sessionKey: "agent:main:main", limit: 200 },
  "chat.startup": { sessionKey: "agent:main:main" },
  "chat.metadata": { sessionKey: "agent:main:main" },
  "channels.status": { probe: false },
  "config.get": {},
  "config.schema.lookup": { path: "gateway" },
  "logs.tail": { limit: 20 },
  "models.list": {},
  "models.authStatus": {},
};

/** CLI flows: the argv OpenClaw's CLI is run with (gateway URL and token from the environment). */
export const CLI_FLOWS = {
  "cli-agent": ["agent", "--message", "hi", "--json"],
  "cli-agent-main": ["agent", "--agent", "main", "--message", "hi", "--json"],
  "cli-models-list": ["models", "list", "--json"],
  "cli-health": ["health", "--json"],
  "cli-status": ["status", "--json"],
  "cli-logs": ["logs", "--json", "--limit", "5"],
  "cli-channels-status": ["channels", "status", "--json"],
  "cli-cron-list": ["cron", "list", "--json"],
};

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const outDir = opts.out || path.join(root, "test/fixtures/openclaw-frames");
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), "h20p-record-"));
  const log = (m) => console.error(`[record] ${m}`);
  const pair = await startGatewayPair({ work, targets: [opts.target], peerDir: opts["peer-dir"], log });
  const gw = pair.gateways[opts.target];
  const proxy = await startFrameProxy(gw.wsUrl);
  log(`${opts.target} gateway on ${gw.wsUrl}, proxy on ${proxy.url}`);
  try {
    if (opts.serve) {
      log(`serving; OPENCLAW_GATEWAY_URL=${proxy.url} OPENCLAW_GATEWAY_TOKEN=${pair.token}; Ctrl-C ends`);
      proxy.onFrame((f) => log(JSON.stringify(f).slice(0, 400)));
      await new Promise(() => {});
    }
    // OpenClaw refuses connects (UNAVAILABLE, retryable) until its sidecars are up: wait that out unrecorded.
    await runOpenClawCli(pair, proxy.url, ["health", "--json"], work);
    const wanted = (flow) => !opts.only || opts.only === flow;
    const save = (flow, client, frames, extra = {}) => {
      const file = path.join(outDir, `${flow}.json`);
      const fixture = firstOfEach({
        flow,
        client,
        recordedFrom: `openclaw ${pair.peerVersion}`,
        target: opts.target,
        ...extra,
        ...normaliseFrames(frames, work),
      });
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      log(
        `${flow}: ${fixture.exchanges.length} exchanges, ${fixture.events.length} events → ${path.relative(root, file)}`,
      );
    };
    for (const [flow, argv] of Object.entries(CLI_FLOWS)) {
      if (!wanted(flow)) continue;
      const frames = await proxy.capture(() => runOpenClawCli(pair, proxy.url, argv, work));
      save(flow, "cli", frames.frames, { argv, exitCode: frames.result.code });
    }
    for (const [method, params] of Object.entries(CALL_FLOWS)) {
      const flow = `call-${method}`;
      if (!wanted(flow)) continue;
      const argv = ["gateway", "call", method, "--params", JSON.stringify(params), "--json"];
      const frames = await proxy.capture(() => runOpenClawCli(pair, proxy.url, argv, work));
      save(flow, "cli", frames.frames, { argv, exitCode: frames.result.code });
    }
    if (wanted("http-routes")) {
      // The Control UI's HTTP side: its runtime settings (token-gated) and the startup probe.
      const routes = {};
      for (const route of ["/control-ui-config.json", "/startupz"]) {
        const res = await fetch(`${gw.httpUrl}${route}`, {
          headers: { authorization: `Bearer ${pair.token}`, accept: "application/json" },
        });
        const text = await res.text();
        let body = text;
        try {
          body = JSON.parse(text);
        } catch {}
        routes[route] = { status: res.status, body };
      }
      const file = path.join(outDir, "http-routes.json");
      writeFileSync(
        file,
        `${JSON.stringify({ flow: "http-routes", recordedFrom: `openclaw ${pair.peerVersion}`, target: opts.target, routes: normaliseValue(routes, work) }, null, 2)}\n`,
      );
      log(`http-routes → ${path.relative(root, file)}`);
    }
    if (wanted("control-ui")) {
      const frames = await proxy.capture(() =>
        driveControlUi({ pair, proxyUrl: proxy.url, gateway: gw, log }),
      );
      const { pages, reply, pageErrors, unknownMethods, http404 } = frames.result;
      save("control-ui", "openclaw-control-ui", frames.frames, {
        pages,
        reply,
        pageErrors,
        unknownMethods,
        http404,
      });
    }
  } finally {
    await proxy.close();
    await pair.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
