/**
 * Attack: guess the Telegram webhook secret by POSTing forged updates to the gateway.
 * After WEBHOOK_RATE_LIMIT.maxAttempts wrong secrets a client gets 429 (even with the
 * right secret, so a lockout is no oracle); Telegram, a different client, still gets in.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_RATE_LIMIT } from "../../src/channels/telegram/webhook.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram/index.js";
import { freePort, type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const SECRET = "tg-webhook-secret_0123456789abcdef";
/** The guessing loop's bound: far past the limit, so a missing limit fails instead of hanging. */
const MAX_GUESSES = 500;
const ATTACKER = "203.0.113.66";
const TELEGRAM = "149.154.167.220";

let telegram: FakeTelegram;
let gw: RunningGateway;
let hookUrl: string;

function post(secret: string, forwardedFor: string): Promise<Response> {
  return fetch(hookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-telegram-bot-api-secret-token": secret,
      // The gateway sits behind a proxy on loopback (a tunnel), listed in trustedProxies.
      "x-forwarded-for": forwardedFor,
    },
    body: JSON.stringify({ update_id: 1 }),
  });
}

beforeAll(async () => {
  telegram = await startFakeTelegram();
  const port = await freePort();
  hookUrl = `http://127.0.0.1:${port}/tg/hook`;
  const dir = tempDir();
  const config = {
    gateway: { mode: "local", trustedProxies: ["127.0.0.1"] },
    channels: {
      telegram: { enabled: true, apiRoot: telegram.apiRoot, webhookUrl: hookUrl, webhookSecret: SECRET },
    },
  };
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify(config));
  const setWebhook = telegram.nextCall("setWebhook");
  gw = await startGateway(
    ["--port", String(port)],
    testEnv({
      OPENCLAW_STATE_DIR: dir,
      OPENCLAW_GATEWAY_TOKEN: "gateway-token-0123456789abcdef",
      TELEGRAM_BOT_TOKEN: telegram.token,
    }),
  );
  await setWebhook;
  await gw.waitForLine(/^\[telegram\] webhook set: /m);
});

afterAll(async () => {
  await gw.stop();
  await telegram.close();
});

describe("guessing the Telegram webhook secret", () => {
  it(`${MAX_GUESSES} wrong guesses: 401 until the limit, then 429 with Retry-After`, async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < MAX_GUESSES && !limited; i++) {
      const res = await post(`guess-${i}-0123456789abcdef`, ATTACKER);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([...Array(WEBHOOK_RATE_LIMIT.maxAttempts).fill(401), 429]);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited?.json()).toEqual({
      error: { type: "rate_limited", message: "too many wrong webhook secrets; try again later" },
    });
  });

  it("the locked-out client gets 429 even with the right secret; Telegram itself gets through", async () => {
    expect((await post(SECRET, ATTACKER)).status).toBe(429);
    expect((await post(SECRET, TELEGRAM)).status).toBe(200);
  });
});
