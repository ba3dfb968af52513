// bench/caps: what the resource caps cost and what they save. Against a built gateway
// (loopback only, a fake model that never answers so turns stay queued):
//   1. one 8 MB frame of nested `[`, then five at once: gateway RSS before/after, reply time;
//   2. --flood chat.send over one connection: RSS before/after, accepted vs refused, journal size;
//   3. the nesting scan on a typical 1 KB frame, in µs, beside JSON.parse of the same frame.
//   node bench/caps.mjs [--flood 7000]
// OPENCLAW_BENCH_CLI=/path/to/dist/index.js runs the same attacks against another build
// (e.g. one from before the caps). Needs a build (npm run build).
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFake, memoryMb, parseArgs, spawnUntilListening, stop } from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opts = parseArgs({ flood: 7000 });
const cli = process.env.OPENCLAW_BENCH_CLI ?? path.join(root, "dist/index.js");
const TOKEN = "bench-caps-token-123456";
const { default: WebSocket } = await import("ws");

const { startFakeAnthropic } = await loadFake("anthropic.ts");
const fake = await startFakeAnthropic();
fake.setDefault({ stall: "beforeFirstToken" });

const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-caps-"));
writeFileSync(
  path.join(stateDir, "openclaw.json"),
  JSON.stringify({
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: fake.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    logging: { level: "warn" },
  }),
);
const env = {
  ...process.env,
  OPENCLAW_STATE_DIR: stateDir,
  OPENCLAW_GATEWAY_TOKEN: TOKEN,
  ANTHROPIC_API_KEY: "sk-bench",
};
const { proc, port } = await spawnUntilListening([cli, "gateway", "--port", "0"], { env, cwd: root });
const rss = () => memoryMb(proc.pid).rss;

/** An authenticated socket whose every `res` goes to `onRes`. */
async function open(onRes = () => {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  let ready;
  const hello = new Promise((resolve) => (ready = resolve));
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.event === "connect.challenge")
      ws.send(
        JSON.stringify({
          type: "req",
          id: "hello",
          method: "connect",
          params: {
            minProtocol: 3,
            maxProtocol: 4,
            client: { id: "test", version: "bench", platform: process.platform, mode: "test" },
            role: "operator",
            scopes: ["operator.admin"],
            auth: { token: TOKEN },
          },
        }),
      );
    else if (frame.type === "res" && frame.id === "hello") ready();
    else if (frame.type === "res") onRes(frame);
  });
  await hello;
  return ws;
}

const mb = (n) => `${n.toFixed(0)} MiB`;
console.log(`bench/caps against ${path.relative(root, cli) || cli}; Node ${process.version}`);

// 1. Nested frames.
const nested = Buffer.alloc(8_000_000, "[");
for (const count of [1, 5]) {
  const replies = [];
  const sockets = await Promise.all(Array.from({ length: count }, () => open((f) => replies.push(f))));
  const before = rss();
  const t0 = performance.now();
  for (const ws of sockets) ws.send(nested, { binary: false });
  while (replies.length < count) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - t0;
  const { rss: after, hwm } = memoryMb(proc.pid);
  console.log(
    `${count} × 8 MB nested-[ frame${count > 1 ? "s" : " "}   RSS ${mb(before)} → ${mb(after)} (peak ${mb(hwm)}), answered in ${ms.toFixed(0)} ms: ${replies[0].error?.message}`,
  );
  for (const ws of sockets) ws.close();
}

// 2. chat.send flood over one connection.
let accepted = 0;
let refused = 0;
let firstRefusal;
const ws = await open((f) => {
  if (f.ok) accepted++;
  else {
    refused++;
    firstRefusal ??= f.error;
  }
});
const before = rss();
const t0 = performance.now();
for (let i = 0; i < opts.flood; i++)
  ws.send(
    JSON.stringify({
      type: "req",
      id: `f${i}`,
      method: "chat.send",
      params: { sessionKey: "flood", message: `message ${i} ${"x".repeat(200)}`, idempotencyKey: `f${i}` },
    }),
  );
while (accepted + refused < opts.flood) await new Promise((r) => setTimeout(r, 20));
const journal = path.join(stateDir, "agents", "inbox.jsonl");
const { rss: after, hwm } = memoryMb(proc.pid);
console.log(
  `${opts.flood} × chat.send, one session   RSS ${mb(before)} → ${mb(after)} (peak ${mb(hwm)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; accepted ${accepted}, refused ${refused}; journal ${(statSync(journal).size / 1024).toFixed(0)} KiB`,
);
if (firstRefusal) console.log(`  refusal: ${JSON.stringify(firstRefusal)}`);
ws.close();
await stop(proc);
await fake.close();

// 3. The nesting scan's cost on a typical frame (this checkout's code).
const { build } = await import("esbuild");
const out = `${root}/node_modules/.cache/openclaw-bench/protocol.mjs`;
await build({
  entryPoints: [`${root}/src/gateway/protocol.ts`],
  outfile: out,
  bundle: true,
  format: "esm",
  platform: "node",
  packages: "external",
  logLevel: "warning",
});
const { nestsDeeperThan, MAX_FRAME_DEPTH } = await import(out);
const frame = Buffer.from(
  JSON.stringify({
    type: "req",
    id: "r1",
    method: "chat.send",
    params: {
      sessionKey: "agent:main:main",
      message: "Can you summarise [the notes] from {yesterday}? ".repeat(18),
      idempotencyKey: "k1",
      attachments: [],
    },
  }),
);
const N = 200_000;
const time = (fn) => {
  for (let i = 0; i < 10_000; i++) fn();
  const s = performance.now();
  for (let i = 0; i < N; i++) fn();
  return ((performance.now() - s) * 1000) / N;
};
const text = frame.toString("utf8");
console.log(
  `nesting scan, ${frame.length}-byte frame: ${time(() => nestsDeeperThan(frame, MAX_FRAME_DEPTH)).toFixed(2)} µs (JSON.parse of it: ${time(() => JSON.parse(text)).toFixed(2)} µs)`,
);
