/**
 * Attack: fill an address's 32 handshake slots with WebSockets that never send `connect`
 * and never answer the server's close frame, so the address (every client, behind one
 * proxy) is refused. The gateway must close them at the handshake deadline, destroy them
 * soon after even though the peer never answers, and give the slots back.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "handshake-token-0123456789";
const SLOTS = 32;

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway(
    ["--allow-unconfigured", "--port", "0", "--bind", "loopback"],
    testEnv({ OPENCLAW_STATE_DIR: tempDir(), OPENCLAW_GATEWAY_TOKEN: TOKEN }),
  );
});
afterAll(async () => {
  await gw.stop();
});

/** A valid upgrade from a client that then ignores everything; `dropped` resolves when the server cuts it. */
function silentWebSocket(): Promise<{ socket: Socket; dropped: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: gw.port, allowHalfOpen: true });
    let head = "";
    const dropped = new Promise<void>((done) => {
      socket.once("end", () => done());
      socket.on("error", () => done());
    });
    socket.on("data", (d) => {
      head += d;
      if (head.startsWith("HTTP/1.1 101")) resolve({ socket, dropped });
      else if (head.includes("\r\n\r\n")) reject(new Error(head.split("\r\n")[0]));
    });
    socket.once("error", reject);
    socket.write(
      [
        "GET / HTTP/1.1",
        `Host: 127.0.0.1:${gw.port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "",
        "",
      ].join("\r\n"),
    );
  });
}

describe("handshake timeout", () => {
  it(`${SLOTS} silent WebSockets are cut at the deadline although they never answer the close; the token then connects`, async () => {
    const silent = await Promise.all(Array.from({ length: SLOTS }, silentWebSocket));
    await expect(RawSocket.open(`ws://127.0.0.1:${gw.port}`)).rejects.toThrow("HTTP 503");
    await Promise.all(silent.map((s) => s.dropped));
    for (const { socket } of silent) socket.destroy();
    const ws = await RawSocket.open(`ws://127.0.0.1:${gw.port}`);
    expect((await ws.connect({ token: TOKEN })).ok).toBe(true);
    ws.ws.close();
  }, 20_000);
});
