/**
 * Fast mode over a real gateway: the session's choice in OpenClaw's shape (`fastMode` on
 * the row, set by `sessions.patch`, `sessions.create` or `/fast`), bad values refused
 * with a fix-it message, the catalogue saying where it applies, and the next model
 * request carrying the field.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GatewayClient, GatewayResponseError } from "../../src/gateway/client.js";
import type { FakeServer } from "../fakes/server.js";
import { type AnthropicGateway, startAnthropicGateway } from "../helpers/anthropic-gateway.js";

const TOKEN = "fast-mode-token-0123456789";
const KEY = "agent:main:dashboard:fast";

describe("Fast mode over the gateway", () => {
  let fake: FakeServer;
  let client: GatewayClient;
  let t: AnthropicGateway;

  beforeEach(async () => {
    t = await startAnthropicGateway(TOKEN, {
      model: { primary: "anthropic/claude-opus-5" },
      models: { "anthropic/claude-opus-4-6": { params: { fastMode: "auto" } } },
    });
    ({ fake, client } = t);
  });
  afterEach(() => t.close());

  const row = () => t.row(KEY);

  it("stores, returns and clears the session's choice; refuses anything else with the fix", async () => {
    await client.request("sessions.create", { key: KEY, fastMode: "auto" });
    expect(await row()).toMatchObject({ fastMode: "auto", supportsFastMode: true });

    const patched = (await client.request("sessions.patch", { key: KEY, fastMode: true })) as {
      entry: { fastMode?: unknown };
    };
    expect(patched.entry.fastMode).toBe(true);
    const listed = (await client.request("sessions.list", {})) as {
      sessions: { key: string; fastMode?: unknown }[];
    };
    expect(listed.sessions.find((s) => s.key === KEY)?.fastMode).toBe(true);

    for (const bad of ["fast", 1, "on"]) {
      const err = await client
        .request("sessions.patch", { key: KEY, fastMode: bad })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayResponseError);
      expect((err as Error).message).toContain('fastMode: use true, false or "auto" (null clears');
    }
    expect((await row()).fastMode).toBe(true);

    await client.request("sessions.patch", { key: KEY, fastMode: null });
    expect(await row()).not.toHaveProperty("fastMode");
  });

  it("models.list says where Fast mode does something, and each model's own default", async () => {
    const { models } = (await client.request("models.list", {})) as {
      models: { ref: string; supportsFastMode: boolean; effectiveFastMode?: unknown }[];
    };
    const byRef = new Map(models.map((m) => [m.ref, m]));
    expect(byRef.get("anthropic/claude-opus-4-6")).toMatchObject({
      supportsFastMode: true,
      effectiveFastMode: "auto",
    });
    expect(byRef.get("anthropic/claude-sonnet-4-6")).not.toHaveProperty("effectiveFastMode");
    expect(byRef.get("google/gemini-2.5-pro")?.supportsFastMode).toBe(false);
    expect(byRef.get("openai/gpt-5.2")?.supportsFastMode).toBe(true);
  });

  it("the next turn carries the session's choice; /fast sets and reports it", async () => {
    await client.request("sessions.create", { key: KEY });
    await client.request("sessions.patch", { key: KEY, fastMode: true });
    let sent = fake.nextRequest();
    await client.request("chat.send", { sessionKey: KEY, message: "hello", idempotencyKey: "fast-1" });
    expect((await sent).body.speed).toBe("fast");

    await client.request("chat.send", { sessionKey: KEY, message: "/fast off", idempotencyKey: "fast-2" });
    await expect.poll(async () => (await row()).fastMode).toBe(false);
    sent = fake.nextRequest();
    await client.request("chat.send", { sessionKey: KEY, message: "again", idempotencyKey: "fast-3" });
    expect((await sent).body).not.toHaveProperty("speed");

    // One turn's own choice (chat.send fastMode) wins over the session's, for that turn only.
    sent = fake.nextRequest();
    await client.request("chat.send", {
      sessionKey: KEY,
      message: "quick",
      idempotencyKey: "fast-4",
      fastMode: true,
    });
    expect((await sent).body.speed).toBe("fast");
    expect((await row()).fastMode).toBe(false);
  });
});
