import type { IncomingMessage, ServerResponse } from "node:http";

/** An HTTP route on the gateway port; later modules (UI, webhooks, OpenAI API) add theirs. */
export interface HttpRoute {
  /** Exact path, or a prefix when it ends with `/*`. */
  path: string;
  methods: readonly string[];
  /** Returning `false` passes the request on (to later routes, then the JSON 404). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): unknown;
}

/** Thrown by a route to answer with a 4xx and a message the client may see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The whole request body; a body over `maxBytes` is refused with 413 before more is read. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `the body is over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const JSON_CONTENT_TYPE = /^application\/json\s*(?:;|$)/i;

/**
 * Whether the request says its body is JSON. Routes that act on a JSON body require it:
 * a page on another site can POST `text/plain` without asking (no CORS preflight), but
 * not `application/json`.
 */
export function hasJsonBody(req: IncomingMessage): boolean {
  return JSON_CONTENT_TYPE.test(req.headers["content-type"] ?? "");
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}
