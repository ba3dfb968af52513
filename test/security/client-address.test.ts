/**
 * Attacks on the auth rate limiter's idea of "one client": spreading guesses over
 * 127.0.0.2–5 (every loopback address is this machine), and forging X-Forwarded-For to
 * look like many clients. X-Forwarded-For counts only from `gateway.trustedProxies`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "client-address-token-0123456789";
/** Small enough to reach in a test; the lockout outlives the test. */
const RATE_LIMIT = { maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000 };

let gw: RunningGateway | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function start(trustedProxies?: string[]): Promise<string> {
  const dir = tempDir();
  const gateway = { mode: "local", auth: { token: TOKEN, rateLimit: RATE_LIMIT }, trustedProxies };
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify({ gateway }));
  gw = await startGateway(["--port", "0", "--bind", "lan"], testEnv({ OPENCLAW_STATE_DIR: dir }));
  return `ws://127.0.0.1:${gw.port}`;
}

async function attempt(
  url: string,
  token: string,
  from: { localAddress?: string; forwardedFor?: string } = {},
): Promise<string> {
  const headers = from.forwardedFor ? { "x-forwarded-for": from.forwardedFor } : undefined;
  const socket = await RawSocket.open(url, headers, from.localAddress);
  const res = await socket.connect({ token });
  socket.ws.close();
  if (res.ok) return "ok";
  return (res.error as unknown as { details: { code: string } }).details.code;
}

describe("loopback is one client", () => {
  it("wrong tokens from 127.0.0.2, .3 and .4 lock out 127.0.0.5 and 127.0.0.1", async () => {
    const url = await start();
    for (const localAddress of ["127.0.0.2", "127.0.0.3", "127.0.0.4"]) {
      expect(await attempt(url, "wrong-guess-0123456789", { localAddress })).toBe("AUTH_TOKEN_MISMATCH");
    }
    expect(await attempt(url, TOKEN, { localAddress: "127.0.0.5" })).toBe("AUTH_RATE_LIMITED");
    expect(await attempt(url, TOKEN)).toBe("AUTH_RATE_LIMITED");
  });
});

describe("X-Forwarded-For", () => {
  it("is ignored from a peer that is not a trusted proxy: forged addresses share the peer's bucket", async () => {
    const url = await start(["10.0.0.0/8"]);
    for (const forwardedFor of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
      expect(await attempt(url, "wrong-guess-0123456789", { forwardedFor })).toBe("AUTH_TOKEN_MISMATCH");
    }
    expect(await attempt(url, TOKEN, { forwardedFor: "203.0.113.4" })).toBe("AUTH_RATE_LIMITED");
    await gw!.waitForLine(/unauthorized conn=\S+ remote=127\.0\.0\.1 client=test reason=token_mismatch/);
    expect(gw!.output().stdout + gw!.output().stderr).not.toContain("remote=203.0.113");
  });

  it("from a trusted proxy names the client: the right-most untrusted hop is limited, others are not", async () => {
    const url = await start(["127.0.0.1"]);
    for (let i = 0; i < 3; i++) {
      expect(await attempt(url, "wrong-guess-0123456789", { forwardedFor: "203.0.113.7" })).toBe(
        "AUTH_TOKEN_MISMATCH",
      );
    }
    await gw!.waitForLine(/unauthorized conn=\S+ remote=203\.0\.113\.7 client=test reason=token_mismatch/);
    expect(await attempt(url, TOKEN, { forwardedFor: "203.0.113.7" })).toBe("AUTH_RATE_LIMITED");
    // A prefix the client wrote itself does not get it a fresh bucket.
    expect(await attempt(url, TOKEN, { forwardedFor: "198.51.100.1, 203.0.113.7" })).toBe(
      "AUTH_RATE_LIMITED",
    );
    expect(await attempt(url, TOKEN, { forwardedFor: "203.0.113.8" })).toBe("ok");
    expect(await attempt(url, TOKEN)).toBe("ok");
  });
});
