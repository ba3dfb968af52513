import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * OpenAI Realtime's two HTTP endpoints on 127.0.0.1, as browser Talk uses them:
 * `POST /v1/realtime/client_secrets` (server side: a Platform key in, an ephemeral `ek_`
 * secret out) and `POST /v1/realtime/calls` (the browser's SDP offer with that secret,
 * CORS as api.openai.com answers it). The SDP answer comes from a real WebRTC peer
 * (werift, pure TypeScript) that accepts the browser's "oai-events" data channel, so a
 * test can speak the realtime event protocol to the page. And the server-side WebSocket,
 * `GET /v1/realtime?model=…` with a Platform key (what the gateway relay opens): it sends
 * `session.created`, answers `session.update` with `session.updated`, and otherwise speaks
 * as the test tells it ({@link RealtimeSocket}).
 */

export interface MintRequest {
  authorization: string;
  body: { expires_after?: unknown; session?: Record<string, unknown> };
  value: string;
}

/** The fake model's side of one call: the events the browser sent, and a way to send it events. */
export interface RealtimePeer {
  received: Record<string, unknown>[];
  /** Resolves with the first event received (past or future) that `match` accepts. */
  nextEvent(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  send(event: unknown): void;
  /** Resolves once the browser opened the data channel. */
  opened: Promise<void>;
}

/** The fake model's side of one realtime WebSocket (the gateway relay's). */
export interface RealtimeSocket {
  authorization: string;
  model: string;
  received: Record<string, unknown>[];
  nextEvent(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  send(event: unknown): void;
  close(code: number, reason: string): void;
  /** Stops reading from the socket (a stalled vendor): what the gateway sends piles up. */
  stall(): void;
  closed: Promise<void>;
}

export interface FakeRealtime {
  /** The API base, `http://127.0.0.1:<port>/v1` (what `models.providers.openai.baseUrl` is set to). */
  url: string;
  minted: MintRequest[];
  offers: { authorization: string; contentType: string }[];
  /** Resolves with the next call's peer (past or future). */
  nextPeer(): Promise<RealtimePeer>;
  /** Resolves with the next realtime WebSocket (past or future). */
  nextSocket(): Promise<RealtimeSocket>;
  /** Answer every mint request with this HTTP error instead (e.g. 401 for a rejected key). */
  failMint(status: number | undefined): void;
  close(): Promise<void>;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, content-type",
  "access-control-allow-methods": "POST, OPTIONS",
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", ...CORS });
  res.end(JSON.stringify(body));
}

/** Gateway config whose Talk is OpenAI Realtime at this fake with `apiKey`; `realtime`: more `talk.realtime` keys (a transport). */
export function realtimeTalkConfig(fake: { url: string }, apiKey: string, realtime: object = {}) {
  return {
    models: { providers: { openai: { baseUrl: fake.url } } },
    talk: { realtime: { provider: "openai", ...realtime, providers: { openai: { apiKey } } } },
  };
}

/** The model's `response.done` asking for one function call: the consult (with `args`) unless `name` says otherwise. */
export function functionCallDone(callId: string, args: object = {}, name = "openclaw_agent_consult") {
  return {
    type: "response.done",
    response: { output: [{ type: "function_call", name, call_id: callId, arguments: JSON.stringify(args) }] },
  };
}

export async function startFakeRealtime(): Promise<FakeRealtime> {
  const minted: MintRequest[] = [];
  const offers: FakeRealtime["offers"] = [];
  const peers: RealtimePeer[] = [];
  const peerWaiters: ((peer: RealtimePeer) => void)[] = [];
  const closers: (() => void)[] = [];
  let mintFailure: number | undefined;

  const answer = async (offer: string): Promise<string> => {
    const { RTCPeerConnection } = await import("werift");
    const pc = new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ["127.0.0.1"] });
    closers.push(() => void pc.close());
    const received: Record<string, unknown>[] = [];
    const waiters: {
      match: (e: Record<string, unknown>) => boolean;
      resolve: (e: Record<string, unknown>) => void;
    }[] = [];
    let channel: { send(data: string): void } | undefined;
    let markOpen!: () => void;
    const peer: RealtimePeer = {
      received,
      opened: new Promise((resolve) => {
        markOpen = resolve;
      }),
      nextEvent(match) {
        const seen = received.find(match);
        return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
      },
      send(event) {
        channel?.send(JSON.stringify(event));
      },
    };
    pc.onDataChannel.subscribe((dc) => {
      if (dc.label !== "oai-events") return;
      channel = dc;
      const ready = () => markOpen();
      if (dc.readyState === "open") ready();
      dc.stateChanged.subscribe((state) => state === "open" && ready());
      dc.onMessage.subscribe((data) => {
        const event = JSON.parse(data.toString()) as Record<string, unknown>;
        received.push(event);
        for (const w of waiters.filter((w) => w.match(event))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      });
    });
    await pc.setRemoteDescription({ type: "offer", sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    // A non-trickle answer: wait until every local candidate is in it.
    if (pc.iceGatheringState !== "complete") {
      await new Promise<void>((resolve) =>
        pc.iceGatheringStateChange.subscribe((s) => s === "complete" && resolve()),
      );
    }
    const waiter = peerWaiters.shift();
    if (waiter) waiter(peer);
    else peers.push(peer);
    return pc.localDescription!.sdp;
  };

  const server = createServer(async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      return res.end();
    }
    const authorization = String(req.headers.authorization ?? "");
    const body = await readBody(req);
    if (req.method === "POST" && path === "/v1/realtime/client_secrets") {
      if (mintFailure) {
        // As api.openai.com does for a bad key: its message quotes part of the key.
        const hint = authorization.slice(7, 14);
        return json(res, mintFailure, {
          error: {
            message: `Incorrect API key provided: ${hint}***`,
            type: "invalid_request_error",
            code: "invalid_api_key",
          },
        });
      }
      if (!authorization.startsWith("Bearer sk-")) {
        return json(res, 401, {
          error: { message: "Missing bearer authentication", code: "invalid_api_key" },
        });
      }
      const parsed = JSON.parse(body) as MintRequest["body"];
      if (parsed.session?.type !== "realtime") {
        return json(res, 400, { error: { message: "session.type must be realtime", code: "invalid_value" } });
      }
      const value = `ek_fake_${randomBytes(12).toString("hex")}`;
      minted.push({ authorization, body: parsed, value });
      return json(res, 200, {
        value,
        expires_at: Math.floor(Date.now() / 1000) + 60,
        session: { ...parsed.session, id: "sess_fake", object: "realtime.session" },
      });
    }
    if (req.method === "POST" && path === "/v1/realtime/calls") {
      const contentType = String(req.headers["content-type"] ?? "");
      offers.push({ authorization, contentType });
      const secret = authorization.replace(/^Bearer /, "");
      if (!minted.some((m) => m.value === secret)) {
        return json(res, 401, { error: { message: "Invalid ephemeral key", code: "invalid_api_key" } });
      }
      if (!contentType.startsWith("application/sdp")) {
        return json(res, 400, { error: { message: "expected application/sdp" } });
      }
      const sdp = await answer(body);
      res.writeHead(201, {
        "content-type": "application/sdp",
        location: "/v1/realtime/calls/rtc_fake",
        ...CORS,
      });
      return res.end(sdp);
    }
    json(res, 404, { error: { message: `Unknown path ${path}` } });
  });
  const sockets: RealtimeSocket[] = [];
  const socketWaiters: ((s: RealtimeSocket) => void)[] = [];
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const authorization = String(req.headers.authorization ?? "");
    if (url.pathname !== "/v1/realtime") return socket.destroy();
    if (!authorization.startsWith("Bearer sk-")) {
      // As api.openai.com refuses a bad key: 401 before the upgrade.
      socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      acceptSocket(ws, authorization, url.searchParams.get("model") ?? ""),
    );
  });
  const acceptSocket = (ws: WebSocket, authorization: string, model: string) => {
    const received: Record<string, unknown>[] = [];
    const waiters: {
      match: (e: Record<string, unknown>) => boolean;
      resolve: (e: Record<string, unknown>) => void;
    }[] = [];
    const rt: RealtimeSocket = {
      authorization,
      model,
      received,
      nextEvent(match) {
        const seen = received.find(match);
        return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
      },
      send(event) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      },
      close(code, reason) {
        ws.close(code, reason);
      },
      stall() {
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      },
      closed: new Promise((resolve) => ws.on("close", () => resolve())),
    };
    ws.on("message", (data) => {
      const event = JSON.parse(data.toString()) as Record<string, unknown>;
      received.push(event);
      if (event.type === "session.update") {
        rt.send({ type: "session.updated", event_id: "evt_2", session: event.session });
      }
      for (const w of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    });
    rt.send({ type: "session.created", event_id: "evt_1", session: { type: "realtime", model } });
    const waiter = socketWaiters.shift();
    if (waiter) waiter(rt);
    else sockets.push(rt);
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    minted,
    offers,
    nextPeer() {
      const peer = peers.shift();
      return peer ? Promise.resolve(peer) : new Promise((resolve) => peerWaiters.push(resolve));
    },
    nextSocket() {
      const next = sockets.shift();
      return next ? Promise.resolve(next) : new Promise((resolve) => socketWaiters.push(resolve));
    },
    failMint(status) {
      mintFailure = status;
    },
    async close() {
      for (const close of closers.splice(0)) close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
