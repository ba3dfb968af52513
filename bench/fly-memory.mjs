// Prints the gateway's memory when started exactly as fly.toml starts it (its [env] and
// [processes].app, with --port 0 and a temp dir for /data): idle after 10 s, then after
// 20 authenticated WebSocket clients and 2,000 GET /healthz. Linux only (/proc).
// Run after `npm run build`: `node bench/fly-memory.mjs`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { parse } from "smol-toml";
import WebSocket from "ws";

const fly = parse(readFileSync("fly.toml", "utf8"));
const [command, ...args] = fly.processes.app.split(/\s+/);
args[args.indexOf("--port") + 1] = "0";
const stateDir = mkdtempSync(path.join(os.tmpdir(), "openclaw-bench-"));
const token = "bench-token-0123456789";
const child = spawn(command === "node" ? process.execPath : command, args, {
  env: { ...process.env, ...fly.env, OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: token },
  stdio: ["ignore", "pipe", "inherit"],
});

const port = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
    const m = /listening on ws:\/\/0\.0\.0\.0:(\d+) \(PID/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  child.once("exit", (code) => reject(new Error(`gateway exited with ${code}:\n${out}`)));
});

const memory = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)[1]);
  return `VmRSS ${(kb("VmRSS") / 1024).toFixed(1)} MB, VmHWM ${(kb("VmHWM") / 1024).toFixed(1)} MB (anon ${(kb("RssAnon") / 1024).toFixed(1)} MB, file ${(kb("RssFile") / 1024).toFixed(1)} MB)`;
};

function connectClient() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    ws.on("error", reject);
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.event === "connect.challenge") {
        ws.send(
          JSON.stringify({
            type: "req",
            id: "c",
            method: "connect",
            params: {
              minProtocol: 3,
              maxProtocol: 4,
              client: { id: "test", version: "bench", platform: "linux", mode: "test" },
              scopes: ["operator.read"],
              auth: { token },
            },
          }),
        );
      } else if (frame.id === "c") {
        ws.send(JSON.stringify({ type: "req", id: "h", method: "health" }));
      } else if (frame.id === "h") {
        resolve({ ws, heapUsedMB: frame.payload.memory.heapUsedBytes / 1048576 });
      }
    });
  });
}

await delay(10_000);
console.log(`node ${process.version}, NODE_OPTIONS=${fly.env.NODE_OPTIONS}`);
console.log(`idle 10 s after start:   ${memory()}`);
const clients = await Promise.all(Array.from({ length: 20 }, connectClient));
for (let i = 0; i < 2000; i++) await (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
console.log(
  `20 clients + 2,000 GETs: ${memory()}; V8 heap used at the last connect: ${clients.at(-1).heapUsedMB.toFixed(1)} MB`,
);

const stopStart = Date.now();
child.kill("SIGTERM");
const code = await new Promise((resolve) => child.once("exit", resolve));
console.log(`SIGTERM with 20 clients connected: exit ${code} after ${Date.now() - stopStart} ms`);
rmSync(stateDir, { recursive: true, force: true });
