/**
 * Reliability: 10,000 hostile inputs, bounded and on loopback only. Mutated WebSocket
 * frames on an authenticated connection, junk and premature requests on unauthenticated
 * sockets, and malformed HTTP requests. The gateway stays up, answers every frame,
 * runs no method without auth, and its memory stays bounded.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { seededRandom } from "../helpers/random.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "hostile-test-token-1234567";

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** A valid frame with one random mutation: a byte flipped, a field dropped or retyped, junk appended. */
function mutate(rand: () => number, i: number): string | Buffer {
  const base = JSON.stringify({
    type: "req",
    id: `h${i}`,
    method: ["health", "status", "logs.tail", "chat.history"][i % 4],
    params: {},
  });
  switch (Math.floor(rand() * 6)) {
    case 0: {
      const b = Buffer.from(base);
      b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return b.toString("latin1");
    }
    case 1:
      return base.replace(/"method":"[^"]*",/, "");
    case 2:
      return base.replace(/"id":"[^"]*"/, `"id":${Math.floor(rand() * 1e6)}`);
    case 3:
      return base + "}".repeat(1 + Math.floor(rand() * 5));
    case 4:
      return Buffer.from(
        Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)),
      );
    default:
      return base.replace(
        "{}",
        JSON.stringify({ limit: rand() > 0.5 ? -5 : "x", sessionKey: "x".repeat(Math.floor(rand() * 600)) }),
      );
  }
}

function rawHttp(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(-1));
    req.end(method === "POST" ? "{not json" : undefined);
  });
}

describe("chaos: hostile input", () => {
  it("10,000 mutated frames, unauthenticated probes and bad HTTP requests: up, bounded, nothing runs without auth", async () => {
    const rand = seededRandom(42);
    const gw = await startGateway(
      ["--allow-unconfigured", "--port", "0", "--bind", "lan"],
      testEnv({ OPENCLAW_STATE_DIR: tempDir(), OPENCLAW_GATEWAY_TOKEN: TOKEN }),
    );
    const url = `ws://127.0.0.1:${gw.port}`;
    try {
      // 6,000 mutated frames on an authenticated socket: every one gets exactly one reply.
      const socket = await RawSocket.open(url);
      expect((await socket.connect({ token: TOKEN })).ok).toBe(true);
      // Measured once a client is connected: the gateway builds its parts (agents, methods…)
      // after listening, and loading that code is not growth caused by the input.
      const before = rssMb(gw.pid);
      const frames = Array.from({ length: 6000 }, (_, i) => mutate(rand, i));
      for (const f of frames) socket.send(f, Buffer.isBuffer(f));
      let replies = 0;
      while (replies < frames.length) if ((await socket.next<{ type: string }>()).type === "res") replies++;
      socket.ws.close();

      // 1,000 unauthenticated sockets: a method before connect, a connect without a token, or junk.
      let ranWithoutAuth = 0;
      for (let i = 0; i < 1000; i++) {
        const s = await RawSocket.open(url);
        await s.next();
        const kind = i % 3;
        if (kind === 0) s.request("x", "status");
        else if (kind === 1)
          s.request("c", "connect", {
            minProtocol: 3,
            maxProtocol: 4,
            client: { id: "test", version: "1", platform: "x", mode: "test" },
            role: "operator",
            scopes: ["operator.admin"],
          });
        else s.send(Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256))), true);
        const next = await Promise.race([
          s.next<{ type: string; ok?: boolean; payload?: { type?: string } }>(),
          s.closed.then(() => undefined),
        ]);
        if (next?.ok && next.payload?.type !== "hello-ok") ranWithoutAuth++;
        if (next?.ok && next.payload?.type === "hello-ok") ranWithoutAuth++;
        expect((await s.closed).code).toBe(1008);
      }
      expect(ranWithoutAuth).toBe(0);

      // 3,000 malformed HTTP requests: never a 5xx, never a hang.
      const statuses = new Map<number, number>();
      const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
      const paths = [
        "/",
        "/healthz",
        "/readyz",
        "/v1/chat/completions",
        "/%zz",
        "/..%2f..%2fetc/passwd",
        "/a".repeat(200),
        "/control-ui/x.js",
      ];
      for (let i = 0; i < 3000; i++) {
        const headers: Record<string, string> =
          rand() > 0.5 ? { authorization: `Bearer wrong-${i}` } : { "content-type": "application/json" };
        const status = await rawHttp(
          gw.port,
          methods[i % methods.length]!,
          paths[Math.floor(rand() * paths.length)]!,
          headers,
        );
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect([...statuses.keys()].filter((s) => s >= 500 || s < 0)).toEqual([]);

      const after = rssMb(gw.pid);
      console.log(
        `hostile: 6000 frames, 1000 unauthenticated sockets, 3000 HTTP requests; RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MB; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(after - before).toBeLessThan(60);
      expect((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status).toBe(200);
    } finally {
      expect(await gw.stop()).toEqual({ code: 0, signal: null });
    }
  }, 180_000);
});
