import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createNodeHttpFetch } from "./node-http-fetch.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

/** A loopback server answering with `handler`; `seen` gets every request whole. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("fetch over node:http", () => {
  it("posts a form body and returns a standard Response, without Node's fetch", async () => {
    const globalFetch = vi.spyOn(globalThis, "fetch");
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-oauth-scopes": "chat:write, users:read" });
      res.end(JSON.stringify({ ok: true, user: "lite-bot" }));
    });
    const fetch = createNodeHttpFetch();
    const res = await fetch(`${url}/api/auth.test`, {
      method: "POST",
      headers: { Authorization: "Bearer xoxb-1", "Content-Type": "application/x-www-form-urlencoded" },
      body: "a=1&b=two",
      redirect: "error",
    });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${url}/api/auth.test`);
    expect(res.headers.get("x-oauth-scopes")).toBe("chat:write, users:read");
    expect(await res.json()).toEqual({ ok: true, user: "lite-bot" });
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/api/auth.test",
      body: "a=1&b=two",
      headers: { authorization: "Bearer xoxb-1", "content-length": "9" },
    });
    expect(globalFetch).not.toHaveBeenCalled();
  });

  it("encodes FormData as multipart with its boundary", async () => {
    const { url, seen } = await serve((_req, res) => res.end("{}"));
    const form = new FormData();
    form.append("channels", "C1");
    form.append("file", new Blob([new Uint8Array([1, 2, 3])]), "a.bin");
    await createNodeHttpFetch()(url, { method: "POST", body: form });
    expect(seen[0]!.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]!.body).toContain('name="file"; filename="a.bin"');
    expect(seen[0]!.body).toContain("C1");
  });

  it("hands back a 429 with its Retry-After for the client to honour", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "3" });
      res.end();
    });
    const res = await createNodeHttpFetch()(url, { method: "POST" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
  });

  it("decompresses a gzip body", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(zlib.gzipSync("compressed ok"));
    });
    expect(await (await createNodeHttpFetch()(url)).text()).toBe("compressed ok");
  });

  it("refuses a redirect instead of following it", async () => {
    const { url, seen } = await serve((_req, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/" });
      res.end();
    });
    await expect(createNodeHttpFetch()(url, { redirect: "error" })).rejects.toThrow(
      /redirect, which is refused/,
    );
    expect(seen).toHaveLength(1);
  });

  it("refuses a body over the cap, counted after decompression", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(zlib.gzipSync(Buffer.alloc(64 * 1024)));
    });
    const fetch = createNodeHttpFetch({ maxResponseBytes: 1024 });
    await expect(fetch(url)).rejects.toThrow("the response body is over 1024 bytes");
  });

  it("fails a request the server never answers, after the idle timeout", async () => {
    const { url } = await serve(() => {});
    const fetch = createNodeHttpFetch({ idleTimeoutMs: 50 });
    await expect(fetch(url)).rejects.toThrow(/no answer from http:\/\/127\.0\.0\.1:\d+ in 0\.05 s/);
  });

  it("stops when its signal aborts", async () => {
    const { url } = await serve(() => {});
    const controller = new AbortController();
    const pending = createNodeHttpFetch()(url, { signal: controller.signal });
    controller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
  });

  it("takes only http and https URLs", async () => {
    await expect(createNodeHttpFetch()("file:///etc/passwd")).rejects.toThrow(/cannot fetch file: URLs/);
  });
});
