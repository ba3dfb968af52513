// Shared harness for the side-by-side bench: spawns a gateway (ours or OpenClaw) in its
// own process group, times spawn → TCP accept, sums the RSS of its process tree, and
// always kills the whole group (also on failure or Ctrl-C).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { setTimeout as delay } from "node:timers/promises";

const live = new Set();
function killAll() {
  for (const child of live) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
}
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A free loopback port (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Spawns `node args…` detached (a new process group) and polls 127.0.0.1:port every
 * 10 ms until a TCP connection is accepted. Resolves { proc, startMs, output() }.
 */
export async function spawnUntilAccept(node, args, { env, cwd, port, timeoutMs = 120_000 }) {
  const started = performance.now();
  const proc = spawn(node, args, { env, cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let out = "";
  const listeners = new Set();
  const onData = (d) => {
    out += d;
    if (out.length > 1 << 20) out = out.slice(-(1 << 19));
    for (const l of listeners) l(out);
  };
  proc.stdout.on("data", onData);
  proc.stderr.on("data", onData);
  let exited = false;
  proc.once("exit", () => {
    exited = true;
    live.delete(proc);
  });
  const handle = {
    proc,
    output: () => out,
    /** Resolves when the output matches `re` (or rejects after timeoutMs). */
    waitForOutput(re, ms = 60_000) {
      return new Promise((resolve, reject) => {
        if (re.test(out)) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${re} in output after ${ms} ms`));
        }, ms);
        const check = (text) => {
          if (!re.test(text)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    stop: () => stopGroup(proc),
  };
  while (!(await tryConnect(port))) {
    if (exited)
      throw new Error(`exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${tail(out)}`);
    if (performance.now() - started > timeoutMs) {
      await stopGroup(proc);
      throw new Error(`not listening on ${port} after ${timeoutMs} ms:\n${tail(out)}`);
    }
    await delay(10);
  }
  handle.startMs = performance.now() - started;
  return handle;
}

const tail = (text) => text.split("\n").slice(-15).join("\n");

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the leader exited. */
export async function stopGroup(proc, graceMs = 8000) {
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    try {
      process.kill(-proc.pid, "SIGTERM");
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid, "SIGKILL");
      } catch {}
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }
  // Stragglers in the group (workers the leader left behind).
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {}
  live.delete(proc);
}

function children(pid) {
  const kids = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return kids;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (text) kids.push(...text.split(/\s+/).map(Number));
    } catch {}
  }
  return kids;
}

/** RSS of pid and all its descendants, in MB, and how many processes that is (Linux /proc). */
export function treeRssMb(pid) {
  let kb = 0;
  let processes = 0;
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      kb += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      processes++;
    } catch {
      continue;
    }
    queue.push(...children(p));
  }
  return { rssMb: kb / 1024, processes };
}

/**
 * A gateway protocol client for both gateways: challenge → connect (retried while the
 * gateway answers UNAVAILABLE, as OpenClaw does until its sidecars are up), requests,
 * and `chat(sessionKey, text, key)` resolving with the run's terminal state.
 * `client`: OpenClaw grants no scopes to unknown client ids, so both are driven as `cli`.
 */
export async function connectClient(
  url,
  token,
  client,
  { timeoutMs = 180_000, chatTimeoutMs = 120_000 } = {},
) {
  const { default: WebSocket } = await import("ws");
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await openOnce(WebSocket, url, token, client, chatTimeoutMs);
    } catch (error) {
      if (!error.retryable || performance.now() > deadline) throw error;
      await delay(error.retryAfterMs ?? 500);
    }
  }
}

async function openOnce(WebSocket, url, token, client, chatTimeoutMs) {
  const ws = new WebSocket(url, { maxPayload: 64 << 20 });
  const pending = new Map();
  const waiters = new Map();
  const ended = new Map();
  let next = 0;
  let challenged;
  const challenge = new Promise((resolve, reject) => {
    challenged = resolve;
    ws.once("error", reject);
    ws.once("close", () => reject(new Error("closed before the challenge")));
  });
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.type === "res") {
      const p = pending.get(frame.id);
      pending.delete(frame.id);
      if (frame.ok) p?.resolve(frame.payload);
      else {
        const error = new Error(frame.error?.message ?? "request failed");
        error.retryable = frame.error?.retryable === true;
        error.retryAfterMs = frame.error?.retryAfterMs;
        p?.reject(error);
      }
      return;
    }
    if (frame.event === "connect.challenge") challenged();
    if (frame.event !== "chat") return;
    const { runId, state } = frame.payload ?? {};
    if (state !== "final" && state !== "error" && state !== "aborted") return;
    const waiter = waiters.get(runId);
    if (waiter) {
      waiters.delete(runId);
      waiter(state);
    } else if (!ended.has(runId)) ended.set(runId, state);
  });
  ws.on("close", () => {
    for (const p of pending.values()) p.reject(new Error("connection closed"));
    pending.clear();
  });
  await challenge;
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = String(next++);
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  try {
    await request("connect", {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: client.id, version: "bench", platform: process.platform, mode: client.mode },
      role: "operator",
      scopes: ["operator.admin", "operator.read", "operator.write"],
      auth: { token },
    });
  } catch (error) {
    ws.close();
    throw error;
  }
  return {
    request,
    async chat(sessionKey, message, idempotencyKey) {
      const { runId } = await request("chat.send", { sessionKey, message, idempotencyKey });
      if (ended.has(runId)) {
        const state = ended.get(runId);
        ended.delete(runId);
        return state;
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(runId);
          reject(new Error(`chat run ${runId} did not end within ${chatTimeoutMs / 1000} s`));
        }, chatTimeoutMs);
        waiters.set(runId, (state) => {
          clearTimeout(timer);
          resolve(state);
        });
      });
    },
    close: () => ws.close(),
  };
}
