// bench/peer/sessions-roundtrip: switching between ours and the real OpenClaw 2026.9.6, both ways,
// on one state dir (slow, downloads OpenClaw once; not part of `npm test`).
//   node bench/peer/sessions-roundtrip.mjs [--peer-dir <dir>]
// 1. ours writes two sessions; `openclaw sessions export --format openclaw`;
// 2. OpenClaw starts on that dir: it must list both sessions with their history;
// 3. ours again on the same dir (OpenClaw has moved our sessions.json and JSONL into its archive
//    folder): it must still list both sessions with their full history;
// 4. OpenClaw once more: it must start (no "maintenance required" after ours ran there).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadFake } from "../lib.mjs";
import { connectClient, freePort, spawnUntilAccept } from "./harness.mjs";
import { runOpenClaw } from "./openclaw-run.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(root, "dist/index.js");
const { values: opts } = parseArgs({ options: { "peer-dir": { type: "string" } } });
const log = (m) => process.stderr.write(`${m}\n`);
const state = mkdtempSync(path.join(os.tmpdir(), "roundtrip-"));
const env = {
  ...process.env,
  OPENCLAW_STATE_DIR: state,
  OPENCLAW_GATEWAY_TOKEN: "t",
  ANTHROPIC_API_KEY: "sk",
};
const KEYS = ["agent:main:main", "agent:main:roundtrip-two"];

async function ours(messages) {
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const model = await startFakeAnthropic();
  model.setDefault({ text: "answer from ours", usage: { input: 5, output: 2 } });
  const port = await freePort();
  writeFileSync(
    path.join(state, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local", port },
      models: { providers: { anthropic: { baseUrl: model.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    }),
  );
  const handle = await spawnUntilAccept(process.execPath, [cli, "gateway", "--port", String(port)], {
    env,
    port,
  });
  try {
    const client = await connectClient(`ws://127.0.0.1:${port}`, "t", { id: "cli", mode: "cli" });
    let seq = 0;
    for (const { sessionKey, text } of messages)
      await client.chat(sessionKey, text, `rt-${Date.now()}-${seq++}`);
    const list = await client.request("sessions.list", {});
    const histories = {};
    for (const key of KEYS) histories[key] = await client.request("chat.history", { sessionKey: key });
    client.close();
    return { list, histories };
  } finally {
    await handle.stop();
    await model.close();
  }
}

const userTexts = (h) =>
  (h?.messages ?? [])
    .filter((m) => m.role === "user")
    .map((m) => (typeof m.content === "string" ? m.content : m.content?.[0]?.text));
function check(what, ok, detail) {
  log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: ${JSON.stringify(detail).slice(0, 600)}`}`);
  if (!ok) process.exitCode = 1;
}

await ours([
  { sessionKey: "main", text: "first from ours" },
  { sessionKey: "roundtrip-two", text: "second session from ours" },
]);
log(
  execFileSync(process.execPath, [cli, "sessions", "export", "--format", "openclaw"], { env })
    .toString()
    .trim(),
);

const peer = await runOpenClaw({ stateDir: state, historyOf: KEYS, log, peerDir: opts["peer-dir"] });
const peerKeys = (peer.sessions.sessions ?? []).map((s) => s.key);
check(
  "OpenClaw lists our sessions after the export",
  KEYS.every((k) => peerKeys.includes(k)),
  peerKeys,
);
check(
  "OpenClaw shows our history",
  userTexts(peer.histories[KEYS[0]]).includes("first from ours"),
  peer.histories[KEYS[0]],
);

const back = await ours([{ sessionKey: "main", text: "back on ours" }]);
check("ours lists both sessions after OpenClaw ran", back.list.totalCount === 2, back.list);
check(
  "ours shows the whole history after OpenClaw ran",
  JSON.stringify(userTexts(back.histories[KEYS[0]])) === JSON.stringify(["first from ours", "back on ours"]),
  back.histories[KEYS[0]],
);

const again = await runOpenClaw({ stateDir: state, historyOf: KEYS, log, peerDir: opts["peer-dir"] }).then(
  (r) => ({ ok: true, r }),
  (error) => ({ ok: false, error: error.message }),
);
check("OpenClaw starts again after ours ran on its state dir", again.ok, again.error);
log(`state dir: ${state}`);
process.exit();
