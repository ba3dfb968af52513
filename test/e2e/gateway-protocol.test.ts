import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { seededRandom } from "../helpers/random.js";
import { connectParams, RawSocket } from "../helpers/ws.js";

const TOKEN = "protocol-test-token-42";
let gw: RunningGateway;
let stateDir: string;
let url: string;
let http: string;

beforeAll(async () => {
  stateDir = tempDir();
  // A small failure budget so the rate limiter is reachable in a test; loopback is not exempt by default.
  writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: {
        mode: "local",
        auth: { rateLimit: { maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000 } },
        // Every loopback address is one client; a proxy on loopback lets the rate-limit test
        // be another client (X-Forwarded-For) without locking this file's own connections out.
        trustedProxies: ["127.0.0.1"],
      },
    }),
  );
  gw = await startGateway(
    ["--port", "0", "--bind", "lan"],
    testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: TOKEN }),
  );
  url = `ws://127.0.0.1:${gw.port}`;
  http = `http://127.0.0.1:${gw.port}`;
});

afterAll(async () => {
  expect(await gw.stop()).toEqual({ code: 0, signal: null });
});

describe("HTTP on the gateway port", () => {
  it("GET /healthz answers without auth and without secrets", async () => {
    const res = await fetch(`${http}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, status: "live" });
  });

  it("GET /readyz is 200 once started; HEAD works; POST is 405", async () => {
    // The gateway listens before its parts are built (#23); a WebSocket hello comes once they are.
    const { client } = await GatewayClient.connect({ url, token: TOKEN });
    client.close();
    const res = await fetch(`${http}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, failing: [] });
    expect((await fetch(`${http}/healthz`, { method: "HEAD" })).status).toBe(200);
    const post = await fetch(`${http}/healthz`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("serves a page at / with a Content-Security-Policy, and JSON 404 elsewhere", async () => {
    const page = await fetch(`${http}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    // Client-side routes of the UI get its page; anything else (APIs, missing files) a JSON 404.
    expect((await fetch(`${http}/chat`, { headers: { accept: "text/html" } })).status).toBe(200);
    const missing = await fetch(`${http}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { type: "not_found", message: "no route for /v1/nothing-here" },
    });
    expect((await fetch(`${http}/missing.js`, { headers: { accept: "text/html" } })).status).toBe(404);
    expect((await fetch(`${http}/%E0%A4%A`)).status).toBe(400);
  });
});

describe("WebSocket handshake and auth", () => {
  it("the right token gets hello-ok with methods, events and policy", async () => {
    const { client, hello } = await GatewayClient.connect({ url, token: TOKEN });
    expect(hello.type).toBe("hello-ok");
    expect(hello.protocol).toBe(4);
    expect(hello.features.methods).toEqual(expect.arrayContaining(["health", "status", "logs.tail"]));
    expect(hello.features.events).toEqual(expect.arrayContaining(["tick", "shutdown"]));
    expect(hello.policy).toEqual({
      maxPayload: 8 * 1024 * 1024,
      maxBufferedBytes: 16 * 1024 * 1024,
      tickIntervalMs: 30_000,
    });
    const health = (await client.request("health")) as { ok: boolean; status: string };
    expect(health).toMatchObject({ ok: true, status: "live" });
    await client.close();
  });

  it("a wrong token is refused with AUTH_TOKEN_MISMATCH and close 1008", async () => {
    const socket = await RawSocket.open(url, undefined);
    const res = await socket.connect({ token: "wrong-token" });
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "INVALID_REQUEST", details: { code: "AUTH_TOKEN_MISMATCH" } });
    expect((await socket.closed).code).toBe(1008);
  });

  it("the CLI uses the same token rules: env token works, a wrong one fails", async () => {
    const env = testEnv({ OPENCLAW_STATE_DIR: tempDir(), OPENCLAW_GATEWAY_PORT: String(gw.port) });
    const ok = await runCli(["health"], { ...env, OPENCLAW_GATEWAY_TOKEN: TOKEN });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^gateway live, ready; version \S+, up \d+ s, RSS \d+ MB$/m);
    const status = await runCli(["status", "--json"], { ...env, OPENCLAW_GATEWAY_TOKEN: TOKEN });
    expect(JSON.parse(status.stdout)).toMatchObject({
      gateway: { bind: "lan", port: gw.port, authMode: "token" },
    });
    const missing = await runCli(["health"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("gateway token missing");
  });

  it("repeated wrong tokens from one address are rate limited, with retryAfterMs, even with the right token", async () => {
    const forwarded = { "x-forwarded-for": "198.51.100.7" };
    for (let i = 0; i < 3; i++) {
      const guess = await RawSocket.open(url, forwarded);
      expect((await guess.connect({ token: `guess-${i}` })).error).toMatchObject({
        details: { code: "AUTH_TOKEN_MISMATCH" },
      });
    }
    const socket = await RawSocket.open(url, forwarded);
    const res = await socket.connect({ token: TOKEN });
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ details: { code: "AUTH_RATE_LIMITED" }, retryable: true });
    expect((res.error as unknown as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
    // Other addresses are unaffected.
    const { client } = await GatewayClient.connect({ url, token: TOKEN });
    await client.close();
  });

  it("refuses a browser origin that is not the gateway's own", async () => {
    await expect(RawSocket.open(url, { origin: "https://evil.example" })).rejects.toThrow("HTTP 403");
    const same = await RawSocket.open(url, { origin: `http://127.0.0.1:${gw.port}` });
    expect((await same.connect({ token: TOKEN })).ok).toBe(true);
    same.ws.close();
  });

  it("a request without the needed scope is refused with FORBIDDEN", async () => {
    const { client } = await GatewayClient.connect({ url, token: TOKEN, scopes: [] });
    await expect(client.request("health")).rejects.toMatchObject({
      error: { code: "FORBIDDEN", message: "missing scope: operator.read" },
    });
    await client.close();
  });
});

describe("malformed input never takes the gateway down", () => {
  it("non-JSON before connect closes with 1008", async () => {
    const socket = await RawSocket.open(url);
    await socket.next();
    socket.send("this is not json");
    expect(await socket.closed).toEqual({ code: 1008, reason: "invalid request frame" });
  });

  it("a binary first frame closes with 1008", async () => {
    const socket = await RawSocket.open(url);
    await socket.next();
    socket.send(randomBytes(100), true);
    expect((await socket.closed).code).toBe(1008);
  });

  it("a first request other than connect gets an error reply, then close", async () => {
    const socket = await RawSocket.open(url);
    await socket.next();
    socket.request("x", "health");
    const res = await socket.response("x");
    expect(res.error).toEqual({
      code: "INVALID_REQUEST",
      message: "invalid handshake: first request must be connect",
    });
    expect((await socket.closed).code).toBe(1008);
  });

  it("an oversize frame before connect closes with 1009", async () => {
    const socket = await RawSocket.open(url);
    await socket.next();
    socket.send(
      JSON.stringify({ type: "req", id: "1", method: "connect", params: { pad: "x".repeat(70_000) } }),
    );
    expect((await socket.closed).code).toBe(1009);
  });

  it("protocol mismatch is refused with 1002", async () => {
    const socket = await RawSocket.open(url);
    await socket.next();
    socket.request("c", "connect", connectParams({ token: TOKEN }, { minProtocol: 9, maxProtocol: 9 }));
    const res = await socket.response("c");
    expect(res.error).toMatchObject({
      code: "INVALID_REQUEST",
      message: "protocol mismatch",
      details: { expectedProtocol: 4 },
    });
    expect((await socket.closed).code).toBe(1002);
  });

  it("after connect, bad frames get error replies and the connection stays usable", async () => {
    const socket = await RawSocket.open(url);
    expect((await socket.connect({ token: TOKEN })).ok).toBe(true);
    socket.send("{oops");
    expect(await socket.response("invalid")).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST", message: "frame is not valid JSON" },
    });
    socket.send(Buffer.from([1, 2, 3]), true);
    expect((await socket.response("invalid")).error?.message).toContain("binary frames are not supported");
    socket.request("u", "no.such.method");
    expect((await socket.response("u")).error).toEqual({
      code: "INVALID_REQUEST",
      message: "unknown method: no.such.method",
    });
    socket.request("p", "logs.tail", { limit: "lots" });
    expect((await socket.response("p")).error?.message).toMatch(/^invalid params for logs.tail: limit:/);
    socket.send(JSON.stringify({ type: "req", id: "e", method: "health", extra: true }));
    expect((await socket.response("e")).error?.message).toContain("invalid request frame");
    socket.request("h", "health");
    expect((await socket.response("h")).ok).toBe(true);
    socket.ws.close();
  });

  it("1,000 random frames: each answered or ignored, the socket and other clients keep working", async () => {
    const socket = await RawSocket.open(url);
    expect((await socket.connect({ token: TOKEN })).ok).toBe(true);
    const samples: (string | Buffer)[] = [];
    const rand = seededRandom(1234);
    for (let i = 0; i < 1000; i++) samples.push(randomFrame(rand, i));
    for (const frame of samples) socket.send(frame, Buffer.isBuffer(frame));
    // Every frame gets exactly one reply (error or result), in order; count them.
    let replies = 0;
    while (replies < samples.length) {
      const frame = await socket.next<{ type: string }>();
      if (frame.type === "res") replies++;
    }
    socket.request("final", "health");
    expect((await socket.response("final")).ok).toBe(true);
    const { client } = await GatewayClient.connect({ url, token: TOKEN });
    expect(await client.request("health")).toMatchObject({ ok: true });
    await client.close();
    socket.ws.close();
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });
});

function randomFrame(rand: () => number, i: number): string | Buffer {
  const kind = Math.floor(rand() * 8);
  const junk = () =>
    Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
  switch (kind) {
    case 0:
      return junk();
    case 1:
      return junk().toString("latin1");
    case 2:
      return JSON.stringify({
        type: "req",
        id: `r${i}`,
        method: ["health", "status", "logs.tail", "nope", ""][Math.floor(rand() * 5)],
      });
    case 3:
      return JSON.stringify({
        type: "req",
        id: `r${i}`,
        method: "logs.tail",
        params: { cursor: rand() > 0.5 ? -1 : 10, limit: Math.floor(rand() * 9000) },
      });
    case 4:
      return JSON.stringify([1, 2, { type: "req" }]);
    case 5:
      return JSON.stringify({ type: "event", event: "tick", id: `r${i}` });
    case 6:
      return JSON.stringify({ type: "req", id: `r${i}`, method: "connect", params: {} });
    default:
      return `{"type":"req","id":"r${i}","method":"health","params":${rand() > 0.5 ? "null" : "{"}}`;
  }
}
