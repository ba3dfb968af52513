/**
 * A fake Twilio for tests: the REST API on a loopback port (`/2010-04-01/Accounts/
 * {sid}/Calls.json` to place a call, `/Calls/{sid}.json` to update one; HTTP Basic
 * auth, Twilio's JSON errors) and the phone network behind it. A call POSTs
 * form-encoded webhooks signed as Twilio signs them (HMAC-SHA1 with the auth token)
 * and runs the TwiML it gets back: `<Say>` is recorded as spoken, `<Gather>` waits
 * for the test to `say()` something (or stay silent), `<Redirect>` is followed after
 * its `<Pause>` (scaled down, or on demand), `<Hangup>` and the end of a document end
 * the call. A document Twilio could not parse fails the call, as on the real thing.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TwilioCallStatus =
  | "queued"
  | "initiated"
  | "ringing"
  | "in-progress"
  | "completed"
  | "busy"
  | "failed"
  | "no-answer"
  | "canceled";

/** A webhook exactly as sent (or to send): replay it with `send()`, tamper with a copy. */
export interface SignedWebhook {
  url: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body: string;
}

export interface Delivery {
  request: SignedWebhook;
  params: Record<string, string>;
  /** The gateway's answer. */
  status: number;
  body: string;
}

/** One REST request as the fake saw it (the Authorization header is checked, never kept). */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string | string[]>;
  /** The fake's answer (0 until answered). */
  readonly status: number;
}

export interface Injection {
  status: number;
  code?: number;
  message?: string;
  /** Only requests whose path matches fail (default: any). */
  path?: RegExp;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** Follow `<Redirect>` without being asked (default true), after `<Pause>` seconds × `pauseMsPerSecond` (default 10). */
  autoRedirect?: boolean;
  pauseMsPerSecond?: number;
  /** Placed calls are picked up at once (default true); false: the test calls `answer()` or `reject()`. */
  autoAnswer?: boolean;
}

export interface FakeTwilio {
  accountSid: string;
  authToken: string;
  /** Give this to the provider as `apiBaseUrl`. */
  apiBaseUrl: string;
  requests: ApiRequest[];
  deliveries: Delivery[];
  calls: FakeTwilioCall[];
  /**
   * A call to one of our numbers: Twilio POSTs the voice webhook (`webhookUrl`, the
   * number's "A call comes in" URL) and runs the answer. `statusCallback` is the
   * number's "Call status changes" URL (none: no status webhooks, as on Twilio).
   * Resolves once the first TwiML has run as far as it can.
   */
  inboundCall(opts: {
    from: string;
    to: string;
    webhookUrl: string;
    statusCallback?: string;
  }): Promise<FakeTwilioCall>;
  /** The next call placed through the API (after now). */
  nextCall(): Promise<FakeTwilioCall>;
  /** A webhook signed as Twilio would sign it (not sent). */
  sign(url: string, params: Record<string, string>, method?: "POST" | "GET"): SignedWebhook;
  send(webhook: SignedWebhook): Promise<{ status: number; body: string }>;
  /** The next REST request (matching `path`, if given) fails with Twilio's error JSON. */
  failNext(injection: Injection): void;
  close(): Promise<void>;
}

export interface FakeTwilioCall {
  sid: string;
  from: string;
  to: string;
  direction: "inbound" | "outbound-api";
  status: TwilioCallStatus;
  /** Every `<Say>` text, in order. */
  spoken: string[];
  /** Every TwiML document the call ran, as received. */
  documents: string[];
  /** Twilio's complaints (unparseable TwiML, webhook failures), as "code: text". */
  errors: string[];
  /** A `<Gather>` is waiting for speech. */
  readonly listening: boolean;
  /** A `<Redirect>` waits for `followRedirect()` (with `autoRedirect: false`). */
  readonly redirectPending: boolean;
  /** The caller speaks while a `<Gather>` listens; resolves once the answer has run. */
  say(speech: string, confidence?: number): Promise<void>;
  /** The caller says nothing while a `<Gather>` listens. */
  silence(): Promise<void>;
  followRedirect(): Promise<void>;
  /** The caller hangs up. */
  hangup(): Promise<void>;
  /** A placed call is picked up (with `autoAnswer: false`). */
  answer(): Promise<void>;
  /** A placed call is not picked up. */
  reject(status: "busy" | "no-answer" | "failed"): Promise<void>;
  /** The next `<Say>` (after now). */
  nextSpoken(): Promise<string>;
  /** Resolves when `check()` holds, tested after every change of the call. */
  until(check: (call: FakeTwilioCall) => boolean): Promise<void>;
}

/** The fake's side of a call. */
interface LiveCall extends FakeTwilioCall {
  /** What a placed call runs once picked up: `Twiml`, or what `Url` answers (asked with `Method`). */
  voiceUrl: { url: string; method: string; twiml?: string };
  run(doc: string, docUrl: string): Promise<void>;
  fetch(url: string, method: string, extra?: Record<string, string>): Promise<void>;
  statusEvent(event: string): Promise<void>;
  setStatus(status: TwilioCallStatus): void;
  end(status: TwilioCallStatus): Promise<void>;
}

const API_VERSION = "2010-04-01";
const ACTIVE: TwilioCallStatus[] = ["queued", "initiated", "ringing", "in-progress"];

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString("hex")}`;
  const authToken = options.authToken ?? randomBytes(16).toString("hex");
  const autoRedirect = options.autoRedirect ?? true;
  const pauseMsPerSecond = options.pauseMsPerSecond ?? 10;
  const autoAnswer = options.autoAnswer ?? true;
  const requests: ApiRequest[] = [];
  const deliveries: Delivery[] = [];
  const calls: LiveCall[] = [];
  const injections: Injection[] = [];
  const callWaiters: ((call: FakeTwilioCall) => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function sign(url: string, params: Record<string, string>, method: "POST" | "GET" = "POST"): SignedWebhook {
    const body = method === "POST" ? new URLSearchParams(params).toString() : "";
    const target = method === "GET" ? withQuery(url, params) : url;
    const hmac = createHmac("sha1", authToken).update(target);
    if (method === "POST") {
      for (const key of Object.keys(params).sort()) hmac.update(key + params[key]);
    }
    return {
      url: target,
      method,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": "TwilioProxy/1.1",
        "x-twilio-signature": hmac.digest("base64"),
        "i-twilio-idempotency-token": randomUUID(),
      },
      body,
    };
  }

  async function send(webhook: SignedWebhook): Promise<{ status: number; body: string }> {
    const res = await fetch(webhook.url, {
      method: webhook.method,
      headers: webhook.headers,
      ...(webhook.method === "POST" ? { body: webhook.body } : {}),
    });
    return { status: res.status, body: await res.text() };
  }

  async function deliver(url: string, params: Record<string, string>, method: "POST" | "GET") {
    const request = sign(url, params, method);
    const answer = await send(request).catch((err: Error) => ({ status: 0, body: err.message }));
    deliveries.push({ request, params, ...answer });
    return answer;
  }

  function createCall(init: {
    from: string;
    to: string;
    direction: "inbound" | "outbound-api";
    status: TwilioCallStatus;
    statusCallback?: { url: string; method: "POST" | "GET"; events: string[] };
  }): LiveCall {
    const watchers = new Set<() => boolean>();
    let gather:
      | { action: string; method: "POST" | "GET"; onEmpty: boolean; rest: XmlNode[]; docUrl: string }
      | undefined;
    let redirect: { url: string; method: "POST" | "GET" } | undefined;
    // A new document (an update through the API) cancels whatever the old one was doing.
    let generation = 0;
    let sequence = 0;

    const call: LiveCall = {
      sid: `CA${randomBytes(16).toString("hex")}`,
      from: init.from,
      to: init.to,
      direction: init.direction,
      status: init.status,
      spoken: [],
      documents: [],
      errors: [],
      get listening() {
        return gather !== undefined;
      },
      get redirectPending() {
        return redirect !== undefined;
      },
      async say(speech: string, confidence = 0.92) {
        const g = takeGather();
        await call.fetch(g.action, g.method, { SpeechResult: speech, Confidence: String(confidence) });
      },
      async silence() {
        const g = takeGather();
        if (g.onEmpty) await call.fetch(g.action, g.method);
        else await runVerbs(g.rest, g.docUrl, generation);
      },
      async followRedirect() {
        if (!redirect) throw new Error(`fake twilio: call ${call.sid} has no <Redirect> to follow`);
        const r = redirect;
        redirect = undefined;
        await call.fetch(r.url, r.method);
      },
      async hangup() {
        await end("completed");
      },
      async answer() {
        if (call.status !== "ringing")
          throw new Error(`fake twilio: call ${call.sid} is ${call.status}, not ringing`);
        setStatus("in-progress");
        await statusEvent("answered");
        if (call.voiceUrl.twiml !== undefined) await call.run(call.voiceUrl.twiml, "https://api.twilio.com/");
        else await call.fetch(call.voiceUrl.url, call.voiceUrl.method);
      },
      async reject(status: "busy" | "no-answer" | "failed") {
        await end(status);
      },
      nextSpoken() {
        const n = call.spoken.length;
        return call.until(() => call.spoken.length > n).then(() => call.spoken[n]!);
      },
      until(check: (c: FakeTwilioCall) => boolean) {
        if (check(call)) return Promise.resolve();
        return new Promise<void>((resolve) =>
          watchers.add(() => {
            if (!check(call)) return false;
            resolve();
            return true;
          }),
        );
      },
      /** Runs a TwiML document, as far as it goes without the caller. */
      async run(doc: string, docUrl: string) {
        const mine = ++generation;
        gather = undefined;
        redirect = undefined;
        call.documents.push(doc);
        let verbs: XmlNode[];
        try {
          const root = parseXml(doc);
          if (root.name !== "Response") throw new Error(`the root element is <${root.name}>, not <Response>`);
          verbs = root.children.filter((c): c is XmlNode => typeof c !== "string");
        } catch (err) {
          call.errors.push(`12100: Document parse failure (${(err as Error).message})`);
          await end("completed");
          return;
        }
        await runVerbs(verbs, docUrl, mine);
      },
      /** Asks `url` for TwiML (a webhook) and runs the answer. */
      async fetch(url: string, method: string, extra: Record<string, string> = {}) {
        const mine = generation;
        const answer = await deliver(url, { ...params(), ...extra }, method === "GET" ? "GET" : "POST");
        if (mine !== generation || !ACTIVE.includes(call.status)) return;
        if (answer.status !== 200) {
          call.errors.push(`11200: HTTP retrieval failure (${answer.status || answer.body})`);
          await end("completed");
          return;
        }
        // Twilio picks up an inbound call when it has TwiML to run.
        if (call.status === "ringing" && call.direction === "inbound") setStatus("in-progress");
        await call.run(answer.body, url);
      },
      voiceUrl: { url: "", method: "POST" },
      statusEvent,
      setStatus,
      end,
    };

    function takeGather() {
      if (!gather) throw new Error(`fake twilio: call ${call.sid} is not listening (no <Gather> running)`);
      const g = gather;
      gather = undefined;
      return g;
    }

    function changed() {
      for (const w of [...watchers]) if (w()) watchers.delete(w);
    }

    function setStatus(status: TwilioCallStatus) {
      call.status = status;
      changed();
    }

    function params(): Record<string, string> {
      return {
        AccountSid: accountSid,
        ApiVersion: API_VERSION,
        CallSid: call.sid,
        CallStatus: call.status,
        Called: call.to,
        Caller: call.from,
        Direction: call.direction,
        From: call.from,
        To: call.to,
      };
    }

    async function statusEvent(event: string) {
      const cb = init.statusCallback;
      if (!cb?.events.includes(event)) return;
      await deliver(
        cb.url,
        {
          ...params(),
          CallbackSource: "call-progress-events",
          SequenceNumber: String(sequence++),
          Timestamp: new Date().toUTCString(),
          ...(event === "completed" ? { CallDuration: "1" } : {}),
        },
        cb.method,
      );
    }

    async function end(status: TwilioCallStatus) {
      if (!ACTIVE.includes(call.status)) return;
      generation++;
      gather = undefined;
      redirect = undefined;
      setStatus(status);
      await statusEvent("completed");
    }

    async function runVerbs(verbs: XmlNode[], docUrl: string, mine: number) {
      let pause = 0;
      for (const [i, verb] of verbs.entries()) {
        if (mine !== generation) return;
        switch (verb.name) {
          case "Say":
            speak(verb);
            break;
          case "Pause":
            pause = Number(verb.attrs.length ?? 1);
            break;
          case "Gather":
            for (const child of verb.children)
              if (typeof child !== "string" && child.name === "Say") speak(child);
            if (!(verb.attrs.input ?? "dtmf").split(" ").includes("speech")) {
              call.errors.push('fake twilio: <Gather> without input="speech" cannot hear the caller');
            }
            gather = {
              action: new URL(verb.attrs.action ?? docUrl, docUrl).toString(),
              method: verb.attrs.method === "GET" ? "GET" : "POST",
              onEmpty: verb.attrs.actionOnEmptyResult === "true",
              rest: verbs.slice(i + 1),
              docUrl,
            };
            changed();
            return;
          case "Redirect": {
            const target = {
              url: new URL(text(verb).trim(), docUrl).toString(),
              method: verb.attrs.method === "GET" ? ("GET" as const) : ("POST" as const),
            };
            if (!autoRedirect) {
              redirect = target;
              changed();
              return;
            }
            const timer = setTimeout(() => {
              timers.delete(timer);
              if (mine === generation) void call.fetch(target.url, target.method);
            }, pause * pauseMsPerSecond);
            timers.add(timer);
            return;
          }
          case "Hangup":
            await end("completed");
            return;
          default:
            call.errors.push(
              `12200: Schema validation warning (<${verb.name}> is not a verb the fake knows)`,
            );
        }
      }
      // Out of verbs: Twilio ends the call.
      if (mine === generation) await end("completed");
    }

    function speak(say: XmlNode) {
      call.spoken.push(text(say));
      changed();
    }

    return call;
  }

  function placeCall(p: Record<string, string | string[]>): LiveCall {
    const one = (k: string) => (Array.isArray(p[k]) ? (p[k] as string[])[0] : (p[k] as string | undefined));
    const events = ([] as string[]).concat(p.StatusCallbackEvent ?? []).flatMap((e) => e.split(" "));
    const statusUrl = one("StatusCallback");
    const call = createCall({
      from: one("From")!,
      to: one("To")!,
      direction: "outbound-api",
      status: "queued",
      ...(statusUrl
        ? {
            statusCallback: {
              url: statusUrl,
              method: one("StatusCallbackMethod") === "GET" ? "GET" : "POST",
              // Without StatusCallbackEvent Twilio reports only the end of the call.
              events: events.length > 0 ? events : ["completed"],
            },
          }
        : {}),
    });
    const twiml = one("Twiml");
    call.voiceUrl = { url: one("Url") ?? "", method: one("Method") ?? "POST", ...(twiml ? { twiml } : {}) };
    calls.push(call);
    return call;
  }

  /** What Twilio does after answering 201: dial, ring, and (unless told to wait) pick up. */
  async function dial(call: LiveCall) {
    for (const w of callWaiters.splice(0)) w(call);
    call.setStatus("initiated");
    await call.statusEvent("initiated");
    call.setStatus("ringing");
    await call.statusEvent("ringing");
    if (autoAnswer) await call.answer();
  }

  async function updateCall(call: LiveCall, p: Record<string, string>, res: ServerResponse) {
    if (p.Status === "completed" || p.Status === "canceled") {
      const status: TwilioCallStatus = call.status === "in-progress" ? "completed" : "canceled";
      send200(res, call);
      await call.end(status);
      return;
    }
    if (call.status !== "in-progress") {
      return twilioError(res, 400, 21220, "Call is not in-progress. Cannot redirect.");
    }
    if (p.Twiml !== undefined) {
      send200(res, call);
      await call.run(p.Twiml, "https://api.twilio.com/");
    } else if (p.Url) {
      send200(res, call);
      await call.fetch(p.Url, p.Method ?? "POST");
    } else {
      twilioError(res, 400, 21205, "Url is not a valid URL: ");
    }
  }

  function send200(res: ServerResponse, call: FakeTwilioCall, status = 200) {
    json(res, status, callResource(call, accountSid));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const p = await readForm(req);
    requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      params: p,
      // Known once answered; read it after the client has the answer.
      get status() {
        return res.headersSent ? res.statusCode : 0;
      },
    });
    const prefix = `/${API_VERSION}/Accounts/${accountSid}`;
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
    if (req.headers.authorization !== expected || !url.pathname.startsWith(`${prefix}/`)) {
      res.setHeader("www-authenticate", 'Basic realm="Twilio API"');
      return twilioError(res, 401, 20003, "Authenticate");
    }
    const i = injections.findIndex((x) => !x.path || x.path.test(url.pathname));
    if (i >= 0) {
      const inj = injections.splice(i, 1)[0]!;
      return twilioError(res, inj.status, inj.code ?? 20500, inj.message ?? "Internal Server Error");
    }
    const flat = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
    if (req.method === "POST" && url.pathname === `${prefix}/Calls.json`) {
      const problem = callProblem(flat);
      if (problem) return twilioError(res, 400, problem.code, problem.message);
      const call = placeCall(p);
      res.once("finish", () => void dial(call));
      return send200(res, call, 201);
    }
    const m = /^\/Calls\/(CA\w+)\.json$/.exec(url.pathname.slice(prefix.length));
    const call = m ? calls.find((c) => c.sid === m[1]) : undefined;
    if (req.method === "POST" && call) return updateCall(call, flat, res);
    twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) twilioError(res, 500, 20500, err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    accountSid,
    authToken,
    apiBaseUrl,
    requests,
    deliveries,
    calls,
    async inboundCall({ from, to, webhookUrl, statusCallback }) {
      const call = createCall({
        from,
        to,
        direction: "inbound",
        status: "ringing",
        // A number's status callback reports the end of the call only.
        ...(statusCallback
          ? { statusCallback: { url: statusCallback, method: "POST", events: ["completed"] } }
          : {}),
      });
      calls.push(call);
      await call.fetch(webhookUrl, "POST");
      return call;
    },
    nextCall: () => new Promise((resolve) => callWaiters.push(resolve)),
    sign,
    send,
    failNext: (injection) => injections.push(injection),
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function callProblem(p: Record<string, string>): { code: number; message: string } | undefined {
  const e164 = /^\+[1-9]\d{1,14}$/;
  if (!p.To) return { code: 21201, message: "No 'To' number is specified" };
  if (!e164.test(p.To)) return { code: 21211, message: `Invalid 'To' Phone Number: ${p.To}` };
  if (!p.From) return { code: 21213, message: "No 'From' number is specified" };
  if (!e164.test(p.From)) return { code: 21212, message: `Invalid From Number (caller ID): ${p.From}` };
  if (!p.Url && !p.Twiml) return { code: 21205, message: "Url is not a valid URL: " };
  return undefined;
}

function callResource(call: FakeTwilioCall, accountSid: string) {
  return {
    sid: call.sid,
    account_sid: accountSid,
    to: call.to,
    from: call.from,
    status: call.status,
    direction: call.direction,
    api_version: API_VERSION,
    uri: `/${API_VERSION}/Accounts/${accountSid}/Calls/${call.sid}.json`,
  };
}

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<Record<string, string | string[]>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  return out;
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

// ——— A strict little XML reader: enough of XML 1.0 for TwiML, and no more forgiving than Twilio.

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: (XmlNode | string)[];
}

const text = (node: XmlNode): string => node.children.filter((c) => typeof c === "string").join("");

function parseXml(doc: string): XmlNode {
  const body = doc.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, "");
  const token =
    /<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/g;
  const root: XmlNode = { name: "#document", attrs: {}, children: [] };
  const stack = [root];
  let at = 0;
  for (const m of body.matchAll(token)) {
    addText(stack.at(-1)!, body.slice(at, m.index));
    at = m.index + m[0].length;
    const [whole, closing, name = "", attrText = "", selfClosing] = m;
    if (whole.startsWith("<!--")) continue;
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name || stack.length === 0) throw new Error(`unexpected </${name}>`);
      continue;
    }
    const node: XmlNode = { name, attrs: parseAttrs(attrText), children: [] };
    stack.at(-1)!.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  addText(stack.at(-1)!, body.slice(at));
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  const elements = root.children.filter((c): c is XmlNode => typeof c !== "string");
  if (elements.length !== 1) throw new Error("a document has exactly one root element");
  return elements[0]!;
}

function addText(node: XmlNode, raw: string): void {
  if (raw.includes("<")) throw new Error(`markup in text: ${JSON.stringify(raw)}`);
  if (node.name === "#document") {
    if (raw.trim()) throw new Error("text outside the root element");
    return;
  }
  if (raw) node.children.push(decodeEntities(raw));
}

function parseAttrs(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of raw.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attrs[m[1]!] = decodeEntities(m[2] ?? m[3] ?? "");
  }
  return attrs;
}

function decodeEntities(raw: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(";")) throw new Error(`a bare & in ${JSON.stringify(raw)}`);
    if (named[name]) return named[name];
    const code = /^#x([0-9a-f]+)$/i.exec(name)?.[1] ?? /^#(\d+)$/.exec(name)?.[1];
    if (code === undefined) throw new Error(`unknown entity &${name};`);
    return String.fromCodePoint(Number.parseInt(code, /^#x/i.test(name) ? 16 : 10));
  });
}
