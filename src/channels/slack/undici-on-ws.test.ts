import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { EventEmitter, once } from "node:events";
import module, { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket as PeerSocket, WebSocketServer } from "ws";
import { slackUndiciShim } from "../../../scripts/slack-undici-shim.mjs";

/**
 * socket-mode's own WebSocket wrapper, driven against a WebSocket peer on 127.0.0.1: what it
 * needs from `undici` (pings, pongs, events, the socket captured by its dispatcher) has to
 * work on the shim the build gives it. The setup file (test/helpers/slack-undici-hook.ts)
 * resolves its `undici` to the shim here as the build does.
 */
const socketModeDir = path.dirname(createRequire(import.meta.url).resolve("@slack/socket-mode"));
const requireFromSocketMode = createRequire(path.join(socketModeDir, "SlackWebSocket.js"));

interface SlackWebSocketLike {
  websocket: unknown;
  defaultSocket: net.Socket | null;
  lastPongReceivedTimestamp?: number;
  serverPingTimeout?: NodeJS.Timeout;
  connect(): void;
  disconnect(): void;
  isActive(): boolean;
}
const { SlackWebSocket } = requireFromSocketMode("./SlackWebSocket.js") as {
  SlackWebSocket: new (options: Record<string, unknown>) => SlackWebSocketLike;
};

/** Node 22.12 (scripts/node-matrix.sh) has no module hooks: socket-mode runs on the npm undici there. */
const onShim = typeof module.registerHooks === "function";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function peer(): Promise<{ url: string; next: Promise<PeerSocket> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(wss, "listening");
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  const next = once(wss, "connection").then(([socket]) => socket as PeerSocket);
  return { url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/link`, next };
}

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => "info",
  setName() {},
};

function slackSocket(url: string, clientPingTimeoutMS = 30_000) {
  const client = new EventEmitter();
  const sws = new SlackWebSocket({ url, client, clientPingTimeoutMS, logger: quiet });
  cleanups.push(() => sws.disconnect());
  return { sws, client };
}

/** The next message published on an undici diagnostics channel for `websocket`. */
function nextOnChannel(name: string, websocket: () => unknown): Promise<Buffer> {
  return new Promise((resolve) => {
    const listener = (message: unknown) => {
      const m = message as { websocket: unknown; payload: Buffer };
      if (m.websocket !== websocket()) return;
      unsubscribe(name, listener);
      resolve(m.payload);
    };
    subscribe(name, listener);
  });
}

describe("undici on ws, as @slack/socket-mode uses it", () => {
  it.skipIf(!onShim)("is what socket-mode's require('undici') gives", () => {
    expect(requireFromSocketMode.resolve("undici")).toBe(slackUndiciShim);
  });

  it("passes text and binary frames to socket-mode, and its sends to the peer", async () => {
    const { url, next } = await peer();
    const { sws, client } = slackSocket(url);
    sws.connect();
    const server = await next;
    const messages = once(client, "ws_message");
    server.send(JSON.stringify({ type: "hello" }));
    expect(await messages).toEqual(['{"type":"hello"}', false]);
    const binary = once(client, "ws_message");
    server.send(Buffer.from([1, 2, 3]));
    expect((await binary)[1]).toBe(true);
    expect(sws.isActive()).toBe(true);
    const received = once(server, "message");
    (sws as unknown as { send(d: string, cb: (e?: Error) => void): void }).send(
      '{"envelope_id":"1"}',
      () => {},
    );
    expect(String((await received)[0])).toBe('{"envelope_id":"1"}');
  });

  it("sends socket-mode's pings and reports the pongs back to it", async () => {
    const { url, next } = await peer();
    // A ping every 100 ms (a third of the timeout), so the first one comes soon.
    const { sws } = slackSocket(url, 300);
    const pong = nextOnChannel("undici:websocket:pong", () => sws.websocket);
    sws.connect();
    const server = await next;
    const [ping] = (await once(server, "ping")) as [Buffer];
    expect(String(ping)).toMatch(/^Ping from client \(\d+\)$/);
    expect(String(await pong)).toBe(String(ping));
    expect(sws.lastPongReceivedTimestamp).toBeTypeOf("number");
  });

  it("reports the peer's pings to socket-mode, which then watches for the next one", async () => {
    const { url, next } = await peer();
    const { sws } = slackSocket(url);
    const ping = nextOnChannel("undici:websocket:ping", () => sws.websocket);
    sws.connect();
    const server = await next;
    expect(sws.serverPingTimeout).toBeUndefined();
    server.ping(Buffer.from("from slack"));
    expect(String(await ping)).toBe("from slack");
    expect(sws.serverPingTimeout).toBeDefined();
  });

  it("lets socket-mode destroy the socket of a peer that never finishes the close handshake", async () => {
    // A peer that accepts the upgrade, then ignores every frame (its close frame included).
    const stalled = net.createServer((socket) => {
      socket.once("data", (head) => {
        const key = /sec-websocket-key: (\S+)/i.exec(String(head))?.[1] ?? "";
        const accept = createHash("sha1")
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest("base64");
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        stalled.emit("upgraded", socket);
      });
    });
    stalled.listen(0, "127.0.0.1");
    await once(stalled, "listening");
    cleanups.push(() => new Promise((resolve) => stalled.close(resolve)));
    const { sws, client } = slackSocket(`ws://127.0.0.1:${(stalled.address() as net.AddressInfo).port}/`);
    sws.connect();
    const open = once(sws.websocket as EventTarget, "open");
    const [serverSide] = (await once(stalled, "upgraded")) as [net.Socket];
    await open;
    expect(sws.defaultSocket).toBeInstanceOf(net.Socket);
    const serverClosed = once(serverSide, "close");
    const clientClosed = once(client, "close");
    sws.disconnect(); // sends a close frame: the peer ignores it
    sws.disconnect(); // still CLOSING: socket-mode force-terminates
    await Promise.all([serverClosed, clientClosed]);
    expect(sws.websocket).toBeNull();
  });

  it("reports a refused connection as socket-mode's error, then closes", async () => {
    const closed = net.createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { sws, client } = slackSocket(`ws://127.0.0.1:${port}/`);
    const error = once(client, "error");
    // Not events.once: it rejects on "error", which comes first or second depending on undici.
    const close = new Promise((resolve) => client.once("close", resolve));
    sws.connect();
    const [err] = (await error) as [Error & { code: string; original: Error }];
    expect(err.code).toBe("slack_socket_mode_websocket_error");
    // The npm undici reports an empty message here; the shim passes on why.
    if (onShim) expect(err.original.message).toMatch(/ECONNREFUSED/);
    await close;
  });
});

describe("undici on ws, beyond what socket-mode is given", () => {
  it.skipIf(!onShim)("refuses a dispatcher it does not implement, naming the option to remove", async () => {
    const shim = requireFromSocketMode("undici") as typeof import("./undici-on-ws.js");
    expect(() => new shim.WebSocket("ws://127.0.0.1:9/", { dispatcher: {} })).toThrow(
      "SocketModeClient's dispatcher option is not supported; remove it.",
    );
    await expect(shim.fetch("http://127.0.0.1:9/", { dispatcher: {} })).rejects.toThrow(/dispatcher/);
  });
});
