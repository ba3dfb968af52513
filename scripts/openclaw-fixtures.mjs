// scripts/openclaw-fixtures: regenerates test/fixtures/openclaw-state/ from the real programs.
//   node scripts/openclaw-fixtures.mjs [--peer-dir <dir>] [--legacy-gateway <dist/index.js>]
// - v2026.9.6/: OpenClaw 2026.9.6 (installed by bench/peer/install-openclaw.mjs) run against the
//   fake Anthropic model on loopback; two sessions, three turns. Its agent database is copied
//   with VACUUM INTO (a consistent snapshot without WAL); the derived search indexes (memory
//   and transcript FTS, which OpenClaw rebuilds) are emptied so the fixture stays a few KB.
// - legacy/: the sessions.json + <sessionId>.jsonl layout of OpenClaw <= 2026.8, written by
//   our gateway before the SQLite store (build commit ee05027 and pass its dist/index.js).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadFake } from "../bench/lib.mjs";
import { connectClient, freePort, spawnUntilAccept } from "../bench/peer/harness.mjs";
import { runOpenClaw } from "../bench/peer/openclaw-run.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "test/fixtures/openclaw-state");
const { values: opts } = parseArgs({
  options: { "peer-dir": { type: "string" }, "legacy-gateway": { type: "string" } },
});
const log = (m) => process.stderr.write(`${m}\n`);

/** What both fixtures hold: the tests assert these keys and texts. */
export const MESSAGES = [
  { sessionKey: "main", text: "hello from the fixture" },
  { sessionKey: "main", text: "a second turn" },
  { sessionKey: "agent:main:fixture-two", text: "another session" },
];

async function openclawFixture() {
  const state = mkdtempSync(path.join(os.tmpdir(), "oc-fixture-"));
  try {
    await runOpenClaw({ stateDir: state, messages: MESSAGES, log, peerDir: opts["peer-dir"] });
    const target = path.join(out, "v2026.9.6/agents/main/agent");
    rmSync(path.join(out, "v2026.9.6"), { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const file = path.join(target, "openclaw-agent.sqlite");
    const src = new DatabaseSync(path.join(state, "agents/main/agent/openclaw-agent.sqlite"), {
      readOnly: true,
    });
    src.exec(`VACUUM INTO '${file.replace(/'/g, "''")}'`);
    src.close();
    const db = new DatabaseSync(file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    for (const { name } of tables) {
      // FTS shadow tables (_data, _idx, …) empty with their virtual table.
      const shadow = /_fts_(data|idx|content|docsize|config)$/.test(name);
      if (
        /^(memory_index|session_transcript_fts|standing_intents_fts|trajectory_runtime_events)/.test(name) &&
        !shadow
      ) {
        db.exec(`DELETE FROM "${name}"`);
      }
    }
    db.exec("VACUUM");
    db.close();
    log(`wrote ${file}`);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

async function legacyFixture(entry) {
  const state = mkdtempSync(path.join(os.tmpdir(), "legacy-fixture-"));
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const model = await startFakeAnthropic();
  model.setDefault({ text: "ok from the fake model", usage: { input: 12, output: 5 } });
  const port = await freePort();
  writeFileSync(
    path.join(state, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local", port },
      models: { providers: { anthropic: { baseUrl: model.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    }),
  );
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: state,
    OPENCLAW_GATEWAY_TOKEN: "t",
    ANTHROPIC_API_KEY: "sk",
  };
  const handle = await spawnUntilAccept(process.execPath, [entry, "gateway", "--port", String(port)], {
    env,
    port,
  });
  try {
    const client = await connectClient(`ws://127.0.0.1:${port}`, "t", { id: "cli", mode: "cli" });
    let seq = 0;
    for (const { sessionKey, text } of MESSAGES) await client.chat(sessionKey, text, `legacy-${seq++}`);
    client.close();
  } finally {
    await handle.stop();
    await model.close();
  }
  const from = path.join(state, "agents/main/sessions");
  const target = path.join(out, "legacy/agents/main/sessions");
  rmSync(path.join(out, "legacy"), { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(from).filter((n) => n === "sessions.json" || n.endsWith(".jsonl"))) {
    cpSync(path.join(from, name), path.join(target, name));
  }
  rmSync(state, { recursive: true, force: true });
  log(`wrote ${target}`);
}

await openclawFixture();
if (opts["legacy-gateway"]) {
  if (!existsSync(opts["legacy-gateway"]))
    throw new Error(`--legacy-gateway ${opts["legacy-gateway"]} does not exist`);
  await legacyFixture(opts["legacy-gateway"]);
}
process.exit(0);
