/**
 * The cross-site attacks in real Chromium, as the red team ran them: a page from another
 * loopback origin, and a page whose hostile name re-resolves to 127.0.0.1 (DNS
 * rebinding, simulated with Chromium's host resolver rules), each try the no-token
 * gateway's OpenAI endpoint (`text/plain`, no preflight) and its WebSocket. The fake
 * model answers any turn by running `exec`; it must never be called.
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../bench/chromium.mjs";
import type { FakeServer } from "../fakes/server.js";
import type { RunningGateway } from "../helpers/cli.js";
import { ATTACK_BODY, startExecModel, startGatewayWithEndpoint } from "./fixtures.js";

const REBIND_HOST = "rebind.evil.test";

let anthropic: FakeServer;
let marker: string;
let gw: RunningGateway;
let browser: Browser;
/** The attacker's own site, on another loopback port. */
let attackerSite: Server;

beforeAll(async () => {
  ({ anthropic, marker } = await startExecModel());
  gw = await startGatewayWithEndpoint(anthropic);
  browser = await launchChromium([`--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`]);
  attackerSite = createServer((_req, res) => res.end("<!doctype html><title>cute cats</title>"));
  await new Promise<void>((resolve) => attackerSite.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await browser?.close();
  attackerSite?.close();
  await gw?.stop();
  await anthropic?.close();
});

/**
 * What the attacker's script does in `page`: POST the chat request as text/plain
 * (`no-cors`: the page cannot read the answer and does not need to), then open the
 * WebSocket and send a token-less `connect`. Resolves when the gateway has answered both.
 */
function attack(page: Page, gatewayOrigin: string) {
  return page.evaluate(
    async ({ gatewayOrigin, body }) => {
      await fetch(`${gatewayOrigin}/v1/chat/completions`, {
        method: "POST",
        mode: "no-cors",
        headers: { "content-type": "text/plain" },
        body,
      }).catch(() => undefined);
      const ws = await new Promise<string>((resolve) => {
        const socket = new WebSocket(gatewayOrigin.replace(/^http/, "ws"));
        socket.onmessage = (e) => {
          const frame = JSON.parse(String(e.data));
          if (frame.event === "connect.challenge") {
            socket.send(
              JSON.stringify({
                type: "req",
                id: "c",
                method: "connect",
                params: {
                  minProtocol: 3,
                  maxProtocol: 4,
                  client: { id: "test", version: "1", platform: "web", mode: "test" },
                  role: "operator",
                  scopes: ["operator.admin"],
                },
              }),
            );
          } else if (frame.id === "c") resolve(frame.ok ? "hello-ok" : "connect refused");
        };
        socket.onclose = () => resolve("closed before connect");
      });
      return { ws };
    },
    { gatewayOrigin, body: ATTACK_BODY },
  );
}

describe("real Chromium against a no-token loopback gateway with the OpenAI endpoint on", () => {
  it("a page from another loopback origin cannot run the agent or get a WebSocket", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(attackerSite.address() as AddressInfo).port}/`);
    expect(await attack(page, `http://127.0.0.1:${gw.port}`)).toEqual({ ws: "closed before connect" });
    expect(anthropic.requests).toHaveLength(0);
    expect(existsSync(marker)).toBe(false);
    await page.close();
  });

  it("a DNS-rebound page (its name now resolves to 127.0.0.1) cannot either", async () => {
    const page = await browser.newPage();
    // The page already loaded from the attacker; its name now points at the gateway's port.
    const rebound = `http://${REBIND_HOST}:${gw.port}`;
    await page.goto(`${rebound}/`);
    expect(await attack(page, rebound)).toEqual({ ws: "closed before connect" });
    expect(anthropic.requests).toHaveLength(0);
    expect(existsSync(marker)).toBe(false);
    await page.close();
  });
});
