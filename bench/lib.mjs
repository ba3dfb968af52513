// Shared helpers for bench/ scripts: spawn a server, time it to its listening line,
// read its memory from /proc, and summarise repeated runs.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

/** Spawns `node args…` and resolves when stdout shows a `listening on ws://host:port` line. */
export function spawnUntilListening(args, { env = process.env, cwd } = {}) {
  const started = process.hrtime.bigint();
  const proc = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /listening on ws:\/\/\S+?:(\d+)/.exec(out);
      if (m) {
        proc.stdout.off("data", onData);
        resolve({ proc, port: Number(m[1]), startMs: Number(process.hrtime.bigint() - started) / 1e6 });
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", (d) => (out += d));
    proc.on("exit", (code) => reject(new Error(`exited ${code} before listening:\n${out}`)));
  });
}

/** Resident and peak memory of a pid, in MB (Linux /proc). */
export function memoryMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

export async function stop(proc) {
  if (proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM");
  await Promise.race([exited, delay(6000).then(() => proc.kill("SIGKILL"))]);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function parseArgs(defaults) {
  const opts = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in opts)) throw new Error(`unknown option --${key}; known: ${Object.keys(opts).join(", ")}`);
    opts[key] = Number(argv[i + 1]);
  }
  return opts;
}

/**
 * Imports a test fake (test/fakes/<file>.ts) in a plain Node bench: esbuild bundles it
 * into node_modules/.cache (so its dependencies still resolve) and we import that.
 */
export function loadFake(file) {
  return loadSource(`test/fakes/${file}`);
}

/** A TypeScript module of the repo (path from the root), bundled on the fly, to bench in-process. */
export async function loadSource(file) {
  const { build } = await import("esbuild");
  const root = new URL("..", import.meta.url).pathname;
  const out = `${root}node_modules/.cache/openclaw-bench/${file.replace(/[/.]/g, "_")}.mjs`;
  await build({
    entryPoints: [`${root}${file}`],
    outfile: out,
    bundle: true,
    format: "esm",
    platform: "node",
    packages: "external",
    logLevel: "warning",
    // src/version.ts reads the version the build injects.
    define: {
      __OPENCLAW_VERSION__: JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, "utf8")).version),
    },
  });
  return import(out);
}

/** A minimal gateway protocol client for benches: handshake, requests, events. */
export async function connectGateway(url, token) {
  const { default: WebSocket } = await import("ws");
  const ws = new WebSocket(url);
  const pending = new Map();
  const listeners = new Set();
  let next = 0;
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === "res") {
      const p = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.ok) p?.resolve(frame.payload);
      else p?.reject(new Error(frame.error?.message));
    } else for (const l of listeners) l(frame);
  });
  await new Promise((resolve, reject) => {
    listeners.add(function first(f) {
      if (f.event === "connect.challenge") {
        listeners.delete(first);
        resolve();
      }
    });
    ws.once("error", reject);
  });
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = String(next++);
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  await request("connect", {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "test", version: "bench", platform: process.platform, mode: "test" },
    role: "operator",
    scopes: ["operator.admin"],
    auth: { token },
  });
  return { request, onEvent: (l) => listeners.add(l), close: () => ws.close() };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
