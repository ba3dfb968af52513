import http from "node:http";
import https from "node:https";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import { z } from "zod";
import { defineTool, ToolRefusal, text } from "./types.js";
import {
  type AddressPolicy,
  pinnedLookup,
  type Resolve,
  refuseBlockedLiteral,
  systemResolve,
} from "./web-address.js";

export const WEB_FETCH_MAX_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 20_000;
const MAX_TEXT_CHARS = 100_000;
/** Redirects followed per fetch: enough for http → https → www → canonical page, short of a loop. */
const MAX_REDIRECTS = 5;
/** A kept-alive socket idle this long is closed: reuse within an agent's turn, nothing held for long. */
const IDLE_SOCKET_MS = 10_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const HEADERS = { "user-agent": "openclaw-lite web_fetch", "accept-encoding": "gzip, br" };

export interface WebFetchOptions extends AddressPolicy {
  /** Name resolution for new connections (tests inject a fake DNS). */
  resolve?: Resolve;
}

/**
 * `web_fetch`: GET an http(s) URL with a time and size limit and return its text
 * (HTML reduced to text). Private and loopback addresses are refused unless
 * `allowPrivateNetwork` (tests, or a user who wants LAN access) is set.
 *
 * Requests go through node:http(s) agents whose `lookup` checks every address it returns
 * (web-address.ts), so the socket connects only to checked addresses, on the first request,
 * each redirect and every new pooled connection; kept-alive sockets were checked when opened.
 */
export function createWebFetchTool(opts: WebFetchOptions = {}) {
  const agentOptions = {
    keepAlive: true,
    timeout: IDLE_SOCKET_MS,
    lookup: pinnedLookup(opts.resolve ?? systemResolve, opts),
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return defineTool({
    name: "web_fetch",
    group: "web",
    description: "Fetch a web page or text resource over http(s) and return its text content.",
    params: z.strictObject({ url: z.string().url() }),
    async execute({ url }, ctx) {
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]);
      // Redirects are followed by hand so each hop's URL is checked too (its name by the lookup).
      let current = new URL(url);
      for (let hop = 0; ; hop++) {
        if (current.protocol !== "http:" && current.protocol !== "https:") {
          throw new ToolRefusal(`only http and https URLs can be fetched (got ${current.protocol})`);
        }
        refuseBlockedLiteral(current, opts);
        const res = await get(current, current.protocol === "https:" ? agents.https : agents.http, signal);
        const location = res.headers.location;
        if (!REDIRECT_STATUSES.has(res.statusCode ?? 0) || !location) return render(res, current);
        res.resume(); // drain the redirect's body so its socket can serve the next hop
        if (hop === MAX_REDIRECTS) {
          throw new ToolRefusal(`more than ${MAX_REDIRECTS} redirects; fetch the final URL directly`);
        }
        current = new URL(location, current);
      }
    },
  });
}

function get(url: URL, agent: http.Agent, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, { agent, signal, headers: HEADERS }, resolve);
    req.on("error", reject);
    req.end();
  });
}

async function render(res: http.IncomingMessage, url: URL) {
  const status = res.statusCode ?? 0;
  const body = await readCapped(decoded(res), WEB_FETCH_MAX_BYTES);
  let content = body.text;
  if ((res.headers["content-type"] ?? "").includes("html")) content = htmlToText(content);
  if (content.length > MAX_TEXT_CHARS) content = `${content.slice(0, MAX_TEXT_CHARS)}\n[truncated]`;
  const note = body.truncated ? `\n[response over ${WEB_FETCH_MAX_BYTES} bytes; cut]` : "";
  return text(`HTTP ${status} ${url.href}\n\n${content}${note}`, status < 200 || status > 299);
}

/** The body with its content coding undone (the size cap applies to the decoded bytes). */
function decoded(res: http.IncomingMessage): Readable {
  const coding = res.headers["content-encoding"]?.trim().toLowerCase();
  const decoder =
    coding === "gzip" || coding === "x-gzip"
      ? zlib.createGunzip()
      : coding === "deflate"
        ? zlib.createInflate()
        : coding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  // A failure on either side destroys both and surfaces when the decoder is read.
  return decoder ? pipeline(res, decoder, () => {}) : res;
}

async function readCapped(body: Readable, max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  // Leaving the loop early destroys the stream (and its socket): the rest is never downloaded.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > max) {
      truncated = true;
      break;
    }
  }
  return { text: Buffer.concat(chunks).subarray(0, max).toString("utf8"), truncated };
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>|<\/(p|div|li|h\d|tr)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n\s*\n+/g, "\n\n")
    .trim();
}
