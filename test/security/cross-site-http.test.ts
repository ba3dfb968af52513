/**
 * Attack: a web page makes the gateway's agent run a shell command. A page may POST
 * `text/plain` to any site without a CORS preflight, and DNS rebinding makes a hostile
 * name resolve to 127.0.0.1; on a no-token loopback gateway with the OpenAI endpoint on,
 * either reached `exec`. Each attack is performed against the built gateway with a fake
 * model that answers every turn by calling `exec` to create a marker file.
 */
import { existsSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";
import { ATTACK_BODY, startExecModel, startGatewayWithEndpoint } from "./fixtures.js";

const TOKEN = "cross-site-token-0123456789";

let anthropic: FakeServer;
/** A file only the fake model's `exec` call creates. */
let marker: string;

beforeAll(async () => {
  ({ anthropic, marker } = await startExecModel());
});
afterAll(async () => {
  await anthropic.close();
});

const startWithEndpoint = (env: Record<string, string>) => startGatewayWithEndpoint(anthropic, env);

/** A raw HTTP request: unlike fetch, it can send the Host header a rebinding browser sends. */
function send(
  port: number,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path: urlPath, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let message = text;
        try {
          message = JSON.parse(text).error?.message ?? text;
        } catch {
          // Not JSON: keep the raw text.
        }
        resolve({ status: res.statusCode ?? 0, message });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const post = (port: number, headers: Record<string, string>) =>
  send(port, "POST", "/v1/chat/completions", headers, ATTACK_BODY);

describe("cross-site requests against a no-token loopback gateway with the OpenAI endpoint on", () => {
  let gw: RunningGateway;
  let port: number;
  beforeAll(async () => {
    gw = await startWithEndpoint({});
    port = gw.port;
  });
  afterAll(async () => {
    await gw.stop();
  });

  it.each([
    ["a page on another site (text/plain, no preflight)", { origin: "https://evil.example" }],
    ["a page on another loopback port", { origin: "http://127.0.0.1:8000" }],
    ["a page on localhost under another port", { origin: "http://localhost:3000" }],
    ["DNS rebinding (hostile name resolving to 127.0.0.1)", { rebind: true }],
  ])("%s is refused and exec never runs", async (_name, attack) => {
    const host = "rebind.evil.example";
    const headers: Record<string, string> = { "content-type": "text/plain;charset=UTF-8" };
    if ("origin" in attack) headers.origin = attack.origin;
    if ("rebind" in attack) {
      headers.host = `${host}:${port}`;
      headers.origin = `http://${host}:${port}`;
    }
    const res = await post(port, headers);
    expect(res.status).toBe(403);
    expect(anthropic.requests).toHaveLength(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("even a same-origin JSON request is refused: bearer routes need gateway auth, and the message says how", async () => {
    const res = await post(port, { "content-type": "application/json", origin: `http://127.0.0.1:${port}` });
    expect(res.status).toBe(403);
    expect(res.message).toContain("set gateway.auth.token");
    expect(anthropic.requests).toHaveLength(0);
  });

  it.each([
    ["another loopback port", { origin: "http://127.0.0.1:8000" }],
    ["DNS rebinding", { host: "rebind.evil.example", origin: "http://rebind.evil.example" }],
  ])("the WebSocket from %s is refused too (it would get an admin hello-ok)", async (_name, headers) => {
    const url = `ws://127.0.0.1:${port}`;
    const withPort = {
      ...headers,
      ...("host" in headers ? { host: `${headers.host}:${port}`, origin: `${headers.origin}:${port}` } : {}),
    };
    await expect(RawSocket.open(url, withPort)).rejects.toThrow("HTTP 403");
  });

  it("the Control UI page and /healthz still answer clients that address it as localhost", async () => {
    const health = await fetch(`http://localhost:${port}/healthz`);
    expect(health.status).toBe(200);
    const same = await RawSocket.open(`ws://127.0.0.1:${port}`, { origin: `http://127.0.0.1:${port}` });
    expect((await same.connect({})).ok).toBe(true);
    same.ws.close();
  });
});

describe("cross-site requests against a gateway with a token", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startWithEndpoint({ OPENCLAW_GATEWAY_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await gw.stop();
  });

  it("text/plain is refused even with the right token (415), before the model runs", async () => {
    const res = await post(gw.port, { "content-type": "text/plain", authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(415);
    expect(res.message).toContain("application/json");
    expect(anthropic.requests).toHaveLength(0);
  });

  it("a request carrying another site's Origin is refused even with the right token and JSON", async () => {
    const res = await post(gw.port, {
      "content-type": "application/json",
      authorization: `Bearer ${TOKEN}`,
      origin: "https://evil.example",
    });
    expect(res.status).toBe(403);
    expect(anthropic.requests).toHaveLength(0);
  });

  it("control: the token holder's JSON request runs the agent, and its exec creates the marker", async () => {
    const res = await post(gw.port, { "content-type": "application/json", authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(existsSync(marker)).toBe(true);
  });
});

describe("plugin routes on a no-token gateway", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({
        gateway: { mode: "local" },
        plugins: {
          load: { paths: [path.resolve(import.meta.dirname, "../fixtures/plugins/echo")] },
          entries: { echo: { config: { prefix: "> " } } },
        },
      }),
    );
    gw = await startGateway(["--port", "0"], testEnv({ OPENCLAW_STATE_DIR: stateDir }));
    await gw.waitForLine(/\[plugins\] \d plugins? loaded/);
  });
  afterAll(async () => {
    await gw.stop();
  });

  it("a bearer-guarded route does not run at all, even for a local client, and says to set a token", async () => {
    const res = await send(gw.port, "GET", "/echo?text=x", {});
    expect(res.status).toBe(403);
    expect(res.message).toContain("set gateway.auth.token");
  });

  it("a route the plugin authenticates itself (signed webhooks) works server-to-server, not from another site's page", async () => {
    expect(await send(gw.port, "GET", "/echo/public", {})).toEqual({ status: 200, message: "public" });
    const fromPage = await send(gw.port, "GET", "/echo/public", { origin: "https://evil.example" });
    expect(fromPage.status).toBe(403);
  });
});

describe('gateway.controlUi.allowedOrigins "*"', () => {
  it("without auth is refused at start with one sentence saying what to set", async () => {
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({ gateway: { mode: "local", controlUi: { allowedOrigins: ["*"] } } }),
    );
    const result = await runCli(["gateway", "--port", "0"], testEnv({ OPENCLAW_STATE_DIR: stateDir }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      '[gateway] Refusing to start: gateway.controlUi.allowedOrigins "*" lets every website control a gateway without auth; set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN), or list the exact origins.',
    ]);
    expect(result.stdout).not.toContain("listening on");
  });
});
