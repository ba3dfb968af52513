import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The shared core of the fake model APIs: a real HTTP server on 127.0.0.1 that
 * answers each request from a script (a queue, then a default or a function) and
 * records what it received. Each fake (anthropic.ts, openai.ts, gemini.ts) supplies
 * its API's wire format as a `Dialect`; faults are injected here, the same for all.
 */

/** A normal answer, rendered in the API's own streaming format. */
export interface Reply {
  text?: string;
  thinking?: string;
  toolCalls?: { id?: string; name: string; args: Record<string, unknown> }[];
  usage?: { input: number; output: number; cacheRead?: number };
  stop?: "stop" | "length";
}

export type Where = "beforeFirstToken" | "afterFirstToken";

/** A misbehaviour for one request. */
export type Fault =
  /** An HTTP error with the API's error body (429 may carry `retry-after` seconds). */
  | { status: number; retryAfter?: number; message?: string }
  /** Hold the response headers back this long, then answer with `then`. */
  | { slowMs: number; then?: Reply }
  /** Send the stream up to this point, then go silent with the connection open. */
  | { stall: Where }
  /** Close the connection partway through the stream (the frames before the cut are delivered). */
  | { cut: Where }
  /** Send a chunk that is not valid JSON, then end the stream. */
  | { malformed: Where }
  /** A 200 stream that then reports an error in the API's own in-stream form (Anthropic's overloaded event). */
  | { streamError: number; at?: Where }
  /** Destroy the connection before any response. */
  | { reset: true };

export type Script = Reply | Fault;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** The body's bytes as received (multipart uploads). */
  raw: Buffer;
}

/** The API-specific part of a fake. */
export interface Dialect {
  /** SSE frames for a reply, and the index of the first frame that carries a token. */
  frames(reply: Reply, request: RecordedRequest): { frames: string[]; firstToken: number };
  errorBody(status: number, message: string): unknown;
  /** The API's in-stream error frame for an HTTP-like status. */
  errorFrame(status: number, message: string, request: RecordedRequest): string;
  /** A frame the client must fail to parse (default: an unnamed `data:` line of broken JSON). */
  malformedFrame?: string;
  /** The response for a request the fake does not serve (wrong path, say). */
  reject?(request: RecordedRequest): { status: number; body: unknown } | undefined;
  /**
   * A plain JSON answer for a non-streaming endpoint (audio transcription), or undefined
   * for the streaming path. An enqueued HTTP-error fault still comes first.
   */
  serve?(request: RecordedRequest): Promise<{ status: number; body: unknown } | undefined>;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Scripts for the next requests, in order; after them, `setDefault`'s answer. */
  enqueue(...scripts: Script[]): void;
  setDefault(script: Script | ((request: RecordedRequest) => Script)): void;
  /** Resolves with the next request received after this call. */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export const sse = (data: unknown, event?: string, eol = "\n"): string =>
  `${event ? `event: ${event}${eol}` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}${eol}${eol}`;

/** Splits text into a few deltas so streams have more than one token frame. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export async function startFakeServer(dialect: Dialect): Promise<FakeServer> {
  const queue: Script[] = [];
  let fallback: Script | ((request: RecordedRequest) => Script) = { text: "ok" };
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters: ((request: RecordedRequest) => void)[] = [];

  const server = createServer(async (req, res) => {
    const request = await record(req);
    requests.push(request);
    for (const waiter of waiters.splice(0)) waiter(request);
    const rejected = dialect.reject?.(request);
    if (rejected) return json(res, rejected.status, rejected.body);
    const head = queue[0];
    if (!(head && "status" in head)) {
      const served = await dialect.serve?.(request);
      if (served) return json(res, served.status, served.body);
    }
    const script = queue.shift() ?? (typeof fallback === "function" ? fallback(request) : fallback);
    respond(script, request, res);
  });

  const respond = (script: Script, request: RecordedRequest, res: ServerResponse): void => {
    if ("reset" in script) {
      res.socket?.destroy();
      return;
    }
    if ("status" in script) {
      const headers: Record<string, string> = script.retryAfter
        ? { "retry-after": String(script.retryAfter) }
        : {};
      json(
        res,
        script.status,
        dialect.errorBody(script.status, script.message ?? `fake error ${script.status}`),
        headers,
      );
      return;
    }
    if ("slowMs" in script) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) respond(script.then ?? { text: "slow ok" }, request, res);
      }, script.slowMs);
      timers.add(timer);
      return;
    }
    const partial = "cut" in script || "malformed" in script || "streamError" in script || "stall" in script;
    const reply: Reply = partial ? { text: "partial answer here" } : script;
    const { frames, firstToken } = dialect.frames(reply, request);
    const upToToken = (where: Where): number => (where === "beforeFirstToken" ? firstToken : firstToken + 1);
    if ("cut" in script) {
      cutStream(res, frames.slice(0, upToToken(script.cut)));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    if ("stall" in script) {
      for (const frame of frames.slice(0, upToToken(script.stall))) res.write(frame);
      return;
    }
    if ("streamError" in script) {
      for (const frame of frames.slice(0, upToToken(script.at ?? "beforeFirstToken"))) res.write(frame);
      res.end(dialect.errorFrame(script.streamError, `fake in-stream error ${script.streamError}`, request));
      return;
    }
    if ("malformed" in script) {
      for (const frame of frames.slice(0, upToToken(script.malformed))) res.write(frame);
      res.end(dialect.malformedFrame ?? 'data: {"broken": \n\n');
      return;
    }
    for (const frame of frames) res.write(frame);
    res.end();
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...scripts) => queue.push(...scripts),
    setDefault: (script) => {
      fallback = script;
    },
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { raw: text };
  }
  return {
    method: req.method ?? "GET",
    path: req.url ?? "/",
    headers: req.headers,
    body,
    raw: Buffer.concat(chunks),
  };
}

/**
 * A stream cut after `frames`: the response head and the frames as chunks of an unfinished
 * chunked body, then the connection closes. Written as raw bytes in one `socket.end(bytes)` so
 * the bytes provably precede the FIN on every Node version. (Ending the socket after
 * `res.write()` lost them on Node >= 24.22, which holds a tick's writes inside the response.)
 */
function cutStream(res: ServerResponse, frames: string[]): void {
  const head =
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n" +
    "transfer-encoding: chunked\r\n\r\n";
  const body = frames.map((frame) => `${Buffer.byteLength(frame).toString(16)}\r\n${frame}\r\n`).join("");
  res.socket?.end(head + body);
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
