import type { IncomingMessage, ServerResponse } from "node:http";
import { parseMultipart } from "../multipart.js";
import { channelPayload, type FakeChannel, type FakeUser, snowflake, userPayload } from "./payloads.js";

/** One REST request as the fake saw it. The Authorization header is checked, never kept. */
export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: string;
  /** Whether Authorization was exactly `Bot <the fake's token>`. */
  authorized: boolean;
  /** Parsed JSON body, or `payload_json` of a multipart body. */
  body?: unknown;
  files: { field: string; name: string; size: number; contentType: string }[];
  /** Status the fake answered with. */
  status: number;
}

/** A message a bot posted, as stored by the fake. */
export interface PostedMessage {
  id: string;
  channelId: string;
  content: string;
  replyTo?: string;
  files: { name: string; size: number }[];
}

export interface Injection {
  method?: string;
  /** Matches `RecordedRequest.path` (a string must be equal). */
  path?: string | RegExp;
  status: number;
  /** Seconds, for 429s. */
  retryAfter?: number;
  global?: boolean;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface RestState {
  token: string;
  bot: FakeUser;
  users: Map<string, FakeUser>;
  channels: Map<string, { channel: FakeChannel; guildId?: string }>;
  dmChannelByUser: Map<string, string>;
  requests: RecordedRequest[];
  messages: PostedMessage[];
  injections: Injection[];
  /** Attachment bytes by path (`/attachments/<channel>/<id>/<name>`), served without auth like Discord's CDN. */
  cdn: Map<string, Buffer>;
  gatewayUrl(): string;
  onRequest(req: RecordedRequest): void;
}

const API_PREFIX = "/api/v10";

export async function handleRest(state: RestState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake");
  const record: RecordedRequest = {
    method: req.method ?? "GET",
    // Discord accepts percent-encoded paths (`/users/%40me`, as some clients send).
    path: decodeURIComponent(
      url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname,
    ),
    query: url.search,
    authorized: req.headers.authorization === `Bot ${state.token}`,
    files: [],
    status: 0,
  };
  const raw = await readBody(req);
  await parseBody(record, req.headers["content-type"] ?? "", raw);
  const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
    record.status = status;
    state.requests.push(record);
    state.onRequest(record);
    res.writeHead(status, {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const file = req.method === "GET" ? state.cdn.get(url.pathname) : undefined;
  if (file) {
    record.status = 200;
    state.requests.push(record);
    state.onRequest(record);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.length });
    return void res.end(file);
  }
  if (!url.pathname.startsWith(API_PREFIX)) return reply(404, { message: "404: Not Found", code: 0 });
  if (!record.authorized) return reply(401, { message: "401: Unauthorized", code: 0 });
  const injected = takeInjection(state, record);
  if (injected) return replyInjected(injected, reply);
  const bucket = {
    "X-RateLimit-Limit": "5",
    "X-RateLimit-Remaining": "4",
    "X-RateLimit-Reset": String(Date.now() / 1000 + 1),
    "X-RateLimit-Reset-After": "1",
    "X-RateLimit-Bucket": "fakebucket",
  };
  const route = `${record.method} ${record.path}`;
  if (route === "GET /gateway/bot") {
    return reply(200, {
      url: state.gatewayUrl(),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
    });
  }
  if (route === "GET /users/@me") return reply(200, userPayload(state.bot));
  // The application behind the bot (same id), and its slash commands (none; writes are echoed).
  if (route === "GET /oauth2/applications/@me" || route === "GET /applications/@me") {
    return reply(200, { id: state.bot.id, name: state.bot.username, bot_public: true, flags: 0 });
  }
  if (/^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(record.path)) {
    if (record.method === "GET") return reply(200, []);
    if (record.method === "PUT") {
      const commands = Array.isArray(record.body) ? (record.body as Record<string, unknown>[]) : [];
      return reply(
        200,
        commands.map((c) => ({ ...c, id: snowflake(), application_id: state.bot.id })),
      );
    }
  }
  if (route === "POST /users/@me/channels") {
    const recipient = (record.body as { recipient_id?: string } | undefined)?.recipient_id;
    if (!recipient) return reply(400, { message: "Invalid Form Body", code: 50035 });
    let id = state.dmChannelByUser.get(recipient);
    if (!id) {
      id = snowflake();
      state.dmChannelByUser.set(recipient, id);
      state.channels.set(id, { channel: { id, name: "", type: 1 } });
    }
    const user = state.users.get(recipient) ?? { id: recipient, username: recipient };
    return reply(200, { id, type: 1, last_message_id: null, recipients: [userPayload(user)] });
  }
  const channelRoute = /^\/channels\/(\d+)(\/typing|\/messages)?$/.exec(record.path);
  if (channelRoute) {
    const channelId = channelRoute[1]!;
    const found = state.channels.get(channelId);
    if (!found) return reply(404, { message: "Unknown Channel", code: 10003 });
    const action = `${record.method} ${channelRoute[2] ?? ""}`;
    if (action === "GET ") return reply(200, channelPayload(found.channel, found.guildId));
    if (action === "POST /typing") return reply(204, undefined, bucket);
    if (action === "POST /messages") {
      const result = postMessage(state, channelId, record);
      return "error" in result
        ? reply(400, result.error)
        : reply(200, messageResponse(state, result), bucket);
    }
  }
  return reply(404, { message: "404: Not Found", code: 0 });
}

function postMessage(
  state: RestState,
  channelId: string,
  record: RecordedRequest,
): PostedMessage | { error: { message: string; code: number } } {
  const body = (record.body ?? {}) as { content?: string; message_reference?: { message_id?: string } };
  if (!body.content && record.files.length === 0) {
    return { error: { message: "Cannot send an empty message", code: 50006 } };
  }
  if ((body.content?.length ?? 0) > 2000) return { error: { message: "Invalid Form Body", code: 50035 } };
  const posted: PostedMessage = {
    id: snowflake(),
    channelId,
    content: body.content ?? "",
    ...(body.message_reference?.message_id ? { replyTo: body.message_reference.message_id } : {}),
    files: record.files.map((f) => ({ name: f.name, size: f.size })),
  };
  state.messages.push(posted);
  return posted;
}

function messageResponse(state: RestState, posted: PostedMessage) {
  return {
    id: posted.id,
    type: posted.replyTo ? 19 : 0,
    channel_id: posted.channelId,
    author: userPayload(state.bot),
    content: posted.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: posted.files.map((f) => ({ id: snowflake(), filename: f.name, size: f.size, url: "" })),
    embeds: [],
    pinned: false,
  };
}

function takeInjection(state: RestState, record: RecordedRequest): Injection | undefined {
  const found = state.injections.find(
    (inj) =>
      (!inj.method || inj.method.toUpperCase() === record.method) &&
      (!inj.path || (typeof inj.path === "string" ? inj.path === record.path : inj.path.test(record.path))),
  );
  if (!found) return undefined;
  found.times = (found.times ?? 1) - 1;
  if (found.times <= 0) state.injections.splice(state.injections.indexOf(found), 1);
  return found;
}

function replyInjected(
  inj: Injection,
  reply: (status: number, body?: unknown, headers?: Record<string, string>) => void,
): void {
  if (inj.status !== 429) {
    reply(inj.status, { message: `${inj.status}: injected failure`, code: 0 });
    return;
  }
  const retryAfter = inj.retryAfter ?? 1;
  // Headers as Discord sends them with a 429 (values in seconds).
  reply(
    429,
    { message: "You are being rate limited.", retry_after: retryAfter, global: inj.global ?? false },
    {
      "Retry-After": String(Math.ceil(retryAfter)),
      "X-RateLimit-Limit": "5",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(Date.now() / 1000 + retryAfter),
      "X-RateLimit-Reset-After": String(retryAfter),
      "X-RateLimit-Bucket": "fakebucket",
      "X-RateLimit-Scope": "user",
      ...(inj.global ? { "X-RateLimit-Global": "true" } : {}),
    },
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

async function parseBody(record: RecordedRequest, contentType: string, raw: Buffer): Promise<void> {
  if (raw.length === 0) return;
  if (contentType.startsWith("application/json")) {
    record.body = JSON.parse(raw.toString("utf8"));
    return;
  }
  if (contentType.startsWith("multipart/form-data")) {
    for (const part of await parseMultipart(raw, contentType)) {
      if ("value" in part) {
        if (part.field === "payload_json") record.body = JSON.parse(part.value);
      } else {
        const { name, size, contentType } = part.file;
        record.files.push({ field: part.field, name, size, contentType });
      }
    }
  }
}
