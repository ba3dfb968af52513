/**
 * Custom session groups over a real gateway (OpenClaw's `sessions.groups.*` and a
 * session's `category`): validation, the catalog surviving a restart, rename and delete
 * rewriting every member (archived too), and put refusing to drop a group in use.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { GROUPS_FILE, MAX_GROUP_NAME_CHARS } from "../../src/sessions/groups.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

const TOKEN = "session-groups-token-0123456789ab";
type Row = { key: string; category?: string; archived?: boolean; updatedAt: number };
type Groups = { groups: { name: string; position: number }[] };

let gateway: InProcessGateway | undefined;
let client: GatewayClient | undefined;

async function start(stateDir?: string) {
  gateway = await startInProcessGateway({ token: TOKEN, config: {}, ...(stateDir ? { stateDir } : {}) });
  ({ client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token: TOKEN }));
  return client;
}

async function stop() {
  await client?.close();
  await gateway?.close();
  client = undefined;
  gateway = undefined;
}

afterEach(stop);

const rows = async (c: GatewayClient) =>
  ((await c.request("sessions.list", { archived: "all" })) as { sessions: Row[] }).sessions;
const byKey = async (c: GatewayClient, key: string) => (await rows(c)).find((r) => r.key === key);
const names = async (c: GatewayClient) =>
  ((await c.request("sessions.groups.list", {})) as Groups).groups.map((g) => g.name);

describe("session category", () => {
  it("is set by create, patch and patchMany, trimmed, cleared by null, and registers its group", async () => {
    const c = await start();
    await c.request("sessions.create", { key: "agent:main:dashboard:a", category: "  Work  " });
    expect((await byKey(c, "agent:main:dashboard:a"))?.category).toBe("Work");
    await c.request("sessions.create", { key: "agent:main:dashboard:b" });
    await c.request("sessions.patch", { key: "agent:main:dashboard:b", category: "Home" });
    expect(await names(c)).toEqual(["Work", "Home"]);

    await c.request("sessions.patchMany", {
      targets: [{ key: "agent:main:dashboard:a" }, { key: "agent:main:dashboard:b" }],
      patch: { category: "Home" },
    });
    expect((await rows(c)).map((r) => r.category)).toEqual(["Home", "Home"]);

    await c.request("sessions.patch", { key: "agent:main:dashboard:a", category: null });
    expect(await byKey(c, "agent:main:dashboard:a")).not.toHaveProperty("category");
  });

  it.each([
    ["too long", { category: "x".repeat(MAX_GROUP_NAME_CHARS + 1) }, /at most 128 characters/],
    ["not a string", { category: 7 }, /category/],
  ])("a category %s is refused with why", async (_what, patch, message) => {
    const c = await start();
    await c.request("sessions.create", { key: "agent:main:dashboard:a" });
    await expect(c.request("sessions.patch", { key: "agent:main:dashboard:a", ...patch })).rejects.toThrow(
      message,
    );
    expect(await names(c)).toEqual([]);
  });
});

describe("sessions.groups.*", () => {
  it("put sets names and order, refuses empty or long names, and the catalog survives a restart", async () => {
    let c = await start();
    const put = (await c.request("sessions.groups.put", { names: ["B", " A "] })) as Groups & { ok: boolean };
    expect(put).toEqual({
      ok: true,
      groups: [
        { name: "B", position: 0 },
        { name: "A", position: 1 },
      ],
    });
    await expect(c.request("sessions.groups.put", { names: ["  "] })).rejects.toThrow(/cannot be empty/);
    await expect(c.request("sessions.groups.put", { names: ["x".repeat(129)] })).rejects.toThrow(
      /at most 128/,
    );

    const stateDir = gateway?.stateDir as string;
    const file = JSON.parse(readFileSync(path.join(stateDir, GROUPS_FILE), "utf8"));
    expect(file.groups.map((g: { name: string }) => g.name)).toEqual(["B", "A"]);
    await stop();
    c = await start(stateDir);
    expect(await names(c)).toEqual(["B", "A"]);
  });

  it("put refuses to drop a group that still has sessions, and says which", async () => {
    const c = await start();
    await c.request("sessions.create", { key: "agent:main:dashboard:a", category: "Work" });
    await c.request("sessions.groups.put", { names: ["Work", "Empty"] });
    await expect(c.request("sessions.groups.put", { names: [] })).rejects.toThrow(
      /cannot drop groups that still have member sessions: "Work" \(1\)/,
    );
    // Dropping the empty one is fine.
    await c.request("sessions.groups.put", { names: ["Work"] });
    expect(await names(c)).toEqual(["Work"]);
  });

  it("rename moves every member, archived ones too, without reordering them; delete ungroups them", async () => {
    const c = await start();
    for (const k of ["a", "b", "c"]) await c.request("sessions.create", { key: `agent:main:dashboard:${k}` });
    await c.request("sessions.patchMany", {
      targets: [{ key: "agent:main:dashboard:a" }, { key: "agent:main:dashboard:b" }],
      patch: { category: "Work" },
    });
    await c.request("sessions.patch", { key: "agent:main:dashboard:b", archived: true });
    const before = await rows(c);

    const renamed = (await c.request("sessions.groups.rename", { name: "Work", to: "Projects" })) as {
      updatedSessions: number;
    } & Groups;
    expect(renamed).toMatchObject({
      ok: true,
      updatedSessions: 2,
      groups: [{ name: "Projects", position: 0 }],
    });
    const after = await rows(c);
    expect(after.map((r) => [r.key, r.category, r.updatedAt])).toEqual(
      before.map((r) => [r.key, r.key.endsWith("c") ? undefined : "Projects", r.updatedAt]),
    );

    await expect(c.request("sessions.groups.rename", { name: "Nope", to: "X" })).rejects.toThrow(
      /unknown session group: Nope/,
    );
    const deleted = (await c.request("sessions.groups.delete", { name: "Projects" })) as {
      updatedSessions: number;
    } & Groups;
    expect(deleted).toEqual({ ok: true, groups: [], updatedSessions: 2 });
    expect((await rows(c)).every((r) => r.category === undefined)).toBe(true);
    expect((await byKey(c, "agent:main:dashboard:b"))?.archived).toBe(true);
  });

  it("sessions.groups.defaults and update say they are not supported", async () => {
    const c = await start();
    await expect(c.request("sessions.groups.defaults", {})).rejects.toThrow(/not supported/);
    await expect(
      c.request("sessions.groups.update", { name: "A", cwd: null, worktree: false }),
    ).rejects.toThrow(/not supported/);
    expect(existsSync(path.join(gateway?.stateDir as string, GROUPS_FILE))).toBe(false);
  });
});
