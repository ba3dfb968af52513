/**
 * What an open sidebar hears and shows over a real gateway: `sessions.changed` (OpenClaw's
 * payloads) when sessions are patched, archived in bulk, reset or deleted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

const TOKEN = "sessions-changed-token-0123456789";
type Changed = {
  reason: string;
  sessionKey?: string;
  sessionId?: string;
  agentId?: string;
  ts: number;
  session?: { key: string; archived?: boolean; label?: string };
};

describe("sessions.changed on patch, patchMany, reset and delete", () => {
  let gateway: InProcessGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it("tells a subscribed connection at once, in OpenClaw's shape, and nobody else", async () => {
    gateway = await startInProcessGateway({ token: TOKEN, config: {} });
    const url = gateway.url.replace(/^http/, "ws");
    const { client } = await GatewayClient.connect({ url, token: TOKEN });
    const { client: watcher } = await GatewayClient.connect({ url, token: TOKEN });
    const { client: other } = await GatewayClient.connect({ url, token: TOKEN });
    const heard: Changed[] = [];
    const otherHeard: string[] = [];
    watcher.onEvent((e) => {
      if (e.event === "sessions.changed") heard.push(e.payload as Changed);
    });
    other.onEvent((e) => otherHeard.push(e.event));
    try {
      await watcher.request("sessions.subscribe", {});
      for (const name of ["a", "b"])
        await client.request("sessions.create", { key: `agent:main:dashboard:${name}` });
      const next = async (reason: string) => {
        await expect.poll(() => heard.some((h) => h.reason === reason)).toBe(true);
        const at = heard.findIndex((h) => h.reason === reason);
        return heard.splice(0, at + 1).at(-1) as Changed;
      };

      await client.request("sessions.patch", { key: "agent:main:dashboard:a", label: "Plans" });
      expect(await next("patch")).toMatchObject({
        sessionKey: "agent:main:dashboard:a",
        agentId: "main",
        session: { key: "agent:main:dashboard:a", label: "Plans" },
      });

      await client.request("sessions.patchMany", {
        targets: [{ key: "agent:main:dashboard:a" }, { key: "agent:main:dashboard:b" }],
        patch: { archived: true },
      });
      const first = await next("patch");
      const second = await next("patch");
      expect([first.sessionKey, second.sessionKey]).toEqual([
        "agent:main:dashboard:a",
        "agent:main:dashboard:b",
      ]);
      expect(second.session?.archived).toBe(true);

      await client.request("sessions.reset", { key: "agent:main:dashboard:a" });
      expect((await next("reset")).sessionKey).toBe("agent:main:dashboard:a");

      const listed = (await client.request("sessions.list", { archived: "all" })) as {
        sessions: { key: string; sessionId: string }[];
      };
      const idOfB = listed.sessions.find((s) => s.key === "agent:main:dashboard:b")?.sessionId;
      await client.request("sessions.delete", { key: "agent:main:dashboard:b" });
      expect(await next("delete")).toMatchObject({ sessionKey: "agent:main:dashboard:b", sessionId: idOfB });
      // Then the keyless one, for lists that did not hold the row.
      expect(await next("delete")).not.toHaveProperty("sessionKey");
      expect(otherHeard).not.toContain("sessions.changed");
    } finally {
      await Promise.all([client.close(), watcher.close(), other.close()]);
    }
  });

  it("pins (first in the list, refused when archived, dropped by archiving) and unread marks kept on the gateway", async () => {
    gateway = await startInProcessGateway({ token: TOKEN, config: {} });
    const url = gateway.url.replace(/^http/, "ws");
    const { client } = await GatewayClient.connect({ url, token: TOKEN });
    type Row = { key: string; pinned: boolean; unread: boolean; pinnedAt?: number; markedUnreadAt?: number };
    const rows = async () => ((await client.request("sessions.list", {})) as { sessions: Row[] }).sessions;
    const row = async (key: string) => (await rows()).find((r) => r.key === key)!;
    try {
      for (const name of ["a", "b", "c"])
        await client.request("sessions.create", { key: `agent:main:dashboard:${name}` });
      const a = "agent:main:dashboard:a";
      const b = "agent:main:dashboard:b";
      expect((await rows())[0]?.key).toBe("agent:main:dashboard:c");
      await client.request("sessions.patch", { key: a, pinned: true });
      expect((await rows()).map((r) => [r.key, r.pinned]).slice(0, 2)).toEqual([
        [a, true],
        ["agent:main:dashboard:c", false],
      ]);
      // Archiving unpins; an archived session cannot be pinned.
      await client.request("sessions.patch", { key: a, archived: true });
      await expect(client.request("sessions.patch", { key: a, pinned: true })).rejects.toThrow(/restore it/);
      await client.request("sessions.patch", { key: a, archived: false });
      expect((await row(a)).pinned).toBe(false);

      // Fresh sessions are read; marked unread, then read (a stale acknowledgement keeps the mark).
      expect((await row(b)).unread).toBe(false);
      await client.request("sessions.patch", { key: b, unread: true });
      const marked = await row(b);
      expect(marked.unread).toBe(true);
      await client.request("sessions.patch", { key: b, unread: false, expectedMarkedUnreadAt: 1 });
      expect((await row(b)).unread).toBe(true);
      await client.request("sessions.patch", {
        key: b,
        unread: false,
        expectedMarkedUnreadAt: marked.markedUnreadAt,
      });
      expect((await row(b)).unread).toBe(false);
      await expect(
        client.request("sessions.patch", { key: b, label: "x", expectedMarkedUnreadAt: null }),
      ).rejects.toThrow(/unread: false only/);
    } finally {
      await client.close();
    }
  });
});
