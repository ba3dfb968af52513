/**
 * Attacks that lock everyone out without a credential, performed against the built
 * gateway on 127.0.0.1 with raw sockets: malformed WebSocket upgrades that used to keep
 * their handshake slot forever (33 of them meant 503 for that address, even with the
 * right token), and slowloris (requests that never finish their head), whose sockets
 * the gateway used to end but never destroy.
 */
import { readdirSync, readlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SOCKETS_PER_ADDRESS } from "../../src/gateway/socket-limits.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "flood-token-0123456789";
/** Over the 32 handshake slots an address has. */
const MALFORMED_UPGRADES = 40;
/** Well over the per-address cap, far under any file-descriptor limit: bounded and quick. */
const SLOWLORIS_SOCKETS = 300;

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway(
    ["--allow-unconfigured", "--port", "0", "--bind", "loopback"],
    testEnv({ OPENCLAW_STATE_DIR: tempDir(), OPENCLAW_GATEWAY_TOKEN: TOKEN }),
  );
});
afterAll(async () => {
  expect(await gw.stop()).toEqual({ code: 0, signal: null });
});

/**
 * A raw client socket that, like an attacker's, never closes its own side. `dropped`
 * resolves, with what the server sent, once the server ends or resets the connection.
 */
function openRaw(localAddress = "127.0.0.1"): Promise<{ socket: Socket; dropped: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: gw.port, localAddress, allowHalfOpen: true });
    let received = "";
    socket.on("data", (d) => (received += d));
    const dropped = new Promise<string>((done) => {
      socket.once("end", () => done(received));
      socket.on("error", () => done(received));
    });
    socket.once("connect", () => resolve({ socket, dropped }));
    socket.once("error", reject);
  });
}

/** TCP sockets the gateway process holds open (its file descriptors that are sockets). */
function serverSockets(): number {
  const dir = `/proc/${gw.pid}/fd`;
  let n = 0;
  for (const fd of readdirSync(dir)) {
    try {
      if (readlinkSync(`${dir}/${fd}`).startsWith("socket:")) n++;
    } catch {
      // Closed while we looked.
    }
  }
  return n;
}

/** Resolves once `condition` holds, checking on every turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const upgradeHead = (version: string) =>
  [
    "GET / HTTP/1.1",
    `Host: 127.0.0.1:${gw.port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    `Sec-WebSocket-Version: ${version}`,
    "",
    "",
  ].join("\r\n");

describe("handshake slots", () => {
  it(`${MALFORMED_UPGRADES} malformed upgrades (Sec-WebSocket-Version: 99), then the right token still connects`, async () => {
    for (let i = 0; i < MALFORMED_UPGRADES; i++) {
      const { socket, dropped } = await openRaw();
      socket.write(upgradeHead("99"));
      expect(await dropped).toMatch(/^HTTP\/1\.1 400 /);
      socket.destroy();
    }
    const ws = await RawSocket.open(`ws://127.0.0.1:${gw.port}`);
    expect((await ws.connect({ token: TOKEN })).ok).toBe(true);
    ws.ws.close();
  });

  it("32 sockets idling before connect fill the address's slots; once they close, the token connects again", async () => {
    const idle = await Promise.all(
      Array.from({ length: 32 }, () => RawSocket.open(`ws://127.0.0.1:${gw.port}`)),
    );
    // Loopback is one address, whichever 127.x the client uses.
    await expect(RawSocket.open(`ws://127.0.0.1:${gw.port}`, {}, "127.0.0.3")).rejects.toThrow("HTTP 503");
    for (const s of idle) s.ws.terminate();
    await Promise.all(idle.map((s) => s.closed));
    const ws = await RawSocket.open(`ws://127.0.0.1:${gw.port}`);
    expect((await ws.connect({ token: TOKEN })).ok).toBe(true);
    ws.ws.close();
  });
});

describe("slowloris", () => {
  it(`${SLOWLORIS_SOCKETS} half-sent requests from loopback are capped and then destroyed; /healthz answers throughout`, async () => {
    const idleSockets = serverSockets();
    const attack: Awaited<ReturnType<typeof openRaw>>[] = [];
    for (let i = 0; i < SLOWLORIS_SOCKETS; i++) {
      const raw = await openRaw(`127.0.0.${1 + (i % 4)}`);
      // Half of them send part of a request head, half send nothing at all.
      if (i % 2) raw.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nX-Slow: `);
      attack.push(raw);
    }
    // Over the per-address cap the oldest unfinished sockets make room: those beyond it go now.
    let droppedCount = 0;
    const overCap = SLOWLORIS_SOCKETS - MAX_SOCKETS_PER_ADDRESS;
    await new Promise<void>((resolve) => {
      for (const { dropped } of attack) void dropped.then(() => ++droppedCount === overCap && resolve());
    });
    expect(serverSockets() - idleSockets).toBeLessThanOrEqual(MAX_SOCKETS_PER_ADDRESS);

    // A real client from the same (loopback) address gets in and is answered.
    const health = await fetch(`http://127.0.0.1:${gw.port}/healthz`);
    expect(health.status).toBe(200);

    // The rest are dropped at the request-head deadline, none answered with a page...
    const answers = await Promise.all(attack.map((a) => a.dropped));
    expect(answers.filter((text) => text.includes("200 OK"))).toEqual([]);
    // ...and destroyed: the gateway holds none of them, although the attacker never closed its side.
    await until(() => serverSockets() <= idleSockets + 1);
    for (const { socket } of attack) socket.destroy();
    expect((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status).toBe(200);
  }, 20_000);
});
