/**
 * A `fetch` for SDKs that take one (e.g. @slack/web-api's `fetch` option), over node:http
 * and node:https instead of Node's global fetch. Why: Node's fetch parses HTTP with
 * undici's WebAssembly llhttp, and after a few requests V8 tiers that module up to
 * optimized code; the compiler's memory (~8-13 MB of RSS) stays with the process. A
 * channel that only makes a handful of small API calls should not pay that: node:http's
 * parser is native and already loaded (the gateway serves HTTP with it).
 *
 * The surface is what API clients use, no more: string/URL input, method, headers, a
 * string/bytes/URLSearchParams/FormData/Blob body, `signal`, `redirect` ("error" or
 * "manual": redirects are never followed, API calls do not expect them), and a standard
 * `Response` whose body was read whole (capped) and decompressed.
 */
import http from "node:http";
import https from "node:https";
import zlib from "node:zlib";

/**
 * Largest response body read into memory. API answers are JSON of a few KB; the biggest
 * legitimate ones (paged history, analytics files) stay well under this. A larger body is
 * a broken or hostile server: refused rather than buffered.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * A request whose socket stays silent this long fails: the same 300 s undici's fetch
 * gives for headers and for the body, so swapping fetches changes no timing.
 */
export const IDLE_TIMEOUT_MS = 300_000;

/** Statuses whose Response may not have a body (the Fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export interface NodeHttpFetchOptions {
  maxResponseBytes?: number;
  idleTimeoutMs?: number;
}

/** A `fetch`-compatible function over node:http(s). */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): typeof fetch {
  const limits = {
    maxBytes: options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
    idleMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
  };
  return async (input, init = {}) => {
    if (typeof input !== "string" && !(input instanceof URL)) {
      throw new TypeError("this fetch takes a URL string or URL object, not a Request");
    }
    const url = new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`cannot fetch ${url.protocol} URLs; use http: or https:`);
    }
    init.signal?.throwIfAborted();
    const headers = new Headers(init.headers);
    const body = await encodeBody(init.body, headers);
    if (body) headers.set("content-length", String(body.length));
    return send(url, { method: init.method ?? "GET", headers, body, init, limits });
  };
}

/** The request body as bytes; FormData and Blob bodies set their content-type (boundary). */
async function encodeBody(body: RequestInit["body"], headers: Headers): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // URLSearchParams, FormData, Blob, streams: the standard encoding, via Response (pure JS).
  const encoded = new Response(body);
  const type = encoded.headers.get("content-type");
  if (type && !headers.has("content-type")) headers.set("content-type", type);
  return Buffer.from(await encoded.arrayBuffer());
}

interface Outgoing {
  method: string;
  headers: Headers;
  body: Buffer | undefined;
  init: RequestInit;
  limits: { maxBytes: number; idleMs: number };
}

function send(url: URL, out: Outgoing): Promise<Response> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const req = client.request(
      url,
      { method: out.method, headers: Object.fromEntries(out.headers), signal: out.init.signal ?? undefined },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && out.init.redirect !== "manual") {
          res.resume();
          reject(new TypeError(`${url.origin}${url.pathname} answered with a redirect, which is refused`));
          return;
        }
        readBody(res, out.limits.maxBytes).then((bytes) => {
          const response = new Response(NULL_BODY.has(status) ? null : bytes, {
            status,
            statusText: res.statusMessage ?? "",
            headers: responseHeaders(res.rawHeaders),
          });
          // A built Response has url ""; clients read it (e.g. to tell endpoints apart).
          Object.defineProperty(response, "url", { value: url.href });
          resolve(response);
        }, reject);
      },
    );
    req.setTimeout(out.limits.idleMs, () =>
      req.destroy(new Error(`no answer from ${url.origin} in ${out.limits.idleMs / 1000} s`)),
    );
    req.on("error", (err) => reject(out.init.signal?.aborted ? out.init.signal.reason : err));
    req.end(out.body);
  });
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** The whole (decompressed) body, refused past `maxBytes`. */
function readBody(res: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const stream = decoder(res);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        stream.destroy();
        reject(new Error(`the response body is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
    if (stream !== res) res.on("error", reject);
  });
}

/** Decodes a gzip, deflate or br body, as fetch does; anything else is passed through. */
function decoder(res: http.IncomingMessage): NodeJS.ReadableStream & { destroy(): void } {
  const encoding = (res.headers["content-encoding"] ?? "").trim().toLowerCase();
  const unzip =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  return unzip ? res.pipe(unzip) : res;
}
