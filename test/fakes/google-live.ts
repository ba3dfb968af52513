import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * Google Live on 127.0.0.1, as browser Talk uses it: `POST /v1alpha/auth_tokens` (server
 * side: an API key in `x-goog-api-key`, a one-use `auth_tokens/…` token out, its locked
 * `bidiGenerateContentSetup` kept) and the constrained Live WebSocket
 * (`/ws/…v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=…`) speaking
 * the JSON messages: `setup` first, answered by `setupComplete`; then `realtimeInput`,
 * `toolResponse` from the browser and whatever a test sends as the model. Like Google's,
 * it sends its messages as binary frames.
 */

export interface TokenRequest {
  apiKey: string;
  body: {
    uses?: number;
    expireTime?: string;
    newSessionExpireTime?: string;
    bidiGenerateContentSetup?: Record<string, unknown>;
    [key: string]: unknown;
  };
  name: string;
}

/** The fake model's side of one Live session. */
export interface LiveSession {
  /** The token it was opened with, and that token's mint request. */
  token: TokenRequest;
  received: Record<string, unknown>[];
  /** When each of `received` arrived (epoch ms). */
  receivedAt: number[];
  /** Resolves with the first message received (past or future) that `match` accepts. */
  nextMessage(match: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  send(msg: unknown): void;
  /** Closes the socket as Google does at a session's end (`goAway` first, then a close code and reason). */
  close(code: number, reason: string): void;
  /** Resolves once the browser's `setup` was answered with `setupComplete`. */
  ready: Promise<void>;
  closed: Promise<void>;
}

export interface FakeGoogleLive {
  /** `http://127.0.0.1:<port>/v1beta`, what `models.providers.google.baseUrl` is set to. */
  url: string;
  minted: TokenRequest[];
  /** Resolves with the next Live session (past or future). */
  nextSession(): Promise<LiveSession>;
  /** Answer every mint request with this HTTP error instead (400 is what Google answers a bad key). */
  failMint(status: number | undefined): void;
  close(): Promise<void>;
}

const SOCKET_PATH =
  "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained";

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeGoogleLive(): Promise<FakeGoogleLive> {
  const minted: TokenRequest[] = [];
  const used = new Set<string>();
  const sessions: LiveSession[] = [];
  const sessionWaiters: ((s: LiveSession) => void)[] = [];
  let mintFailure: number | undefined;

  const server = createServer(async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const apiKey = String(req.headers["x-goog-api-key"] ?? "");
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(value));
    };
    if (req.method !== "POST" || path !== "/v1alpha/auth_tokens") {
      return json(404, { error: { code: 404, message: `Unknown path ${path}`, status: "NOT_FOUND" } });
    }
    if (mintFailure || !apiKey.startsWith("AIza")) {
      // As Google does for a bad key: a 400 whose message can carry the request's details.
      return json(mintFailure ?? 400, {
        error: {
          code: mintFailure ?? 400,
          message: `API key not valid. Please pass a valid API key. (${apiKey.slice(0, 12)}…)`,
          status: "INVALID_ARGUMENT",
        },
      });
    }
    const parsed = JSON.parse(body) as TokenRequest["body"];
    const name = `auth_tokens/${randomBytes(16).toString("hex")}`;
    minted.push({ apiKey, body: parsed, name });
    json(200, {
      name,
      uses: parsed.uses,
      expireTime: parsed.expireTime,
      newSessionExpireTime: parsed.newSessionExpireTime,
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== SOCKET_PATH) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, url.searchParams.get("access_token") ?? ""));
  });

  const accept = (ws: WebSocket, accessToken: string) => {
    const token = minted.find((m) => m.name === accessToken);
    const deadline = Date.parse(token?.body.newSessionExpireTime ?? "");
    // Google authenticates on the first frame: an unknown, used or expired token is closed then.
    const refusal = !token
      ? "unknown token"
      : used.has(accessToken)
        ? "token already used"
        : !(deadline > Date.now())
          ? "token expired"
          : undefined;
    if (token) used.add(accessToken);
    const received: Record<string, unknown>[] = [];
    const receivedAt: number[] = [];
    const waiters: {
      match: (m: Record<string, unknown>) => boolean;
      resolve: (m: Record<string, unknown>) => void;
    }[] = [];
    let markReady!: () => void;
    const session: LiveSession = {
      token: token!,
      received,
      receivedAt,
      ready: new Promise((resolve) => {
        markReady = resolve;
      }),
      closed: new Promise((resolve) => ws.on("close", () => resolve())),
      nextMessage(match) {
        const seen = received.find(match);
        return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
      },
      send(msg) {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.from(JSON.stringify(msg)));
      },
      close(code, reason) {
        ws.close(code, reason);
      },
    };
    ws.on("message", (data) => {
      if (refusal) return ws.close(1008, refusal);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return ws.close(1007, "Request contains an invalid argument.");
      }
      if (received.length === 0 && !msg.setup) return ws.close(1007, "setup must be the first message");
      received.push(msg);
      receivedAt.push(Date.now());
      if (msg.setup) {
        session.send({ setupComplete: {} });
        markReady();
      }
      for (const w of waiters.filter((w) => w.match(msg))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    });
    if (refusal) return;
    const waiter = sessionWaiters.shift();
    if (waiter) waiter(session);
    else sessions.push(session);
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1beta`,
    minted,
    nextSession() {
      const next = sessions.shift();
      return next ? Promise.resolve(next) : new Promise((resolve) => sessionWaiters.push(resolve));
    },
    failMint(status) {
      mintFailure = status;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
