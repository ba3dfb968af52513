/**
 * A fake Discord for tests and benches: one loopback HTTP server with the REST API under
 * `/api/v10` and the gateway WebSocket at `/gateway`, speaking Discord's real protocol
 * (JSON encoding, no compression), so the real library connects to it unchanged.
 * Point a client at it with `apiBaseUrl` (REST) — the gateway URL comes from `/gateway/bot`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGateway, type ReceivedFrame } from "./gateway.js";
import {
  type FakeChannel,
  type FakeGuild,
  type FakeUser,
  type InjectedMessage,
  messagePayload,
  snowflake,
} from "./payloads.js";
import {
  handleRest,
  type Injection,
  type PostedMessage,
  type RecordedRequest,
  type RestState,
} from "./rest.js";

export { Op } from "./gateway.js";
export type { FakeChannel, FakeGuild, FakeUser, InjectedMessage, Injection, PostedMessage, RecordedRequest };

export interface FakeDiscordOptions {
  token?: string;
  bot?: FakeUser;
  guilds?: FakeGuild[];
  /** Ms; Discord sends ~41 s. */
  heartbeatIntervalMs?: number;
  /** Whether the bot has the privileged Message Content intent (else IDENTIFY → close 4014). */
  messageContentIntent?: boolean;
}

export interface FakeDiscord {
  token: string;
  bot: FakeUser;
  /** REST base as a client configures it (`…/api`; the client appends `/v10`). */
  apiBaseUrl: string;
  gatewayUrl: string;
  requests: RecordedRequest[];
  /** Messages the bot posted. */
  messages: PostedMessage[];
  /** Gateway payloads received from the client, in order. */
  frames: ReceivedFrame[];
  /** Injects a MESSAGE_CREATE from a user; returns the message id. */
  sendMessage(msg: InjectedMessage): string;
  /** Injects any dispatch event. */
  dispatch(t: string, d: unknown): void;
  /** The next REST request (after now) matching `match`. */
  nextRequest(match: (r: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** The next gateway payload (after now) with opcode `op`. */
  nextFrame(op: number): Promise<ReceivedFrame>;
  /** Makes the next matching REST request(s) fail with `status` (429 with Discord's headers). */
  failNext(injection: Injection): void;
  dropConnection(): void;
  closeWith(code: number): void;
  invalidateSession(resumable?: boolean): void;
  /** Adds a user the fake knows (for mentions and DMs). */
  addUser(user: FakeUser): void;
  close(): Promise<void>;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? "fake-bot-token.abc123";
  const bot = options.bot ?? { id: snowflake(), username: "openclaw-test-bot", bot: true };
  const guilds = options.guilds ?? [];
  const requestWaiters = new Set<{
    match: (r: RecordedRequest) => boolean;
    resolve(r: RecordedRequest): void;
  }>();
  const frameWaiters = new Set<{ op: number; resolve(f: ReceivedFrame): void }>();
  const frames: ReceivedFrame[] = [];
  let base = "";

  const state: RestState = {
    token,
    bot,
    users: new Map([[bot.id, bot]]),
    channels: new Map(),
    dmChannelByUser: new Map(),
    requests: [],
    messages: [],
    injections: [],
    cdn: new Map(),
    gatewayUrl: () => `${base.replace(/^http/, "ws")}/gateway`,
    onRequest: (r) => {
      for (const w of requestWaiters) {
        if (w.match(r)) {
          requestWaiters.delete(w);
          w.resolve(r);
        }
      }
    },
  };
  for (const guild of guilds) {
    for (const channel of guild.channels) state.channels.set(channel.id, { channel, guildId: guild.id });
  }
  const gateway = new FakeGateway({
    token,
    bot,
    guilds,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    messageContentIntent: options.messageContentIntent ?? true,
    url: state.gatewayUrl,
    onFrame: (f) => {
      frames.push(f);
      for (const w of frameWaiters) {
        if (w.op === f.op) {
          frameWaiters.delete(w);
          w.resolve(f);
        }
      }
    },
  });

  const server = createServer((req, res) => {
    handleRest(state, req, res).catch((err: Error) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `fake discord error: ${err.message}`, code: 0 }));
    });
  });
  server.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://fake").pathname === "/gateway")
      gateway.handleUpgrade(req, socket, head);
    else socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    token,
    bot,
    apiBaseUrl: `${base}/api`,
    gatewayUrl: state.gatewayUrl(),
    requests: state.requests,
    messages: state.messages,
    frames,
    sendMessage(msg) {
      state.users.set(msg.author.id, msg.author);
      if (!msg.guildId && !state.channels.has(msg.channelId)) {
        // A DM the user opened: the fake learns the channel so the bot can answer in it.
        state.channels.set(msg.channelId, { channel: { id: msg.channelId, name: "", type: 1 } });
        state.dmChannelByUser.set(msg.author.id, msg.channelId);
      }
      const payload = messagePayload(msg, state.users, (path, data) => {
        state.cdn.set(path, data);
        return `${base}${path}`;
      });
      gateway.dispatch("MESSAGE_CREATE", payload);
      return payload.id;
    },
    dispatch: (t, d) => gateway.dispatch(t, d),
    nextRequest: (match) => new Promise((resolve) => requestWaiters.add({ match, resolve })),
    nextFrame: (op) => new Promise((resolve) => frameWaiters.add({ op, resolve })),
    failNext: (injection) => state.injections.push({ ...injection }),
    dropConnection: () => gateway.dropConnection(),
    closeWith: (code) => gateway.closeWith(code),
    invalidateSession: (resumable) => gateway.invalidateSession(resumable),
    addUser: (user) => state.users.set(user.id, user),
    async close() {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
