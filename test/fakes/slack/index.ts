/**
 * A fake Slack on 127.0.0.1: the Web API (`POST /api/<method>`, form or JSON bodies,
 * `Authorization: Bearer`, `{ ok, error }` answers, 429 with `Retry-After`) and the
 * Socket Mode WebSocket (`apps.connections.open` hands out its URL; `hello` on connect,
 * `events_api` envelopes the client must ack by `envelope_id`, `disconnect` messages).
 * Point the SDK at it with `slackApiUrl: fake.apiUrl`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export interface FakeSlackUser {
  id: string;
  name: string;
}

export interface PostedMessage {
  channel: string;
  text: string;
  ts: string;
  thread_ts?: string;
  mrkdwn?: boolean;
  unfurl_links?: boolean;
}

export interface ApiRequest {
  method: string;
  token?: string;
  body: Record<string, unknown>;
  status: number;
}

interface Injection {
  method: string;
  status?: number;
  retryAfter?: number;
  error?: string;
  times: number;
}

export class FakeSlack {
  readonly botToken = "xoxb-fake-bot-token-1234567890";
  readonly appToken = "xapp-1-fake-app-token-1234567890";
  readonly bot = { userId: "UBOT00001", botId: "BBOT00001", name: "lite-bot", teamId: "T0000001" };
  readonly users = new Map<string, FakeSlackUser>();
  readonly requests: ApiRequest[] = [];
  readonly messages: PostedMessage[] = [];
  /** Envelope ids the client acknowledged, in order. */
  readonly acks: string[] = [];
  /** Socket Mode connections opened so far (each `hello` counts one). */
  connections = 0;
  private readonly server = createServer((req, res) => void this.onRequest(req, res));
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket?: WebSocket;
  private readonly injections: Injection[] = [];
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  private seq = 0;
  private port = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async listen(): Promise<void> {
    this.server.on("upgrade", (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The next request(s) to `method` fail: HTTP `status` (429 with Retry-After) or `{ ok: false, error }`. */
  failNext(injection: Omit<Injection, "times"> & { times?: number }): void {
    this.injections.push({ times: 1, ...injection });
  }

  /** Delivers a Slack event over the socket as an `events_api` envelope; returns its envelope id. */
  sendEvent(event: Record<string, unknown>): string {
    const envelopeId = `env-${++this.seq}`;
    this.socket?.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: "events_api",
        accepts_response_payload: false,
        retry_attempt: 0,
        payload: {
          type: "event_callback",
          team_id: this.bot.teamId,
          event_id: `Ev${this.seq}`,
          event_time: Math.floor(Date.now() / 1000),
          event,
        },
      }),
    );
    return envelopeId;
  }

  /** A message from a user in `channel` (`D…` for a DM), as Slack's `message` event. */
  message(opts: { channel: string; user: string; text: string; thread_ts?: string; channelType?: string }) {
    const ts = this.nextTs();
    const channelType = opts.channelType ?? (opts.channel.startsWith("D") ? "im" : "channel");
    const event = {
      type: "message",
      channel: opts.channel,
      channel_type: channelType,
      user: opts.user,
      text: opts.text,
      ts,
      ...(opts.thread_ts ? { thread_ts: opts.thread_ts } : {}),
    };
    return { ts, event };
  }

  /** Slack asks the client to reconnect (`disconnect`, reason `refresh_requested`) . */
  requestRefresh(): void {
    this.socket?.send(JSON.stringify({ type: "disconnect", reason: "refresh_requested" }));
  }

  /** Drops the WebSocket without a close handshake, like a network failure. */
  dropSocket(): void {
    this.socket?.terminate();
  }

  /** Resolves once `test` holds (checked after every request, ack and connection). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}`;
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.test()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  private onSocket(ws: WebSocket): void {
    this.socket = ws;
    this.connections++;
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { envelope_id?: string };
      if (frame.envelope_id) this.acks.push(frame.envelope_id);
      this.notify();
    });
    ws.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0000001" } }));
    this.notify();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0]!;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = parseBody(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"]);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? (body.token as string);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method, token, body, status });
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(json));
      this.notify();
    };
    const injection = this.injections.find((i) => i.method === method);
    if (injection) {
      if (--injection.times <= 0) this.injections.splice(this.injections.indexOf(injection), 1);
      if (injection.status === 429) {
        return answer(
          429,
          { ok: false, error: "ratelimited" },
          { "retry-after": String(injection.retryAfter ?? 1) },
        );
      }
      if (injection.status) return answer(injection.status, { ok: false, error: "fake_http_error" });
      return answer(200, { ok: false, error: injection.error ?? "fatal_error" });
    }
    const expected = method === "apps.connections.open" ? this.appToken : this.botToken;
    if (token !== expected) return answer(200, { ok: false, error: "invalid_auth" });
    return answer(200, this.handle(method, body, req));
  }

  private handle(method: string, body: Record<string, unknown>, req: IncomingMessage): unknown {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: this.bot.name,
          team_id: this.bot.teamId,
          user_id: this.bot.userId,
          bot_id: this.bot.botId,
        };
      case "apps.connections.open":
        return { ok: true, url: `ws://${req.headers.host}/link/?ticket=${++this.seq}` };
      case "users.info": {
        const user = this.users.get(String(body.user));
        if (!user) return { ok: false, error: "user_not_found" };
        return { ok: true, user: { id: user.id, name: user.name, real_name: user.name, profile: {} } };
      }
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(body.users).slice(1)}` } };
      case "chat.postMessage": {
        const message: PostedMessage = {
          channel: String(body.channel),
          text: String(body.text ?? ""),
          ts: this.nextTs(),
          ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
          ...(body.mrkdwn !== undefined ? { mrkdwn: body.mrkdwn === true || body.mrkdwn === "true" } : {}),
          ...(body.unfurl_links !== undefined
            ? { unfurl_links: body.unfurl_links === true || body.unfurl_links === "true" }
            : {}),
        };
        if (!message.channel.match(/^[CDG]/)) return { ok: false, error: "channel_not_found" };
        this.messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts, message: { text: message.text } };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

/** The WebClient sends `application/x-www-form-urlencoded` (objects as JSON strings), or JSON. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.startsWith("application/json")) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = v;
  return out;
}

export async function startFakeSlack(users: FakeSlackUser[] = []): Promise<FakeSlack> {
  const fake = new FakeSlack();
  for (const u of users) fake.users.set(u.id, u);
  await fake.listen();
  return fake;
}
