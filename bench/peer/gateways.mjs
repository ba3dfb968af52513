// Starts our gateway and/or the real OpenClaw on loopback, both on the same fake Anthropic
// model (test/fakes/anthropic.ts) and the same token, for the client-compatibility benches.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFake } from "../lib.mjs";
import { freePort, spawnUntilAccept } from "./harness.mjs";
import { DEFAULT_DIR, ensureOpenClaw, findNode24 } from "./install-openclaw.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TOKEN = "peer-clients-token-0123456789";
export const MODEL_ID = "claude-sonnet-4-5";
export const FAKE_REPLY = "ok from the fake model";
/** The main checkout's install, shared by worktrees (read-only use: never written to here). */
const MAIN_PEER_DIR = "/work/main/node_modules/.cache/openclaw-peer";

export function peerDirOf(option) {
  if (option) return option;
  if (existsSync(path.join(DEFAULT_DIR, "node_modules/openclaw"))) return DEFAULT_DIR;
  return MAIN_PEER_DIR;
}

function oursConfig(port, modelUrl) {
  return {
    gateway: { mode: "local", port },
    models: { providers: { anthropic: { baseUrl: modelUrl } } },
    agents: { defaults: { model: { primary: `anthropic/${MODEL_ID}` } } },
  };
}

function peerConfig(port, modelUrl) {
  return {
    gateway: { mode: "local", bind: "loopback", port, controlUi: { allowInsecureAuth: true } },
    models: {
      providers: {
        anthropic: {
          baseUrl: modelUrl,
          api: "anthropic-messages",
          apiKey: "sk-peer",
          models: [{ id: MODEL_ID, name: "fake", input: ["text"], contextWindow: 200000, maxTokens: 8192 }],
        },
      },
    },
    agents: { defaults: { model: { primary: `anthropic/${MODEL_ID}` } } },
  };
}

/** Starts the fake model and each of `targets` ("ours", "openclaw"); `stop()` ends them all. */
export async function startGatewayPair({ work, targets, peerDir, log = () => {} }) {
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const model = await startFakeAnthropic();
  model.setDefault({ text: FAKE_REPLY, usage: { input: 12, output: 5 } });
  const dir = peerDirOf(peerDir);
  // Use an install, never make one here: the folder may be shared (install-openclaw.mjs installs).
  if (!existsSync(path.join(dir, "node_modules/openclaw/openclaw.mjs"))) {
    throw new Error(
      `no OpenClaw in ${dir}: run node bench/peer/install-openclaw.mjs first (or pass --peer-dir)`,
    );
  }
  const install = await ensureOpenClaw({ dir, log });
  if (!install.ok) throw new Error(`OpenClaw is not installed: ${install.reason}`);
  const node = await findNode24();
  const gateways = {};
  for (const name of targets) {
    const stateDir = path.join(work, `${name}-state`);
    mkdirSync(stateDir, { recursive: true });
    const port = await freePort();
    const config = name === "ours" ? oursConfig(port, model.url) : peerConfig(port, model.url);
    writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
    const entry = name === "ours" ? path.join(root, "dist/index.js") : install.entry;
    const args = [entry, "gateway", "--allow-unconfigured", "--port", String(port), "--bind", "loopback"];
    const env = {
      ...process.env,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_CONFIG_PATH: path.join(stateDir, "openclaw.json"),
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      ANTHROPIC_API_KEY: "sk-peer",
      NO_COLOR: "1",
    };
    log(`starting ${name} on ${port}`);
    const handle = await spawnUntilAccept(node, args, { env, cwd: work, port, timeoutMs: 180_000 });
    gateways[name] = {
      name,
      port,
      stateDir,
      handle,
      wsUrl: `ws://127.0.0.1:${port}`,
      httpUrl: `http://127.0.0.1:${port}`,
    };
  }
  return {
    token: TOKEN,
    node,
    install,
    peerVersion: install.version,
    model,
    gateways,
    async stop() {
      for (const gw of Object.values(gateways)) await gw.handle.stop();
      await model.close?.();
    },
  };
}
