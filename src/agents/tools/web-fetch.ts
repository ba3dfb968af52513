import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { z } from "zod";
import { defineTool, ToolRefusal, text } from "./types.js";

export const WEB_FETCH_MAX_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 20_000;
const MAX_TEXT_CHARS = 100_000;

/** Addresses a model must not reach through the gateway: its own host, the private network, cloud metadata. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const) {
  PRIVATE.addSubnet(net, bits, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address in disguise.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, "ipv4");
  if (address === "::") return true;
  return PRIVATE.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/**
 * `web_fetch`: GET an http(s) URL with a time and size limit and return its text
 * (HTML reduced to text). Private and loopback addresses are refused unless
 * `allowPrivateNetwork` (tests, or a user who wants LAN access) is set.
 */
export function createWebFetchTool(opts: { allowPrivateNetwork?: boolean } = {}) {
  return defineTool({
    name: "web_fetch",
    group: "web",
    description: "Fetch a web page or text resource over http(s) and return its text content.",
    params: z.strictObject({ url: z.string().url() }),
    async execute({ url }, ctx) {
      const target = new URL(url);
      if (target.protocol !== "http:" && target.protocol !== "https:") {
        throw new ToolRefusal(`only http and https URLs can be fetched (got ${target.protocol})`);
      }
      if (!opts.allowPrivateNetwork) await refusePrivate(target.hostname);
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]);
      // Redirects are followed by hand so each hop is checked against the private ranges too.
      let res: Response | undefined;
      let current = target;
      for (let hop = 0; hop < 5; hop++) {
        res = await fetch(current, {
          signal,
          redirect: "manual",
          headers: { "user-agent": "openclaw-lite web_fetch" },
        });
        const location = res.headers.get("location");
        if (res.status < 300 || res.status >= 400 || !location) break;
        current = new URL(location, current);
        if (!opts.allowPrivateNetwork) await refusePrivate(current.hostname);
      }
      if (!res) throw new ToolRefusal("no response");
      const body = await readCapped(res, WEB_FETCH_MAX_BYTES);
      const type = res.headers.get("content-type") ?? "";
      let content = body.text;
      if (type.includes("html")) content = htmlToText(content);
      if (content.length > MAX_TEXT_CHARS) content = `${content.slice(0, MAX_TEXT_CHARS)}\n[truncated]`;
      const note = body.truncated ? `\n[response over ${WEB_FETCH_MAX_BYTES} bytes; cut]` : "";
      return text(`HTTP ${res.status} ${current.href}\n\n${content}${note}`, !res.ok);
    },
  });
}

async function refusePrivate(hostname: string): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  if (addresses.some(isPrivateAddress)) {
    throw new ToolRefusal(`${hostname} resolves to a private or loopback address; refusing to fetch it`);
  }
}

async function readCapped(res: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of res.body) {
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
