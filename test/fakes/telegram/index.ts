/**
 * A fake Telegram Bot API for tests and benches: a loopback HTTP server answering
 * `/bot<token>/<method>` as the real API does (JSON envelopes `{ok, result}` or
 * `{ok: false, error_code, description, parameters}`), with getUpdates long polling,
 * webhook delivery, strict HTML parse mode and injected failures. Point a client at
 * it with `apiRoot`.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseTelegramHtml } from "./html.js";
import { type FakeChat, type FakeUser, type InjectedMessage, messagePayload } from "./payloads.js";
import { err, ok, parseJson, type Reply, readParams, send } from "./wire.js";

export { mentionEntities, privateChat } from "./payloads.js";
export type { FakeChat, FakeUser, InjectedMessage };

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Status the fake answered with. */
  status: number;
}

export interface SentMessage {
  messageId: number;
  chatId: string;
  text: string;
  parseMode?: string;
  replyTo?: number;
  threadId?: number;
}

export interface Injection {
  method: string;
  status: number;
  /** Seconds, for 429s (`parameters.retry_after`). */
  retryAfter?: number;
  description?: string;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface FakeTelegram {
  token: string;
  bot: FakeUser;
  apiRoot: string;
  calls: RecordedCall[];
  sent: SentMessage[];
  /** The registered webhook, if any. */
  webhook(): { url: string; secret?: string } | undefined;
  /** Queues a message update (delivered by getUpdates, or POSTed to the webhook); returns its message id. */
  inject(msg: InjectedMessage): number;
  /** POSTs an update to the webhook URL with `secret` in the secret header; resolves with the status. */
  postToWebhook(update: unknown, secret: string | undefined): Promise<number>;
  /** The update a message would become (for hand-made webhook posts). */
  buildUpdate(msg: InjectedMessage): { update_id: number; message: Record<string, unknown> };
  /** Resolves once a getUpdates long poll is being held open. */
  pollHeld(): Promise<void>;
  /** The next call (after now) of `method` matching `match`; calls are recorded when answered. */
  nextCall(method: string, match?: (c: RecordedCall) => boolean): Promise<RecordedCall>;
  /** The next message the bot sends (after now) matching `match`. */
  nextSent(match?: (m: SentMessage) => boolean): Promise<SentMessage>;
  failNext(injection: Injection): void;
  close(): Promise<void>;
}

export async function startFakeTelegram(
  options: { token?: string; bot?: FakeUser } = {},
): Promise<FakeTelegram> {
  const token = options.token ?? "123456789:AAFakeTelegramBotToken_abcdefghijklm";
  const bot: FakeUser = options.bot ?? {
    id: 123456789,
    first_name: "OpenClaw",
    username: "openclaw_test_bot",
  };
  const calls: RecordedCall[] = [];
  const sent: SentMessage[] = [];
  const injections: Injection[] = [];
  const files = new Map<string, { path: string; data: Buffer }>();
  const pending: { update_id: number; message: Record<string, unknown> }[] = [];
  const pollers = new Set<() => void>();
  const pollHeldWaiters = new Set<() => void>();
  const callWaiters = new Set<{
    method: string;
    match(c: RecordedCall): boolean;
    resolve(c: RecordedCall): void;
  }>();
  const sentWaiters = new Set<{ match(m: SentMessage): boolean; resolve(m: SentMessage): void }>();
  let webhook: { url: string; secret?: string } | undefined;
  let nextUpdateId = 1000;
  let nextMessageId = 5000;
  let base = "";

  const record = (call: RecordedCall) => {
    calls.push(call);
    for (const w of callWaiters) {
      if (w.method === call.method && w.match(call)) {
        callWaiters.delete(w);
        w.resolve(call);
      }
    }
  };
  /** Called once the call that sent `m` is recorded, so waiters see both. */
  const announceSent = (m: SentMessage) => {
    for (const w of sentWaiters) {
      if (w.match(m)) {
        sentWaiters.delete(w);
        w.resolve(m);
      }
    }
  };

  const methods: Record<
    string,
    (p: Record<string, unknown>, req: IncomingMessage) => Promise<Reply> | Reply
  > = {
    getMe: () => ok({ ...bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false }),
    getUpdates: (p, req) => getUpdates(p, req),
    setWebhook: (p) => {
      webhook = { url: String(p.url), ...(p.secret_token ? { secret: String(p.secret_token) } : {}) };
      for (const update of pending.splice(0)) void deliver(update);
      return ok(true);
    },
    deleteWebhook: () => {
      webhook = undefined;
      return ok(true);
    },
    getWebhookInfo: () => ok({ url: webhook?.url ?? "", pending_update_count: pending.length }),
    sendChatAction: () => ok(true),
    sendMessage: (p) => sendMessage(p),
    sendDocument: (p) => sendMedia(p, "document"),
    sendPhoto: (p) => sendMedia(p, "photo"),
    getFile: (p) => {
      const file = files.get(String(p.file_id));
      if (!file) return err(400, "Bad Request: invalid file_id");
      return ok({
        file_id: p.file_id,
        file_unique_id: `u-${p.file_id}`,
        file_size: file.data.length,
        file_path: file.path,
      });
    },
  };

  async function getUpdates(p: Record<string, unknown>, req: IncomingMessage): Promise<Reply> {
    if (webhook) return err(409);
    const offset = Number(p.offset ?? 0);
    // Updates below the offset are confirmed: Telegram forgets them.
    while (pending.length > 0 && pending[0]!.update_id < offset) pending.shift();
    const timeout = Number(p.timeout ?? 0);
    if (pending.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          pollers.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, timeout * 1000);
        pollers.add(wake);
        req.socket.once("close", wake);
        for (const w of pollHeldWaiters) w();
        pollHeldWaiters.clear();
      });
    }
    const limit = Number(p.limit ?? 100);
    return ok(pending.slice(0, limit));
  }

  function sendMessage(p: Record<string, unknown>): Reply {
    let text = String(p.text ?? "");
    if (p.parse_mode === "HTML") {
      const parsed = parseTelegramHtml(text);
      if (!parsed.ok) return err(400, parsed.description);
      text = parsed.text;
    }
    if (!text.trim()) return err(400, "Bad Request: message text is empty");
    if (text.length > 4096) return err(400, "Bad Request: message is too long");
    const message = storeSent(p, String(p.text));
    return { ...ok(message.result), sent: message.sent };
  }

  function sendMedia(p: Record<string, unknown>, kind: string): Reply {
    const message = storeSent(p, String(p.caption ?? ""));
    return {
      ...ok({ ...message.result, [kind]: { file_id: `sent-${message.sent.messageId}` } }),
      sent: message.sent,
    };
  }

  function storeSent(p: Record<string, unknown>, text: string) {
    const replyParams = parseJson(p.reply_parameters) as { message_id?: number } | undefined;
    const replyTo =
      replyParams?.message_id ?? (p.reply_to_message_id ? Number(p.reply_to_message_id) : undefined);
    const m: SentMessage = {
      messageId: nextMessageId++,
      chatId: String(p.chat_id),
      text,
      ...(p.parse_mode ? { parseMode: String(p.parse_mode) } : {}),
      ...(replyTo !== undefined ? { replyTo: Number(replyTo) } : {}),
      ...(p.message_thread_id !== undefined ? { threadId: Number(p.message_thread_id) } : {}),
    };
    sent.push(m);
    const result = {
      message_id: m.messageId,
      from: { ...bot, is_bot: true },
      chat: { id: Number(p.chat_id) },
      date: 0,
      text,
    };
    return { result, sent: m };
  }

  async function deliver(update: { update_id: number }): Promise<void> {
    if (!webhook) return;
    await postToWebhook(update, webhook.secret).catch(() => 0);
  }

  async function postToWebhook(update: unknown, secret: string | undefined): Promise<number> {
    if (!webhook) throw new Error("fake telegram: no webhook is set");
    const res = await fetch(webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(secret !== undefined ? { "x-telegram-bot-api-secret-token": secret } : {}),
      },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  function buildUpdate(msg: InjectedMessage) {
    for (const f of [msg.photo, msg.document]) {
      if (f) files.set(f.fileId, { path: `files/${f.fileId}.bin`, data: randomBytes(f.size) });
    }
    if (msg.voice)
      files.set(msg.voice.fileId, { path: `voice/${msg.voice.fileId}.oga`, data: msg.voice.data });
    return { update_id: nextUpdateId++, message: messagePayload(msg, nextMessageId++, bot) };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) =>
      send(res, 500, { ok: false, error_code: 500, description: e.message }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const file = [...files.values()].find((f) => f.path === fileMatch[2]);
      if (fileMatch[1] !== token || !file)
        return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.data.length });
      res.end(file.data);
      return;
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const method = m[2]!;
    const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    let reply: Reply;
    if (m[1] !== token) reply = err(401);
    else if (!methods[method]) reply = err(404, "Not Found");
    else reply = takeInjection(method) ?? (await methods[method]!(params, req));
    record({ method, params, status: reply.status });
    if (reply.sent) announceSent(reply.sent);
    if (!res.destroyed) send(res, reply.status, reply.body);
  }

  function takeInjection(method: string): Reply | undefined {
    const i = injections.findIndex((x) => x.method === method);
    if (i < 0) return undefined;
    const injection = injections[i]!;
    injection.times = (injection.times ?? 1) - 1;
    if (injection.times <= 0) injections.splice(i, 1);
    if (injection.status === 429) {
      const after = injection.retryAfter ?? 1;
      return err(429, injection.description ?? `Too Many Requests: retry after ${after}`, {
        retry_after: after,
      });
    }
    return err(injection.status, injection.description);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    token,
    bot,
    apiRoot: base,
    calls,
    sent,
    webhook: () => webhook,
    inject(msg) {
      const update = buildUpdate(msg);
      if (webhook) void deliver(update);
      else {
        pending.push(update);
        for (const wake of [...pollers]) wake();
      }
      return update.message.message_id as number;
    },
    postToWebhook,
    buildUpdate,
    pollHeld: () =>
      pollers.size > 0 ? Promise.resolve() : new Promise<void>((resolve) => pollHeldWaiters.add(resolve)),
    nextCall: (method, match = () => true) =>
      new Promise((resolve) => callWaiters.add({ method, match, resolve })),
    nextSent: (match = () => true) => new Promise((resolve) => sentWaiters.add({ match, resolve })),
    failNext: (injection) => injections.push({ ...injection }),
    async close() {
      for (const wake of [...pollers]) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
