// Slowloris against the built gateway, loopback only, bounded in sockets and time.
// Starts `node dist/index.js gateway` on 127.0.0.1 (with a token, under `ulimit -n 1024`,
// the common soft limit), measures GET /healthz latency idle, then keeps N half-sent
// requests open (dropped ones replaced once a second) for D seconds while
// measuring /healthz again. Each probe uses a new connection, as a health checker does.
// Prints p50/p99, failed probes and the most sockets the gateway held. Linux only (/proc).
// Run after `npm run build`: `node bench/slowloris.mjs [sockets=1100] [seconds=12]`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Worker } from "node:worker_threads";

const SOCKETS = Number(process.argv[2] ?? 1100);
const SECONDS = Number(process.argv[3] ?? 12);
const IDLE_PROBES = 200;
/** The attacker's file-descriptor budget is the bench's own; keep the count sane. */
if (!(SOCKETS > 0 && SOCKETS <= 5000 && SECONDS > 0 && SECONDS <= 120)) {
  throw new Error("usage: node bench/slowloris.mjs [sockets 1..5000] [seconds 1..120]");
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), "openclaw-slowloris-"));
const cli = path.resolve(import.meta.dirname, "../dist/index.js");
const child = spawn(
  "/bin/sh",
  [
    "-c",
    'ulimit -n 1024 && exec "$0" "$@"',
    process.execPath,
    cli,
    "gateway",
    "--allow-unconfigured",
    "--port",
    "0",
    "--bind",
    "loopback",
  ],
  {
    env: {
      ...process.env,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: "slowloris-bench-token-0123",
    },
    stdio: ["ignore", "pipe", "pipe"],
  },
);
let logs = "";
child.stderr.on("data", (d) => (logs += d));
const port = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
    const m = /listening on ws:\/\/127\.0\.0\.1:(\d+) \(PID/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  child.once("exit", (code) => reject(new Error(`gateway exited with ${code}:\n${out}${logs}`)));
});

const serverSockets = () => {
  let n = 0;
  try {
    for (const fd of readdirSync(`/proc/${child.pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${child.pid}/fd/${fd}`).startsWith("socket:")) n++;
      } catch {}
    }
  } catch {}
  return n;
};

/** One GET /healthz on a fresh connection: milliseconds, or an error code. */
function probe() {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/healthz", agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve(res.statusCode === 200 ? performance.now() - started : `HTTP ${res.statusCode}`),
      );
    });
    req.on("timeout", () => req.destroy(new Error("timeout (5 s)")));
    req.on("error", (err) => resolve(err.code ?? err.message));
    req.end();
  });
}

function summarize(results) {
  const ms = results.filter((r) => typeof r === "number").sort((a, b) => a - b);
  const failures = results.filter((r) => typeof r !== "number");
  const q = (p) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(2) : "-");
  const kinds = [...new Set(failures)].map((k) => `${k} x${failures.filter((f) => f === k).length}`);
  return `${results.length} probes: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${ms.length ? ms.at(-1).toFixed(2) : "-"} ms, failed ${failures.length}${kinds.length ? ` (${kinds.join(", ")})` : ""}`;
}

const idle = [];
for (let i = 0; i < IDLE_PROBES; i++) idle.push(await probe());
const idleSockets = serverSockets();

// The attacker runs in a worker thread so its event loop does not slow the probes' own.
const attacker = new Worker(
  `
  const { parentPort, workerData: { port, sockets } } = require("node:worker_threads");
  const { connect } = require("node:net");
  const live = new Set();
  let opened = 0, dropped = 0, seq = 0;
  function open() {
    opened++;
    // allowHalfOpen: like a real slowloris, never close our side; only the server ends it.
    const socket = connect({ host: "127.0.0.1", port, localAddress: "127.0.0." + (1 + (seq++ % 250)), allowHalfOpen: true });
    live.add(socket);
    socket.on("connect", () => socket.write("GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1:" + port + "\\r\\nX-a: "));
    socket.on("data", () => {});
    const gone = () => { if (live.delete(socket)) { dropped++; socket.destroy(); } };
    socket.on("end", gone); socket.on("error", gone); socket.on("close", gone);
  }
  for (let i = 0; i < sockets; i++) open();
  // Once a second, as slowloris does: a byte on each socket (to dodge idle timers) and
  // new sockets for those the server dropped.
  const tick = setInterval(() => {
    for (const s of live) if (s.writable) s.write("a");
    for (let i = live.size; i < sockets; i++) open();
    parentPort.postMessage({ opened, dropped });
  }, 1000);
  parentPort.on("message", () => { clearInterval(tick); for (const s of live) s.destroy(); parentPort.postMessage({ opened, dropped, done: true }); });
  `,
  { eval: true, workerData: { port, sockets: SOCKETS } },
);
let stats = { opened: 0, dropped: 0 };
attacker.on("message", (m) => (stats = m));

const during = [];
let maxHeld = 0;
const until = Date.now() + SECONDS * 1000;
while (Date.now() < until) {
  during.push(await probe());
  maxHeld = Math.max(maxHeld, serverSockets() - idleSockets);
  await delay(20);
}
attacker.postMessage("stop");
await new Promise((resolve) => attacker.on("message", (m) => m.done && resolve()));
await attacker.terminate();

console.log(
  `slowloris bench: ${SOCKETS} half-sent requests for ${SECONDS} s from 127.0.0.0/8, gateway under ulimit -n 1024`,
);
console.log(`  idle:   ${summarize(idle)}`);
console.log(`  attack: ${summarize(during)}`);
console.log(
  `  attack sockets opened ${stats.opened}, dropped by the gateway ${stats.dropped}; most sockets the gateway held at once above idle ${maxHeld}`,
);
const emfile = (logs.match(/EMFILE/g) ?? []).length;
if (emfile) console.log(`  gateway logged EMFILE ${emfile} times`);

child.kill("SIGTERM");
await new Promise((resolve) => child.once("exit", resolve));
rmSync(stateDir, { recursive: true, force: true });
