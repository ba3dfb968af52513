// bench/agent: what the gateway adds to each chat message, with a model that answers
// at once (the fake Anthropic server in this process), and throughput with many
// sessions at a time.
//   node bench/agent.mjs [--messages 300] [--sessions 100] [--perSession 10]
// Needs a build (npm run build). Loopback only.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  connectGateway,
  loadFake,
  memoryMb,
  parseArgs,
  percentile,
  spawnUntilListening,
  stop,
} from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ messages: 300, sessions: 100, perSession: 10 });
const TOKEN = "bench-agent-token-123456";

const { startFakeAnthropic } = await loadFake("anthropic.ts");
const fake = await startFakeAnthropic();
fake.setDefault({ text: "ok", usage: { input: 10, output: 1 } });

// The floor: the same streaming request straight to the fake, no gateway.
async function directCall() {
  const t0 = performance.now();
  const res = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  await res.text();
  return performance.now() - t0;
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-agent-"));
writeFileSync(
  path.join(stateDir, "openclaw.json"),
  JSON.stringify({
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: fake.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, maxConcurrent: opts.sessions } },
    logging: { level: "warn" },
  }),
);
const env = {
  ...process.env,
  OPENCLAW_STATE_DIR: stateDir,
  OPENCLAW_GATEWAY_TOKEN: TOKEN,
  ANTHROPIC_API_KEY: "sk-bench",
};
const { proc, port } = await spawnUntilListening(
  [path.join(root, "dist/index.js"), "gateway", "--port", "0"],
  { env, cwd: root },
);
const client = await connectGateway(`ws://127.0.0.1:${port}`, TOKEN);

const waiters = new Map();
client.onEvent((frame) => {
  if (frame.event !== "chat") return;
  const { runId, state } = frame.payload;
  if (state === "final" || state === "error" || state === "aborted") {
    waiters.get(runId)?.(state);
    waiters.delete(runId);
  }
});
let seq = 0;
async function chat(sessionKey) {
  const t0 = performance.now();
  let done;
  const finished = new Promise((r) => (done = r));
  const { runId } = await client.request("chat.send", {
    sessionKey,
    message: "hi",
    idempotencyKey: `b${seq++}`,
  });
  waiters.set(runId, done);
  const state = await finished;
  if (state !== "final") throw new Error(`run ended ${state}`);
  return performance.now() - t0;
}

// Warm up both paths (JIT, connection pools, session files).
for (let i = 0; i < 30; i++) {
  await directCall();
  await chat(`warm-${i % 5}`);
}
const floor = [];
const viaGateway = [];
for (let i = 0; i < opts.messages; i++) {
  floor.push(await directCall());
  viaGateway.push(await chat(`serial-${i % 20}`));
}

const t0 = performance.now();
await Promise.all(
  Array.from({ length: opts.sessions }, async (_, s) => {
    for (let m = 0; m < opts.perSession; m++) await chat(`load-${s}`);
  }),
);
const elapsed = (performance.now() - t0) / 1000;
const total = opts.sessions * opts.perSession;
const rss = memoryMb(proc.pid);

const row = (name, values) =>
  console.log(
    `${name.padEnd(36)}${percentile(values, 50).toFixed(2).padStart(9)}${percentile(values, 99).toFixed(2).padStart(9)}`,
  );
console.log(
  `bench/agent: ${opts.messages} sequential messages, then ${opts.sessions} sessions x ${opts.perSession} at once; Node ${process.version}`,
);
console.log(`${"".padEnd(36)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
row("model call alone (floor)", floor);
row("chat.send to final via the gateway", viaGateway);
const overhead = viaGateway.map((v, i) => v - floor[i]);
row("gateway overhead (paired difference)", overhead);
console.log(
  `throughput: ${total} messages in ${elapsed.toFixed(2)} s = ${(total / elapsed).toFixed(0)} messages/s (${opts.sessions} sessions)`,
);
console.log(`gateway RSS after the load: ${rss.rss.toFixed(1)} MB (peak ${rss.hwm.toFixed(1)} MB)`);
console.log("target: p99 overhead < 5 ms");

client.close();
await stop(proc);
await fake.close();
