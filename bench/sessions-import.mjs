// bench/sessions-import: how long importing an OpenClaw 2026.9.6 state dir takes, and that a
// second start does no work.
//   node bench/sessions-import.mjs [--sessions 1000] [--messages 50]
// Starts from the real 2026.9.6 agent database of test/fixtures/openclaw-state/ and adds
// `sessions` sessions of `messages` user/assistant messages each, in OpenClaw's own tables and
// event shapes; then opens our store on it twice (each open is what a gateway start does).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadSource } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: { sessions: { type: "string", default: "1000" }, messages: { type: "string", default: "50" } },
});
const sessions = Number(values.sessions);
const messages = Number(values.messages);
const state = mkdtempSync(path.join(os.tmpdir(), "bench-import-"));
const agentDir = path.join(state, "agents/main/agent");
mkdirSync(agentDir, { recursive: true });
const file = path.join(agentDir, "openclaw-agent.sqlite");
copyFileSync(
  path.join(root, "test/fixtures/openclaw-state/v2026.9.6/agents/main/agent/openclaw-agent.sqlite"),
  file,
);

const db = new DatabaseSync(file);
const template = JSON.parse(db.prepare("SELECT entry_json FROM session_nodes LIMIT 1").get().entry_json);
db.exec("PRAGMA foreign_keys = OFF; BEGIN");
const node = db.prepare(
  "INSERT INTO session_nodes (session_key, current_session_id, entry_json, updated_at, created_at) VALUES (?, ?, ?, ?, ?)",
);
const event = db.prepare(
  "INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?, ?, ?, ?)",
);
const t0 = Date.now() - sessions * 60_000;
for (let s = 0; s < sessions; s++) {
  const id = `bench-${String(s).padStart(6, "0")}-0000-4000-8000-000000000000`;
  const at = t0 + s * 60_000;
  node.run(
    `agent:main:discord:channel:${s}`,
    id,
    JSON.stringify({ ...template, sessionId: id, updatedAt: at }),
    at,
    at,
  );
  event.run(
    id,
    0,
    JSON.stringify({ type: "session", version: 4, id, timestamp: new Date(at).toISOString() }),
    at,
  );
  let parent = null;
  for (let m = 1; m <= messages; m++) {
    const mid = `${id}-${m}`;
    const message =
      m % 2
        ? { role: "user", content: `question ${m} in session ${s}`, timestamp: at + m }
        : {
            role: "assistant",
            content: [{ type: "text", text: `answer ${m}` }],
            usage: { input: 10, output: 5 },
          };
    event.run(
      id,
      m,
      JSON.stringify({
        type: "message",
        id: mid,
        parentId: parent,
        timestamp: new Date(at + m).toISOString(),
        message,
      }),
      at + m,
    );
    parent = mid;
  }
}
db.exec("COMMIT");
db.close();

const { SessionStore } = await loadSource("src/sessions/store.ts");
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quiet;
  },
};
const dir = path.join(state, "agents/main/sessions");
for (const run of ["first start (imports)", "second start"]) {
  const started = performance.now();
  const store = await SessionStore.open(dir, quiet);
  const ms = performance.now() - started;
  process.stdout.write(`${run}: ${ms.toFixed(0)} ms, ${store.count()} sessions\n`);
  store.close();
}
process.stdout.write(`${sessions} sessions × ${messages} messages; node ${process.version}\n`);
if (!process.env.KEEP) rmSync(state, { recursive: true, force: true });
else process.stdout.write(`kept ${state}\n`);
