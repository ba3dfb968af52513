// bench/peer/openclaw-run: drives the real OpenClaw (installed by install-openclaw.mjs) on a
// given state dir against the fake Anthropic model on loopback: start, send some messages,
// read back what it lists, stop. Used to generate test fixtures and to check that a state
// dir we exported is picked up by OpenClaw (scripts/openclaw-fixtures.mjs, bench/sessions-roundtrip.mjs).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadFake } from "../lib.mjs";
import { connectClient, freePort, spawnUntilAccept } from "./harness.mjs";
import { ensureOpenClaw } from "./install-openclaw.mjs";

const TOKEN = "openclaw-fixture-token";
const MODEL_ID = "claude-sonnet-4-5";

/**
 * Runs OpenClaw on `stateDir`; sends `messages` ([{ sessionKey, text }]) one by one,
 * then calls `sessions.list` and `chat.history` of `historyOf` (session keys).
 * Resolves { sessions, histories, output }.
 */
export async function runOpenClaw({ stateDir, messages = [], historyOf = [], log = () => {}, peerDir }) {
  const install = await ensureOpenClaw({ ...(peerDir ? { dir: peerDir } : {}), log });
  if (!install.ok) throw new Error(`OpenClaw is not installed: ${install.reason}`);
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const model = await startFakeAnthropic();
  model.setDefault({ text: "ok from the fake model", usage: { input: 12, output: 5 } });
  const port = await freePort();
  writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify(
      {
        gateway: { mode: "local", bind: "loopback", port },
        models: {
          providers: {
            anthropic: {
              baseUrl: model.url,
              api: "anthropic-messages",
              apiKey: "sk-fixture",
              models: [
                { id: MODEL_ID, name: "fake", input: ["text"], contextWindow: 200000, maxTokens: 8192 },
              ],
            },
          },
        },
        agents: { defaults: { model: { primary: `anthropic/${MODEL_ID}` } } },
      },
      null,
      2,
    ),
  );
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-fixture",
    NO_COLOR: "1",
  };
  const args = [
    install.entry,
    "gateway",
    "--allow-unconfigured",
    "--port",
    String(port),
    "--bind",
    "loopback",
  ];
  const handle = await spawnUntilAccept(install.node, args, { env, port, timeoutMs: 180_000 });
  try {
    const client = await connectClient(`ws://127.0.0.1:${port}`, TOKEN, { id: "cli", mode: "cli" });
    let seq = 0;
    for (const { sessionKey, text } of messages) {
      const state = await client.chat(sessionKey, text, `fixture-${seq++}-${Date.now()}`);
      log(`${sessionKey}: ${state}`);
    }
    const sessions = await client.request("sessions.list", {});
    const histories = {};
    for (const key of historyOf) histories[key] = await client.request("chat.history", { sessionKey: key });
    client.close?.();
    return { sessions, histories, output: handle.output() };
  } finally {
    await handle.stop();
    await model.close?.();
  }
}
