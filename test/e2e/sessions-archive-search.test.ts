/**
 * The Sessions screen's protocol over a real gateway: archive and restore with
 * `sessions.patch` / `sessions.patchMany` (OpenClaw's `archived`), the list's lifecycle
 * filter and sort, and `sessions.search` finding a message sent through `chat.send`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

const TOKEN = "sessions-archive-token-0123456789";
type Row = { key: string; sessionId: string; archived?: boolean };
type List = { sessions: Row[]; totalCount: number };

describe("sessions: archive, bulk patch, sort and transcript search over the gateway", () => {
  let gateway: InProcessGateway | undefined;
  let model: FakeServer | undefined;
  afterEach(async () => {
    await gateway?.close();
    await model?.close();
    gateway = undefined;
  });

  it("archives, restores, refuses the main session and a stale id, and searches what was said", async () => {
    model = await startFakeAnthropic();
    model.setDefault({ text: "The spare key is under the blue flowerpot." });
    gateway = await startInProcessGateway({
      token: TOKEN,
      config: {
        models: { providers: { anthropic: { baseUrl: model.url, apiKey: "sk-test" } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
      },
    });
    const { client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token: TOKEN });
    try {
      for (const name of ["a", "b", "c"])
        await client.request("sessions.create", {
          key: `agent:main:dashboard:${name}`,
          label: `Room ${name}`,
        });
      await client.request("sessions.create", { key: "agent:main:main" });
      const list = (params: Record<string, unknown> = {}) =>
        client.request("sessions.list", params) as Promise<List>;
      const keys = async (params: Record<string, unknown> = {}) =>
        (await list(params)).sessions.map((s) => s.key);
      const all = await list();
      const id = (k: string) => all.sessions.find((s) => s.key === k)?.sessionId;

      const bulk = (await client.request("sessions.patchMany", {
        targets: [
          { key: "agent:main:dashboard:a", expectedSessionId: id("agent:main:dashboard:a") },
          { key: "agent:main:dashboard:b", expectedSessionId: "not-its-id" },
          { key: "agent:main:main" },
        ],
        patch: { archived: true },
      })) as { ok: boolean; results: { key: string; ok: boolean; error?: string }[] };
      expect(bulk.ok).toBe(false);
      expect(bulk.results.map((r) => r.ok)).toEqual([true, false, false]);
      expect(bulk.results[1]?.error).toMatch(/reset or replaced since it was listed/);
      expect(bulk.results[2]?.error).toMatch(/main session and cannot be archived/);

      expect(await keys()).not.toContain("agent:main:dashboard:a");
      expect(await keys({ archived: true })).toEqual(["agent:main:dashboard:a"]);
      expect(
        (await list({ archived: "all" })).sessions.find((s) => s.key === "agent:main:dashboard:a")?.archived,
      ).toBe(true);
      // By name: the label, else the key ("agent:main:main" before "room b").
      expect(await keys({ sortBy: "name", sortDir: "asc" })).toEqual([
        "agent:main:main",
        "agent:main:dashboard:b",
        "agent:main:dashboard:c",
      ]);

      await client.request("sessions.patch", { key: "agent:main:dashboard:a", archived: false });
      expect(await keys({ archived: true })).toEqual([]);

      // What was said in a chat is found, without reading a transcript file per query.
      await client.request("chat.send", {
        sessionKey: "agent:main:dashboard:c",
        message: "where is the spare key?",
        idempotencyKey: "k1",
      });
      const search = () =>
        client.request("sessions.search", {
          query: "blue flowerpot",
          scope: { agentId: "main" },
        }) as Promise<{
          results: { sessionKey: string; role: string; snippet: string }[];
          sessions: { key: string; label?: string }[];
        }>;
      await expect.poll(async () => (await search()).results.length, { timeout: 10_000 }).toBe(1);
      const found = await search();
      expect(found.results[0]).toMatchObject({ sessionKey: "agent:main:dashboard:c", role: "assistant" });
      expect(found.results[0]?.snippet).toContain("blue flowerpot");
      expect(found.sessions).toMatchObject([{ key: "agent:main:dashboard:c", label: "Room c" }]);
      // Archived: out of the default search, in when asked for.
      await client.request("sessions.patch", { key: "agent:main:dashboard:c", archived: true });
      expect((await search()).results).toEqual([]);
      const archived = (await client.request("sessions.search", {
        query: "spare key",
        scope: { archived: "all" },
      })) as {
        results: { archived?: boolean }[];
      };
      expect(archived.results.length).toBe(2);
      expect(archived.results.every((r) => r.archived)).toBe(true);
      await expect(client.request("sessions.search", { query: "  " })).rejects.toThrow(
        /give the words to look for/,
      );
    } finally {
      await client.close();
    }
  });
});
