/**
 * Thinking levels over a real gateway: the session's choice in OpenClaw's shape
 * (`thinkingLevel` on the row, set by `sessions.patch`, `sessions.create` or `/think`),
 * levels the model does not offer refused with its choices, `null` / `/think default`
 * back to the default, `models.list` saying what each model offers, and the next model
 * request carrying the fields.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GatewayClient, GatewayResponseError } from "../../src/gateway/client.js";
import type { FakeServer } from "../fakes/server.js";
import { type AnthropicGateway, startAnthropicGateway } from "../helpers/anthropic-gateway.js";

const TOKEN = "thinking-token-0123456789";
const KEY = "agent:main:dashboard:think";

describe("thinking levels over the gateway", () => {
  let fake: FakeServer;
  let client: GatewayClient;
  let t: AnthropicGateway;

  beforeEach(async () => {
    t = await startAnthropicGateway(TOKEN, {
      model: { primary: "anthropic/claude-sonnet-4-5" },
      models: { "anthropic/claude-haiku-4-5": { params: { thinking: "low" } } },
    });
    ({ fake, client } = t);
  });
  afterEach(() => t.close());

  const row = () => t.row(KEY);
  /** A command's reply: the text of the final `chat` event of the run it started. */
  const reply = async (message: string, idempotencyKey: string) => {
    const finals = new Map<string, string>();
    let seen = () => {};
    const stop = client.onEvent((e) => {
      const p = e.payload as { runId?: string; state?: string; message?: { content?: { text?: string }[] } };
      if (e.event !== "chat" || p.state !== "final" || !p.runId) return;
      finals.set(p.runId, p.message?.content?.[0]?.text ?? "");
      seen();
    });
    const { runId } = (await client.request("chat.send", { sessionKey: KEY, message, idempotencyKey })) as {
      runId: string;
    };
    await new Promise<void>((resolve) => {
      seen = () => finals.has(runId) && resolve();
      seen();
    });
    stop();
    return finals.get(runId);
  };
  const refused = (params: Record<string, unknown>) =>
    client.request("sessions.patch", { key: KEY, ...params }).catch((e: unknown) => e);

  it("stores, returns and clears the session's level; refuses what the model lacks, with its choices", async () => {
    await client.request("sessions.create", { key: KEY, thinkingLevel: "medium" });
    expect((await row()).thinkingLevel).toBe("medium");

    // OpenClaw's spellings are stored canonical.
    const patched = (await client.request("sessions.patch", { key: KEY, thinkingLevel: "highest" })) as {
      entry: { thinkingLevel?: unknown };
    };
    expect(patched.entry.thinkingLevel).toBe("high");
    const listed = (await client.request("sessions.list", {})) as {
      sessions: { key: string; thinkingLevel?: unknown }[];
      defaults: { thinkingLevels: { id: string }[]; thinkingDefault: string };
    };
    expect(listed.sessions.find((s) => s.key === KEY)?.thinkingLevel).toBe("high");
    expect(listed.defaults.thinkingLevels.map((l) => l.id)).toEqual([
      "off",
      "minimal",
      "low",
      "medium",
      "high",
    ]);
    expect(listed.defaults.thinkingDefault).toBe("off");

    const unknown = await refused({ thinkingLevel: "big" });
    expect(unknown).toBeInstanceOf(GatewayResponseError);
    expect((unknown as Error).message).toContain('thinkingLevel "big" is not a level: use off, minimal');
    const lacking = await refused({ thinkingLevel: "xhigh" });
    expect((lacking as Error).message).toContain(
      'thinkingLevel "xhigh" is not offered by anthropic/claude-sonnet-4-5: use off, minimal, low, medium, high',
    );
    // Checked against the model chosen in the same patch.
    const withModel = await refused({ model: "anthropic/claude-3-5-haiku-latest", thinkingLevel: "low" });
    expect((withModel as Error).message).toContain("use off");
    expect(await row()).toMatchObject({ thinkingLevel: "high" });
    expect(await row()).not.toHaveProperty("modelOverride");

    await client.request("sessions.patch", { key: KEY, thinkingLevel: null });
    expect(await row()).not.toHaveProperty("thinkingLevel");
  });

  it("models.list says which models think, the levels they offer and their default", async () => {
    const { models } = (await client.request("models.list", {})) as {
      models: { ref: string; reasoning: boolean; thinkingOptions: string[]; thinkingDefault: string }[];
    };
    const byRef = new Map(models.map((m) => [m.ref, m]));
    expect(byRef.get("anthropic/claude-opus-4-6")).toMatchObject({
      reasoning: true,
      thinkingOptions: ["off", "minimal", "low", "medium", "high", "adaptive"],
      thinkingDefault: "adaptive",
    });
    expect(byRef.get("anthropic/claude-haiku-4-5")?.thinkingDefault).toBe("low");
    expect(byRef.get("openai/gpt-5.2")?.thinkingOptions).toContain("xhigh");
    expect(byRef.get("openai/gpt-4.1")).toMatchObject({ reasoning: false, thinkingOptions: ["off"] });
  });

  it("the next turn carries the level; /think sets, reports and clears it; chat.send thinking is one turn", async () => {
    await client.request("sessions.create", { key: KEY });
    await client.request("chat.send", { sessionKey: KEY, message: "/think:medium", idempotencyKey: "t-1" });
    await expect.poll(async () => (await row()).thinkingLevel).toBe("medium");
    let sent = fake.nextRequest();
    await client.request("chat.send", { sessionKey: KEY, message: "hello", idempotencyKey: "t-2" });
    expect((await sent).body.thinking).toEqual({ type: "enabled", budget_tokens: 8192 });

    // One turn's own level wins for that turn only.
    sent = fake.nextRequest();
    await client.request("chat.send", {
      sessionKey: KEY,
      message: "hm",
      idempotencyKey: "t-3",
      thinking: "high",
    });
    expect((await sent).body.thinking).toEqual({ type: "enabled", budget_tokens: 16384 });
    expect((await row()).thinkingLevel).toBe("medium");

    // A level the model lacks is refused with its choices; the stored level stays.
    expect(await reply("/t xhigh", "t-3b")).toBe(
      'anthropic/claude-sonnet-4-5 does not offer "xhigh": use off, minimal, low, medium, high, status or default.',
    );
    expect(await reply("/thinking", "t-3c")).toMatch(/^Thinking level: medium \(this session\)\./);
    expect(await reply("/think off", "t-3d")).toBe("Thinking disabled.");

    expect(await reply("/think default", "t-4")).toBe("Thinking level follows the default (off).");
    expect(await row()).not.toHaveProperty("thinkingLevel");
    sent = fake.nextRequest();
    await client.request("chat.send", { sessionKey: KEY, message: "plain", idempotencyKey: "t-5" });
    expect((await sent).body).not.toHaveProperty("thinking");
  });
});
