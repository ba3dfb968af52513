/**
 * A fake Telnyx for tests: Call Control v2 on a loopback port (`POST /v2/calls`,
 * `POST /v2/calls/{call_control_id}/actions/{answer,reject,speak,transcription_start,
 * transcription_stop,hangup}`; Bearer API key; `{errors: [...]}` bodies; a repeated
 * `command_id` runs once) and the phone network behind it. Calls POST JSON webhooks
 * signed with an Ed25519 key the fake generates (`publicKey` is its base64 raw public
 * key, as the Telnyx Portal shows it), one at a time per call, in order:
 * call.initiated → (answer) call.answered → (speak) call.speak.started/ended, the
 * caller's `say()` as call.transcription once transcription runs, call.hangup.
 * Error codes are Telnyx's where known (10009, 10005, 90018); validation failures
 * answer 422 with code 10015.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign as signBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TelnyxCallState = "parked" | "bridging" | "answered" | "ended";

/** A webhook exactly as sent (or to send): replay it with `send()`, tamper with a copy. */
export interface SignedWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Delivery {
  request: SignedWebhook;
  eventType: string;
  /** The gateway's answer. */
  status: number;
  body: string;
}

/** One REST request as the fake saw it (the Authorization header is checked, never kept). */
export interface ApiRequest {
  method: string;
  path: string;
  /** `answer`, `speak`, … for call commands; `dial` for POST /v2/calls. */
  action: string;
  callControlId?: string;
  body: Record<string, unknown>;
  status: number;
}

export interface Injection {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
  /** Only this action fails (default: any request). */
  action?: string;
}

export interface FakeTelnyxOptions {
  apiKey?: string;
  connectionId?: string;
  /** Placed calls are picked up at once (default true); false: the test calls `answer()` or `reject()`. */
  autoAnswer?: boolean;
}

export interface FakeTelnyx {
  apiKey: string;
  connectionId: string;
  /** base64 of the raw 32-byte Ed25519 public key: the provider's `publicKey`. */
  publicKey: string;
  /** Give this to the provider as `apiBaseUrl`. */
  apiBaseUrl: string;
  requests: ApiRequest[];
  deliveries: Delivery[];
  calls: FakeTelnyxCall[];
  /** A call to one of our numbers: call.initiated (parked, incoming) goes to `webhookUrl`. Resolves once it was answered (the HTTP answer, not the call). */
  inboundCall(opts: { from: string; to: string; webhookUrl: string }): Promise<FakeTelnyxCall>;
  /** The next call placed through the API (after now). */
  nextCall(): Promise<FakeTelnyxCall>;
  /** A webhook signed as Telnyx would sign it (not sent); `timestamp` in unix seconds (default now). */
  sign(url: string, body: unknown, timestamp?: number): SignedWebhook;
  send(webhook: SignedWebhook): Promise<{ status: number; body: string }>;
  /** The next REST request (for `action`, if given) fails with Telnyx's error JSON. */
  failNext(injection: Injection): void;
  close(): Promise<void>;
}

export interface FakeTelnyxCall {
  callControlId: string;
  from: string;
  to: string;
  direction: "incoming" | "outgoing";
  state: TelnyxCallState;
  /** Every speak payload, in order. */
  spoken: string[];
  /** Payloads still playing when a hangup command came (the caller heard them cut off). */
  cutOff: string[];
  /** transcription_start ran (and no stop since). */
  transcribing: boolean;
  /** The caller speaks: call.transcription (final; with `interim`, an interim one first). Needs transcription running. */
  say(speech: string, opts?: { confidence?: number; interim?: string }): Promise<void>;
  /** The caller hangs up. */
  hangup(): Promise<void>;
  /** A placed call is picked up (with `autoAnswer: false`). */
  answer(): Promise<void>;
  /** A placed call is not picked up (call.hangup with this cause, e.g. user_busy, timeout). */
  reject(cause: string): Promise<void>;
  /** The next speak payload (after now). */
  nextSpoken(): Promise<string>;
  /** Resolves when `check()` holds, tested after every change of the call. */
  until(check: (call: FakeTelnyxCall) => boolean): Promise<void>;
  /** Resolves once every webhook queued so far was answered. */
  settled(): Promise<void>;
}

interface LiveCall extends FakeTelnyxCall {
  webhookUrl: string;
  legId: string;
  sessionId: string;
  commandIds: Set<string>;
  /** Queues a webhook; `before` runs when its turn comes, just before it is sent. */
  emit(eventType: string, extra?: Record<string, unknown>, before?: () => void): Promise<void>;
  /** Speak payloads not yet finished. */
  playing: string[];
  setState(state: TelnyxCallState): void;
  changed(): void;
}

/** Longest speak payload Telnyx accepts. */
const MAX_SPEAK_CHARS = 3000;

export async function startFakeTelnyx(options: FakeTelnyxOptions = {}): Promise<FakeTelnyx> {
  const apiKey = options.apiKey ?? `KEY${randomBytes(16).toString("hex").toUpperCase()}_fake`;
  const connectionId = options.connectionId ?? String(1_000_000_000_000 + randomBytes(4).readUInt32BE());
  const autoAnswer = options.autoAnswer ?? true;
  const keys = generateKeyPairSync("ed25519");
  // The SPKI DER of an Ed25519 key ends with the 32 raw key bytes.
  const publicKey = keys.publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
  const requests: ApiRequest[] = [];
  const deliveries: Delivery[] = [];
  const calls: LiveCall[] = [];
  const injections: Injection[] = [];
  const callWaiters: ((call: FakeTelnyxCall) => void)[] = [];

  function sign(url: string, body: unknown, timestamp = Math.floor(Date.now() / 1000)): SignedWebhook {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const signature = signBytes(null, Buffer.from(`${timestamp}|${text}`), keys.privateKey).toString(
      "base64",
    );
    return {
      url,
      headers: {
        "content-type": "application/json",
        "user-agent": "telnyx-webhooks",
        "telnyx-signature-ed25519": signature,
        "telnyx-timestamp": String(timestamp),
      },
      body: text,
    };
  }

  async function send(webhook: SignedWebhook): Promise<{ status: number; body: string }> {
    const res = await fetch(webhook.url, { method: "POST", headers: webhook.headers, body: webhook.body });
    return { status: res.status, body: await res.text() };
  }

  function createCall(init: {
    from: string;
    to: string;
    direction: "incoming" | "outgoing";
    state: TelnyxCallState;
    webhookUrl: string;
  }): LiveCall {
    const watchers = new Set<() => boolean>();
    // Telnyx's webhooks for one call, one after another (tests then see a stable order).
    let queue = Promise.resolve();

    const call: LiveCall = {
      callControlId: `v3:${randomBytes(24).toString("base64url")}`,
      legId: randomUUID(),
      sessionId: randomUUID(),
      commandIds: new Set(),
      from: init.from,
      to: init.to,
      direction: init.direction,
      state: init.state,
      webhookUrl: init.webhookUrl,
      spoken: [],
      cutOff: [],
      playing: [],
      transcribing: false,
      async say(speech, opts = {}) {
        if (call.state !== "answered")
          throw new Error(`fake telnyx: call ${call.callControlId} is ${call.state}`);
        if (!call.transcribing) {
          throw new Error(
            `fake telnyx: nobody listens on call ${call.callControlId} (no transcription_start)`,
          );
        }
        const data = (transcript: string, isFinal: boolean) => ({
          transcription_data: { confidence: opts.confidence ?? 0.95, is_final: isFinal, transcript },
        });
        if (opts.interim !== undefined) void call.emit("call.transcription", data(opts.interim, false));
        await call.emit("call.transcription", data(speech, true));
      },
      async hangup() {
        if (call.state === "ended") return;
        call.setState("ended");
        await call.emit("call.hangup", { hangup_cause: "normal_clearing", hangup_source: "caller" });
      },
      async answer() {
        if (call.state !== "bridging")
          throw new Error(`fake telnyx: call ${call.callControlId} is ${call.state}`);
        call.setState("answered");
        await call.emit("call.answered");
      },
      async reject(cause) {
        if (call.state === "ended") return;
        call.setState("ended");
        await call.emit("call.hangup", { hangup_cause: cause, hangup_source: "callee" });
      },
      nextSpoken() {
        const n = call.spoken.length;
        return call.until(() => call.spoken.length > n).then(() => call.spoken[n]!);
      },
      until(check) {
        if (check(call)) return Promise.resolve();
        return new Promise<void>((resolve) =>
          watchers.add(() => {
            if (!check(call)) return false;
            resolve();
            return true;
          }),
        );
      },
      async settled() {
        // Webhooks answered may have queued more (the answer to call.initiated queues call.answered).
        for (let q = queue; ; q = queue) {
          await q;
          if (q === queue) return;
        }
      },
      emit(eventType, extra = {}, before) {
        const event = {
          data: {
            record_type: "event",
            event_type: eventType,
            id: randomUUID(),
            occurred_at: new Date().toISOString(),
            payload: {
              call_control_id: call.callControlId,
              call_leg_id: call.legId,
              call_session_id: call.sessionId,
              connection_id: connectionId,
              client_state: null,
              from: call.from,
              to: call.to,
              direction: call.direction,
              state: call.state,
              ...extra,
            },
          },
          meta: { attempt: 1, delivered_to: call.webhookUrl },
        };
        const delivery = queue.then(async () => {
          before?.();
          const request = sign(call.webhookUrl, event);
          const answer = await send(request).catch((err: Error) => ({ status: 0, body: err.message }));
          deliveries.push({ request, eventType, ...answer });
        });
        queue = delivery;
        return delivery;
      },
      setState(state) {
        call.state = state;
        call.changed();
      },
      changed() {
        for (const w of [...watchers]) if (w()) watchers.delete(w);
      },
    };
    calls.push(call);
    return call;
  }

  /** A call command: answers first, then the call emits what Telnyx would (without awaiting it). */
  function command(call: LiveCall, action: string, body: Record<string, unknown>): Reply {
    if (call.state === "ended") {
      return telnyxError(
        422,
        "90018",
        "Call has already ended",
        "This call is no longer active and can't receive commands.",
      );
    }
    const commandId = typeof body.command_id === "string" ? body.command_id : undefined;
    if (commandId && call.commandIds.has(commandId)) return ok(); // Telnyx ignores a repeated command_id
    if (commandId) call.commandIds.add(commandId);
    const answered = call.state === "answered";
    const notAnswered = () =>
      telnyxError(422, "10015", "Invalid call state", "The call has not been answered yet.");
    switch (action) {
      case "answer":
        if (call.state !== "parked")
          return telnyxError(422, "10015", "Invalid call state", "The call is not parked.");
        call.setState("answered");
        void call.emit("call.answered");
        return ok();
      case "reject":
        if (call.state !== "parked")
          return telnyxError(422, "10015", "Invalid call state", "The call is not parked.");
        call.setState("ended");
        void call.emit("call.hangup", { hangup_cause: "call_rejected", hangup_source: "callee" });
        return ok();
      case "speak": {
        const payload = typeof body.payload === "string" ? body.payload : "";
        if (!payload.trim() || payload.length > MAX_SPEAK_CHARS) {
          return telnyxError(
            422,
            "10015",
            "Invalid value for payload",
            `payload must be 1 to ${MAX_SPEAK_CHARS} characters.`,
          );
        }
        if (!answered) return notAnswered();
        call.spoken.push(payload);
        call.playing.push(payload);
        call.changed();
        void call.emit("call.speak.started");
        // The words have been heard by the time Telnyx reports the end.
        void call.emit("call.speak.ended", { status: "completed" }, () => call.playing.shift());
        return ok();
      }
      case "transcription_start":
      case "transcription_stop":
        if (!answered) return notAnswered();
        call.transcribing = action === "transcription_start";
        call.changed();
        return ok();
      case "hangup":
        call.cutOff.push(...call.playing.splice(0));
        call.setState("ended");
        void call.emit("call.hangup", {
          hangup_cause: "normal_clearing",
          hangup_source: call.direction === "incoming" ? "callee" : "caller",
        });
        return ok();
      default:
        return notFound();
    }
  }

  function dial(body: Record<string, unknown>): Reply & { call?: LiveCall } {
    const e164 = /^\+[1-9]\d{1,14}$/;
    if (body.connection_id !== connectionId) {
      return telnyxError(
        422,
        "10015",
        "Invalid value for connection_id",
        "The connection_id is not one of your connections.",
      );
    }
    for (const field of ["to", "from"] as const) {
      if (typeof body[field] !== "string" || !e164.test(body[field])) {
        return telnyxError(422, "10015", `Invalid value for ${field}`, `${field} must be an E.164 number.`);
      }
    }
    if (typeof body.webhook_url !== "string") {
      // A real connection has a default webhook URL; the fake has nowhere to send events.
      return telnyxError(422, "10015", "Invalid value for webhook_url", "The fake needs webhook_url.");
    }
    const call = createCall({
      from: body.from as string,
      to: body.to as string,
      direction: "outgoing",
      state: "bridging",
      webhookUrl: body.webhook_url,
    });
    const data = {
      call_control_id: call.callControlId,
      call_leg_id: call.legId,
      call_session_id: call.sessionId,
      is_alive: false,
      record_type: "call",
    };
    return { status: 200, body: { data }, call };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const body = await readJson(req);
    const m = /^\/v2\/calls\/([^/]+)\/actions\/(\w+)$/.exec(url.pathname);
    const callControlId = m ? decodeURIComponent(m[1]!) : undefined;
    const action = m ? m[2]! : url.pathname === "/v2/calls" ? "dial" : "";
    const record: ApiRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      action,
      ...(callControlId ? { callControlId } : {}),
      body,
      status: 0,
    };
    requests.push(record);
    let reply: Reply & { call?: LiveCall };
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      reply = telnyxError(
        401,
        "10009",
        "Authentication failed",
        "Could not understand the provided credentials.",
      );
    } else if (req.method !== "POST" || !action) {
      reply = notFound();
    } else {
      const i = injections.findIndex((x) => !x.action || x.action === action);
      if (i >= 0) {
        const x = injections.splice(i, 1)[0]!;
        reply = telnyxError(
          x.status,
          x.code ?? "10007",
          x.title ?? "Unexpected error",
          x.detail ?? "An unexpected error occured.",
        );
      } else if (action === "dial") {
        reply = dial(body);
      } else {
        const call = calls.find((c) => c.callControlId === callControlId);
        reply = call ? command(call, action, body) : notFound();
      }
    }
    record.status = reply.status;
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.body));
    const placed = reply.call;
    if (placed) {
      for (const w of callWaiters.splice(0)) w(placed);
      // After the answer, as Telnyx does: the dialled call reports itself, then is picked up.
      void placed.emit("call.initiated").then(() => (autoAnswer ? placed.answer() : undefined));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) {
        const reply = telnyxError(500, "10007", "Unexpected error", err.message);
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(reply.body));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiKey,
    connectionId,
    publicKey,
    apiBaseUrl,
    requests,
    deliveries,
    calls,
    async inboundCall({ from, to, webhookUrl }) {
      const call = createCall({ from, to, direction: "incoming", state: "parked", webhookUrl });
      await call.emit("call.initiated", { start_time: new Date().toISOString() });
      return call;
    },
    nextCall: () => new Promise((resolve) => callWaiters.push(resolve)),
    sign,
    send,
    failNext: (injection) => injections.push(injection),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Reply {
  status: number;
  body: unknown;
}

const ok = (): Reply => ({ status: 200, body: { data: { result: "ok" } } });

const notFound = (): Reply =>
  telnyxError(404, "10005", "Resource not found", "The requested resource or URL could not be found.");

function telnyxError(status: number, code: string, title: string, detail: string): Reply {
  return {
    status,
    body: {
      errors: [
        { code, title, detail, meta: { url: `https://developers.telnyx.com/docs/overview/errors/${code}` } },
      ],
    },
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return { raw: text };
  }
}
