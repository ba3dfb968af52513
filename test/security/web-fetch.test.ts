import type { LookupAddress } from "node:dns";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runTool, type ToolContext } from "../../src/agents/tools/index.js";
import type { Resolve } from "../../src/agents/tools/web-address.js";
import { createWebFetchTool } from "../../src/agents/tools/web-fetch.js";

/**
 * SSRF through `web_fetch`, performed against real servers on loopback addresses:
 * - 127.0.0.1 is the gateway's own host: an "internal" server that must never get a request;
 * - 127.0.0.2 plays a public site (the tool is told to treat it as public); it redirects on demand;
 * - 127.0.0.3 plays a public address where nothing listens.
 * All three use the same port, so the only thing that decides which one is reached is the
 * address the socket connects to. DNS is a fake that answers each lookup from a script (TTL 0).
 */

const PUBLIC_SITE = "127.0.0.2";
const PUBLIC_DEAD = "127.0.0.3";

function recordingServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    handler(req, res);
  });
  server.on("connection", () => connections++);
  return { server, requests, connections: () => connections };
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
const close = (server: Server) => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
};

/** A DNS that answers each name from a queue of answers, repeating the last one; it logs every lookup. */
function scriptedDns(script: Record<string, string[][]>) {
  const lookups: string[] = [];
  const resolve: Resolve = async (hostname) => {
    lookups.push(hostname);
    const queue = script[hostname];
    if (!queue) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    const answer = (queue.length > 1 ? queue.shift() : queue[0])!;
    return answer.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolve, lookups };
}

const ctx = (): ToolContext => ({
  workspace: "/nonexistent",
  agentId: "main",
  sessionKey: "agent:main:main",
  signal: new AbortController().signal,
});

describe("web_fetch SSRF defences", () => {
  let port: number;
  const internal = recordingServer((_req, res) => res.end("internal secret"));
  const site = recordingServer((req, res) => {
    const redirect =
      req.url === "/loop" ? "/loop" : new URL(req.url ?? "/", "http://x").searchParams.get("to");
    if (redirect) {
      res.statusCode = 302;
      res.setHeader("location", redirect.replaceAll("PORT", String(port)));
    }
    res.end("public page");
  });

  beforeAll(async () => {
    await listen(internal.server, 0, "127.0.0.1");
    port = (internal.server.address() as AddressInfo).port;
    await listen(site.server, port, PUBLIC_SITE);
  });
  afterAll(async () => {
    await Promise.all([close(internal.server), close(site.server)]);
  });
  beforeEach(() => {
    internal.requests.length = 0;
    site.requests.length = 0;
  });

  const fetcher = (script: Record<string, string[][]>) => {
    const dns = scriptedDns(script);
    const tools = [createWebFetchTool({ resolve: dns.resolve, allowAddresses: [PUBLIC_SITE, PUBLIC_DEAD] })];
    const fetch = async (url: string) => {
      const result = await runTool(tools, "web_fetch", { url }, ctx());
      return { text: result.content[0]!.text, isError: result.isError === true };
    };
    return { fetch, lookups: dns.lookups };
  };

  // The name is `localhost`: any resolution besides the checked one (the system resolver's)
  // lands on the internal server, as the red team's TTL-0 name did.
  it("connects to the address it checked, not to a second answer (DNS rebinding)", async () => {
    const { fetch, lookups } = fetcher({ localhost: [[PUBLIC_DEAD], ["127.0.0.1"]] });
    const result = await fetch(`http://localhost:${port}/`);
    expect(internal.requests).toEqual([]);
    expect(internal.connections()).toBe(0);
    expect(result.isError).toBe(true);
    expect(result.text).toContain(`ECONNREFUSED ${PUBLIC_DEAD}:${port}`);
    expect(lookups).toEqual(["localhost"]);
  });

  it("pins https connections the same way (refused or connected to the checked address before any TLS)", async () => {
    const { fetch, lookups } = fetcher({ localhost: [[PUBLIC_DEAD], ["127.0.0.1"], ["127.0.0.1"]] });
    expect((await fetch(`https://localhost:${port}/`)).text).toContain(`ECONNREFUSED ${PUBLIC_DEAD}:${port}`);
    expect((await fetch(`https://localhost:${port}/`)).text).toContain("private or loopback address");
    expect(lookups).toEqual(["localhost", "localhost"]);
    expect(internal.requests).toEqual([]);
    expect(internal.connections()).toBe(0);
  });

  it("reuses a kept-alive socket only as connected to the checked address, and re-checks new sockets", async () => {
    const { fetch, lookups } = fetcher({ localhost: [[PUBLIC_SITE], ["127.0.0.1"]] });
    const before = site.connections();
    expect(await fetch(`http://localhost:${port}/one`)).toEqual({
      text: `HTTP 200 http://localhost:${port}/one\n\npublic page`,
      isError: false,
    });
    // Second request, same host: the pooled socket (connected to the site) serves it; no lookup.
    expect((await fetch(`http://localhost:${port}/two`)).text).toContain("public page");
    expect(site.connections() - before).toBe(1);
    expect(lookups).toEqual(["localhost"]);
    // Two at once need a second socket: its lookup now answers loopback, and that one is refused.
    const both = await Promise.all([
      fetch(`http://localhost:${port}/3`),
      fetch(`http://localhost:${port}/4`),
    ]);
    expect(both.filter((r) => r.text.includes("public page"))).toHaveLength(1);
    expect(both.filter((r) => r.text.includes("private or loopback address"))).toHaveLength(1);
    expect(internal.requests).toEqual([]);
    expect(site.requests).toHaveLength(3);
  });

  it.each([
    ["an IPv4 literal", "http://127.0.0.1:PORT/secret"],
    ["a decimal IPv4 literal", "http://2130706433:PORT/secret"],
    ["an IPv4-mapped IPv6 literal", "http://[::ffff:127.0.0.1]:PORT/secret"],
    ["a name that resolves to loopback", "http://internal.test:PORT/secret"],
    ["a name that resolves to NAT64 loopback", "http://nat64.test:PORT/secret"],
  ])("refuses a redirect to %s", async (_label, target) => {
    const { fetch } = fetcher({
      "site.test": [[PUBLIC_SITE]],
      "internal.test": [["127.0.0.1"]],
      "nat64.test": [["64:ff9b::7f00:1"]],
    });
    const result = await fetch(`http://site.test:${port}/?to=${encodeURIComponent(target)}`);
    expect(result).toEqual({ text: expect.stringContaining("private or loopback address"), isError: true });
    expect(site.requests).toHaveLength(1);
    expect(internal.requests).toEqual([]);
  });

  it.each([
    "http://127.1:PORT/",
    "http://2130706433:PORT/",
    "http://0x7f.0.0.1:PORT/",
    "http://0177.0.0.1:PORT/",
    "http://0:PORT/",
    "http://[::1]:PORT/",
    "http://[::]:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://[::ffff:7f00:1]:PORT/",
    "http://[::127.0.0.1]:PORT/",
    "http://[64:ff9b::127.0.0.1]:PORT/",
    "http://[64:ff9b:1::7f00:1]:PORT/",
    "http://[2002:7f00:1::]:PORT/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:PORT/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]:PORT/",
  ])("refuses the literal %s before connecting", async (url) => {
    const { fetch, lookups } = fetcher({});
    const result = await fetch(url.replace("PORT", String(port)));
    expect(result).toEqual({ text: expect.stringContaining("private or loopback address"), isError: true });
    expect(lookups).toEqual([]);
    expect(internal.requests).toEqual([]);
  });

  it("refuses a name when any of its addresses is private, without connecting to the public one", async () => {
    const { fetch } = fetcher({ "mixed.test": [[PUBLIC_SITE, "10.0.0.1"]] });
    const result = await fetch(`http://mixed.test:${port}/`);
    expect(result.text).toContain("mixed.test is or resolves to a private or loopback address");
    expect(site.requests).toEqual([]);
  });

  it("stops after a bounded number of redirects", async () => {
    const { fetch } = fetcher({ "site.test": [[PUBLIC_SITE]] });
    const result = await fetch(`http://site.test:${port}/loop`);
    expect(result.text).toContain("more than 5 redirects");
    expect(site.requests).toHaveLength(6);
  });
});
