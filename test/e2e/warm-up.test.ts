/**
 * #23: the gateway listens before its parts (agents, channels, scheduler, methods) are
 * built. What arrives in between must wait, not fail: health routes answer at once and
 * say what is not ready, a WebSocket client gets its hello (with every method) once the
 * parts are up, and an OpenAI-route request is answered then.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createGateway, type Gateway } from "../../src/cli/gateway/create.js";
import { loadConfig } from "../../src/config/load.js";
import { GatewayClient } from "../../src/gateway/client.js";
import { onLogRecord } from "../../src/infra/logger.js";
import { tempDir } from "../helpers/cli.js";

const TOKEN = "warm-up-token-0123456789";

async function listeningGateway(): Promise<{ gateway: Gateway; base: string }> {
  const stateDir = tempDir("openclaw-warmup-");
  const configPath = path.join(stateDir, "openclaw.json");
  const config = { gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true } } } } };
  writeFileSync(configPath, JSON.stringify(config));
  const gateway = await createGateway({
    stateDir,
    configPath,
    env: {},
    snapshot: await loadConfig(configPath, {}),
    auth: { mode: "token", token: TOKEN },
    cli: { token: TOKEN },
    bind: "loopback",
    beyondLoopback: false,
    port: 0,
    startedAt: Date.now(),
  });
  const server = await gateway.listen(["127.0.0.1"], 0, "loopback");
  return { gateway, base: `127.0.0.1:${server.port}` };
}

/** Resolves with the first log record whose message matches. */
function nextLog(pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const off = onLogRecord((r) => {
      if (pattern.test(r.msg)) {
        off();
        resolve(r.msg);
      }
    });
  });
}

describe("gateway warm-up (listening before the parts are built)", () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop("test done");
    gateway = undefined;
  });

  it("answers health at once, holds WebSocket clients until the parts are up, then serves them", async () => {
    const started = await listeningGateway();
    gateway = started.gateway;
    const { base } = started;

    const live = await fetch(`http://${base}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`http://${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, failing: ["gateway: starting"] });
    const startup = await fetch(`http://${base}/startupz`);
    expect(startup.status).toBe(503);
    expect(await startup.json()).toMatchObject({ ok: false, status: "starting" });

    const waiting = nextLog(/waits for the gateway to finish starting/);
    let connected = false;
    const connecting = GatewayClient.connect({ url: `ws://${base}`, token: TOKEN }).then((c) => {
      connected = true;
      return c;
    });
    await waiting;
    // The client's upgrade reached the server and is held: nothing answered it yet.
    expect(connected).toBe(false);
    // So is an OpenAI-route request: it is answered once the agents exist.
    const completion = fetch(`http://${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw", messages: [] }),
    });

    await gateway.start();
    const { client, hello } = await connecting;
    expect(hello.features.methods).toEqual(expect.arrayContaining(["health", "chat.send", "cron.list"]));
    expect(await client.request("health")).toMatchObject({ ok: true, ready: true });
    await client.close();
    // An empty `messages` is the route's own 400: the request reached the running handler.
    expect((await completion).status).toBe(400);
    expect((await fetch(`http://${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`http://${base}/startupz`)).json()).toMatchObject({
      ok: true,
      status: "started",
    });
  });
});
