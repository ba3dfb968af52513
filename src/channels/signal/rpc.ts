/**
 * signal-cli's HTTP interface (`signal-cli daemon --http`): JSON-RPC 2.0 calls by POST to
 * /api/v1/rpc and incoming messages as Server-Sent Events from /api/v1/events (each
 * `receive` event's data is `{ envelope, account }`). Plain fetch: no library needed.
 */

/** The daemon answered the call with a JSON-RPC error (the remote said no). */
export class SignalRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    description: string,
  ) {
    super(`signal-cli ${method} failed: ${description} (code ${code})`);
    this.name = "SignalRpcError";
  }
}

/** The daemon could not be reached or answered with an HTTP error (the transport failed). */
export class SignalHttpError extends Error {
  constructor(
    readonly method: string,
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`signal-cli ${method}: ${message}`, options);
    this.name = "SignalHttpError";
  }
}

/** The daemon's answer was longer than the caller allowed (e.g. a file too big to fetch). */
export class SignalAnswerTooLargeError extends SignalHttpError {
  constructor(
    method: string,
    readonly maxBytes: number,
  ) {
    super(method, undefined, `the answer is over ${maxBytes} bytes`);
    this.name = "SignalAnswerTooLargeError";
  }
}

/** JSON-RPC "internal error": signal-cli's answer when Signal's servers failed the call. */
const INTERNAL_ERROR = -32603;

/** Network failures, HTTP 5xx and internal errors may pass on a retry; a refusal will not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof SignalRpcError) return err.code === INTERNAL_ERROR;
  if (err instanceof SignalHttpError) return err.status === undefined || err.status >= 500;
  return false;
}

export interface CallOptions {
  /** Aborts the call (besides the client's own timeout). */
  signal?: AbortSignal;
  /** Refuse an answer longer than this (SignalAnswerTooLargeError), having read no more. */
  maxBytes?: number;
}

export interface SignalRpc {
  call<T = unknown>(method: string, params: Record<string, unknown>, options?: CallOptions): Promise<T>;
  /** Whether GET /api/v1/check answers 200. */
  check(signal?: AbortSignal): Promise<boolean>;
}

export function createSignalRpc(baseUrl: string, timeoutMs = 30_000): SignalRpc {
  let nextId = 1;
  return {
    async call<T>(method: string, params: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
      const id = nextId++;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
      let res: Response;
      try {
        res = await fetch(`${baseUrl}/api/v1/rpc`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", method, params, id }),
          signal,
        });
      } catch (err) {
        throw new SignalHttpError(method, undefined, `cannot reach ${baseUrl}: ${causeOf(err)}`, {
          cause: err,
        });
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new SignalHttpError(method, res.status, `HTTP ${res.status} ${res.statusText}`.trim());
      }
      const text = await readCapped(res, method, options.maxBytes);
      const body = parseJson(text) as { result?: T; error?: { code: number; message: string } } | undefined;
      if (!body) throw new SignalHttpError(method, res.status, "the answer was not JSON");
      if (body.error) throw new SignalRpcError(method, body.error.code, body.error.message);
      return body.result as T;
    },
    async check(signal) {
      try {
        const res = await fetch(`${baseUrl}/api/v1/check`, { signal: signal ?? AbortSignal.timeout(5000) });
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Opens the event stream and calls `onEvent` for each event until the stream ends
 * (resolves) or fails (rejects). `onOpen` runs once the daemon accepted the stream.
 */
export async function readEvents(
  url: string,
  opts: {
    signal: AbortSignal;
    lastEventId?: string;
    onOpen(): void;
    onEvent(event: SseEvent): void;
  },
): Promise<void> {
  const res = await fetch(url, {
    headers: {
      accept: "text/event-stream",
      ...(opts.lastEventId ? { "last-event-id": opts.lastEventId } : {}),
    },
    signal: opts.signal,
  });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new SignalHttpError("events", res.status, `HTTP ${res.status} from ${url}`);
  }
  opts.onOpen();
  const decoder = new TextDecoder();
  let buffer = "";
  let event: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (line === "") {
        if (event.data.length > 0) {
          opts.onEvent({ id: event.id, event: event.event ?? "message", data: event.data.join("\n") });
        }
        event = { data: [] };
        continue;
      }
      if (line.startsWith(":")) continue; // keep-alive comment
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data.push(value);
      else if (field === "event") event.event = value;
      else if (field === "id") event.id = value;
    }
  }
}

/** The body as text; past `maxBytes` the call is refused (leaving the loop cancels the stream). */
async function readCapped(res: Response, method: string, maxBytes?: number): Promise<string> {
  if (maxBytes === undefined || !res.body) return res.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) throw new SignalAnswerTooLargeError(method, maxBytes);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
