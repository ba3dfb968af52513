/**
 * A fake `signal-cli daemon --http` for tests: a loopback HTTP server speaking the same
 * JSON-RPC 2.0 (POST /api/v1/rpc), Server-Sent Events (GET /api/v1/events, `event:receive`
 * with `{ envelope, account }` data and ids for Last-Event-ID) and GET /api/v1/check.
 * Tests inject incoming messages, read what the bot sent, and make calls fail.
 * Received files are kept as signal-cli keeps them (id = random name + extension, listed
 * in the envelope as contentType, filename, id, size, …) and served base64 by the
 * `getAttachment` call, as signal-cli answers it.
 *
 * Only Node built-ins and no relative imports: `cli.ts` beside it runs this file as a
 * stand-in signal-cli executable (Node strips the types).
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RpcCall {
  method: string;
  params: Record<string, unknown>;
  id: unknown;
}

export interface SentMessage {
  recipient?: string[];
  groupId?: string;
  message: string;
  attachments: string[];
  timestamp: number;
}

export interface IncomingMessage {
  /** The sender's number (E.164); `uuid` alone for a sender without a known number. */
  from?: string;
  uuid?: string;
  name?: string;
  text?: string;
  groupId?: string;
  groupName?: string;
  /** Numbers mentioned; each becomes a U+FFFC placeholder appended to the text. */
  mentions?: string[];
  attachments?: IncomingAttachment[];
}

/** A file as the sender's app sent it; with `data`, the fake stores it for getAttachment. */
export interface IncomingAttachment {
  /** signal-cli's id; made up (random + extension, like signal-cli's) when absent. */
  id?: string;
  contentType: string;
  filename?: string | null;
  /** Defaults to the length of `data`. */
  size?: number;
  data?: Buffer;
}

/** Extensions signal-cli gives stored files without a file name, by content type. */
const EXTENSIONS: Record<string, string> = {
  "audio/aac": ".aac",
  "audio/ogg": ".ogg",
  "audio/mpeg": ".mp3",
  "image/jpeg": ".jpg",
};

/** Makes the next matching call(s) fail: an HTTP status, or a JSON-RPC error. */
export interface Injection {
  method?: string;
  status?: number;
  rpcError?: { code: number; message: string };
  times?: number;
}

export interface FakeSignal {
  url: string;
  account: string;
  calls: RpcCall[];
  sent: SentMessage[];
  /** Delivers a message to the bot; returns its timestamp (the message id). */
  receive(msg: IncomingMessage): number;
  /** Delivers any envelope as-is. */
  emit(envelope: Record<string, unknown>): void;
  /** The next RPC call (after now) matching `match`. */
  nextCall(match: (c: RpcCall) => boolean): Promise<RpcCall>;
  /** Resolves when an event-stream client is connected (now or later). */
  eventClient(): Promise<void>;
  failNext(injection: Injection): void;
  /** Closes every open event stream (the client should reconnect). */
  dropEvents(): void;
  close(): Promise<void>;
}

export async function startFakeSignal(
  options: { account?: string; port?: number; host?: string } = {},
): Promise<FakeSignal> {
  const account = options.account ?? "+15550000001";
  const calls: RpcCall[] = [];
  const sent: SentMessage[] = [];
  const injections: Injection[] = [];
  const events: { id: number; data: string }[] = [];
  const streams = new Set<ServerResponse>();
  const callWaiters = new Set<{ match: (c: RpcCall) => boolean; resolve(c: RpcCall): void }>();
  const clientWaiters: (() => void)[] = [];
  const files = new Map<string, Buffer>();
  let clock = 1_700_000_000_000;
  let eventId = 0;
  let fileCount = 0;

  /** The attachment as signal-cli's JsonAttachment lists it; its bytes kept under its id. */
  function stored(a: IncomingAttachment) {
    const extension = a.filename ? a.filename.slice(a.filename.lastIndexOf(".")) : EXTENSIONS[a.contentType];
    const id = a.id ?? `Att${String(++fileCount).padStart(17, "0")}${extension ?? ""}`;
    if (a.data) files.set(id, a.data);
    return {
      contentType: a.contentType,
      filename: a.filename ?? null,
      id,
      size: a.size ?? a.data?.length ?? 0,
      width: null,
      height: null,
      caption: null,
      uploadTimestamp: clock,
    };
  }

  const writeEvent = (res: ServerResponse, e: { id: number; data: string }) =>
    res.write(`id:${e.id}\nevent:receive\ndata:${e.data}\n\n`);

  function emit(envelope: Record<string, unknown>): void {
    const e = { id: ++eventId, data: JSON.stringify({ envelope, account }) };
    events.push(e);
    if (events.length > 1000) events.shift();
    for (const res of streams) writeEvent(res, e);
  }

  function receive(msg: IncomingMessage): number {
    const timestamp = ++clock;
    const placeholders = (msg.mentions ?? []).map(() => "\uFFFC").join(" ");
    const prefix = placeholders ? `${placeholders} ` : "";
    emit({
      source: msg.from ?? msg.uuid,
      sourceNumber: msg.from ?? null,
      sourceUuid: msg.uuid ?? `uuid-${msg.from ?? "x"}`,
      sourceName: msg.name ?? "",
      sourceDevice: 1,
      timestamp,
      dataMessage: {
        timestamp,
        message: `${prefix}${msg.text ?? ""}`,
        expiresInSeconds: 0,
        viewOnce: false,
        mentions: (msg.mentions ?? []).map((number, i) => ({
          name: number,
          number,
          uuid: `uuid-${number}`,
          start: i * 2,
          length: 1,
        })),
        attachments: (msg.attachments ?? []).map(stored),
        ...(msg.groupId
          ? { groupInfo: { groupId: msg.groupId, groupName: msg.groupName, type: "DELIVER" } }
          : {}),
      },
    });
    return timestamp;
  }

  function answer(call: RpcCall): { result?: unknown; error?: { code: number; message: string } } {
    const p = call.params;
    if (p.account !== undefined && p.account !== account) {
      return { error: { code: -32602, message: "Specified account does not exist" } };
    }
    switch (call.method) {
      case "send": {
        const timestamp = ++clock;
        const attachments = p.attachments ?? p.attachment ?? [];
        sent.push({
          ...(p.recipient ? { recipient: ([] as string[]).concat(p.recipient as string[]) } : {}),
          ...(p.groupId ? { groupId: p.groupId as string } : {}),
          message: String(p.message ?? ""),
          attachments: ([] as string[]).concat(attachments as string[]),
          timestamp,
        });
        return { result: { timestamp, results: [{ type: "SUCCESS" }] } };
      }
      case "sendTyping":
        return { result: {} };
      case "listAccounts":
        return { result: [{ number: account }] };
      case "getAttachment": {
        // signal-cli requires the id and one of --recipient / --group-id.
        if (typeof p.id !== "string" || (p.recipient === undefined) === (p.groupId === undefined)) {
          return { error: { code: -32602, message: "Invalid params: id and recipient or groupId" } };
        }
        const data = files.get(p.id);
        if (!data) return { error: { code: -1, message: `Could not find attachment with ID: ${p.id}` } };
        return { result: { data: data.toString("base64") } };
      }
      default:
        return { error: { code: -32601, message: `Method not implemented: ${call.method}` } };
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "GET" && url.pathname === "/api/v1/check") {
      res.writeHead(200).end();
      return;
    }
    if (req.method === "GET" && url.pathname === "/api/v1/events") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      const last = Number(req.headers["last-event-id"] ?? Number.NaN);
      if (Number.isFinite(last)) for (const e of events.filter((e) => e.id > last)) writeEvent(res, e);
      streams.add(res);
      res.on("close", () => streams.delete(res));
      for (const waiter of clientWaiters.splice(0)) waiter();
      return;
    }
    if (req.method === "POST" && url.pathname === "/api/v1/rpc") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const parsed = JSON.parse(body) as { method: string; params?: Record<string, unknown>; id: unknown };
        const call: RpcCall = { method: parsed.method, params: parsed.params ?? {}, id: parsed.id };
        calls.push(call);
        const i = injections.findIndex((inj) => !inj.method || inj.method === call.method);
        const injection = i >= 0 ? injections[i] : undefined;
        if (injection) {
          injection.times = (injection.times ?? 1) - 1;
          if (injection.times <= 0) injections.splice(i, 1);
        }
        const reply = (status: number, payload?: unknown) => {
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload ?? {}));
          for (const waiter of callWaiters) {
            if (waiter.match(call)) {
              callWaiters.delete(waiter);
              waiter.resolve(call);
            }
          }
        };
        if (injection?.status) return reply(injection.status, { error: "injected" });
        if (injection?.rpcError)
          return reply(200, { jsonrpc: "2.0", error: injection.rpcError, id: call.id });
        reply(200, { jsonrpc: "2.0", ...answer(call), id: call.id });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    account,
    calls,
    sent,
    receive,
    emit,
    nextCall: (match) => new Promise((resolve) => callWaiters.add({ match, resolve })),
    eventClient: () =>
      streams.size > 0 ? Promise.resolve() : new Promise<void>((resolve) => clientWaiters.push(resolve)),
    failNext: (injection) => injections.push({ times: 1, ...injection }),
    dropEvents() {
      for (const res of streams) res.destroy();
      streams.clear();
    },
    async close() {
      for (const res of streams) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
