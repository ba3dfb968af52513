import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type FakeGuild, type FakeUser, guildCreatePayload, snowflake, userPayload } from "./payloads.js";

/** Discord's gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

const MESSAGE_CONTENT_INTENT = 1 << 15;

/** A payload the client sent, as the fake saw it (token fields checked, never kept). */
export interface ReceivedFrame {
  op: number;
  /** For IDENTIFY: the requested intents bit set. */
  intents?: number;
  /** For RESUME: the session and last sequence the client asked to resume from. */
  sessionId?: string;
  seq?: number;
}

interface Session {
  id: string;
  seq: number;
  /** Every dispatch sent in this session, for replay on RESUME. */
  sent: { s: number; t: string; d: unknown }[];
  socket?: WebSocket;
}

export interface GatewayOptions {
  token: string;
  bot: FakeUser;
  guilds: FakeGuild[];
  heartbeatIntervalMs: number;
  /** When false, IDENTIFY asking for the Message Content intent is closed with 4014, as Discord does. */
  messageContentIntent: boolean;
  url(): string;
  onFrame(frame: ReceivedFrame): void;
}

export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<WebSocket>();
  private current?: Session;

  constructor(private readonly opts: GatewayOptions) {}

  /** Accepts an HTTP upgrade on the gateway path; `v=10&encoding=json` only, no compression. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = new URL(req.url ?? "/", "http://fake").searchParams;
    if (query.get("v") !== "10" || query.get("encoding") !== "json" || query.has("compress")) {
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** Sends a dispatch in the live session; buffered for RESUME if the client is away. */
  dispatch(t: string, d: unknown): void {
    const session = this.current;
    if (!session) throw new Error("fake discord: no gateway session to dispatch to (not identified yet)");
    this.send(session, t, d);
  }

  /** Closes the live connection without a close frame (as a network drop). */
  dropConnection(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  closeWith(code: number, reason = ""): void {
    for (const ws of this.sockets) ws.close(code, reason);
  }

  /** Sends INVALID_SESSION; a non-resumable one also forgets the session. */
  invalidateSession(resumable = false): void {
    for (const [id, session] of this.sessions) {
      session.socket?.send(JSON.stringify({ op: Op.InvalidSession, d: resumable }));
      if (!resumable) this.sessions.delete(id);
    }
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on("close", () => this.sockets.delete(ws));
    ws.send(JSON.stringify({ op: Op.Hello, d: { heartbeat_interval: this.opts.heartbeatIntervalMs } }));
    ws.on("message", (data) => {
      let payload: { op: number; d: Record<string, unknown> | number | null };
      try {
        payload = JSON.parse(data.toString());
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      this.onPayload(ws, payload);
    });
  }

  private onPayload(
    ws: WebSocket,
    payload: { op: number; d: Record<string, unknown> | number | null },
  ): void {
    const d = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case Op.Heartbeat:
        this.opts.onFrame({ op: Op.Heartbeat });
        ws.send(JSON.stringify({ op: Op.HeartbeatAck }));
        return;
      case Op.Identify:
        this.opts.onFrame({ op: Op.Identify, intents: Number(d.intents) });
        this.identify(ws, d);
        return;
      case Op.Resume:
        this.opts.onFrame({ op: Op.Resume, sessionId: String(d.session_id), seq: Number(d.seq) });
        this.resume(ws, d);
        return;
      default:
        this.opts.onFrame({ op: payload.op });
    }
  }

  private identify(ws: WebSocket, d: Record<string, unknown>): void {
    if (d.token !== this.opts.token) {
      ws.close(4004, "Authentication failed.");
      return;
    }
    if (!this.opts.messageContentIntent && Number(d.intents) & MESSAGE_CONTENT_INTENT) {
      ws.close(4014, "Disallowed intent(s).");
      return;
    }
    const session: Session = { id: snowflake(), seq: 0, sent: [], socket: ws };
    this.sessions.set(session.id, session);
    this.current = session;
    ws.on("close", () => {
      if (session.socket === ws) session.socket = undefined;
    });
    this.send(session, "READY", {
      v: 10,
      user: { ...userPayload(this.opts.bot), bot: true, verified: true, flags: 0 },
      guilds: this.opts.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.opts.url(),
      shard: [0, 1],
      application: { id: this.opts.bot.id, flags: 0 },
    });
    for (const guild of this.opts.guilds)
      this.send(session, "GUILD_CREATE", guildCreatePayload(guild, this.opts.bot));
  }

  private resume(ws: WebSocket, d: Record<string, unknown>): void {
    const session = this.sessions.get(String(d.session_id));
    if (d.token !== this.opts.token) {
      ws.close(4004, "Authentication failed.");
      return;
    }
    if (!session) {
      ws.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
      return;
    }
    session.socket = ws;
    this.current = session;
    ws.on("close", () => {
      if (session.socket === ws) session.socket = undefined;
    });
    const from = Number(d.seq);
    for (const missed of session.sent.filter((e) => e.s > from)) {
      ws.send(JSON.stringify({ op: Op.Dispatch, ...missed }));
    }
    this.send(session, "RESUMED", null);
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const event = { s: session.seq, t, d };
    session.sent.push(event);
    if (session.socket?.readyState === 1) session.socket.send(JSON.stringify({ op: Op.Dispatch, ...event }));
  }
}
