import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { MAX_PENDING_PER_ACCOUNT, PAIRING_TTL_MS, PairingStore } from "./pairing.js";

function store() {
  const dir = tempDir();
  let now = Date.parse("2026-11-25T12:00:00Z");
  const pairing = new PairingStore(dir, "discord", () => now);
  return { dir, pairing, advance: (ms: number) => (now += ms) };
}

describe("PairingStore", () => {
  it("gives a stranger one 8-character code without ambiguous characters, reused on repeat", async () => {
    const { pairing } = store();
    const first = await pairing.request("default", "111", { name: "alice" });
    expect(first.status).toBe("created");
    const code = (first as { code: string }).code;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(await pairing.request("default", "discord:111")).toEqual({ status: "pending", code });
  });

  it("keeps at most 3 pending requests per account; codes expire after an hour", async () => {
    const { pairing, advance } = store();
    for (let i = 0; i < MAX_PENDING_PER_ACCOUNT; i++)
      expect((await pairing.request("default", `u${i}`)).status).toBe("created");
    expect(await pairing.request("default", "u9")).toEqual({ status: "full" });
    expect((await pairing.request("other", "u9")).status).toBe("created");
    advance(PAIRING_TTL_MS + 1);
    expect(await pairing.list()).toEqual([]);
    expect((await pairing.request("default", "u9")).status).toBe("created");
  });

  it("approve moves the sender into <channel>-<account>-allowFrom.json (case-insensitive code)", async () => {
    const { dir, pairing } = store();
    const { code } = (await pairing.request("default", "111")) as { code: string };
    expect(await pairing.approve("nope1234")).toBeUndefined();
    expect(await pairing.approve(code.toLowerCase())).toMatchObject({ id: "111", accountId: "default" });
    expect(await pairing.approved("default")).toEqual(new Set(["111"]));
    expect(JSON.parse(readFileSync(path.join(dir, "discord-default-allowFrom.json"), "utf8"))).toEqual({
      version: 1,
      allowFrom: ["111"],
    });
    expect(await pairing.list()).toEqual([]);
    expect(await pairing.approve(code)).toBeUndefined();
  });

  it("dismiss drops a pending code without approving the sender, who may ask again", async () => {
    const { pairing } = store();
    const { code } = (await pairing.request("default", "111")) as { code: string };
    expect(await pairing.dismiss("nope1234")).toBeUndefined();
    expect(await pairing.dismiss(code.toLowerCase())).toMatchObject({ id: "111", accountId: "default" });
    expect(await pairing.list()).toEqual([]);
    expect(await pairing.approved("default")).toEqual(new Set());
    expect(await pairing.approve(code)).toBeUndefined();
    expect((await pairing.request("default", "111")).status).toBe("created");
  });

  it("merges OpenClaw's legacy unscoped allow file for the default account", async () => {
    const { dir, pairing } = store();
    writeFileSync(
      path.join(dir, "discord-allowFrom.json"),
      JSON.stringify({ version: 1, allowFrom: ["999"] }),
    );
    expect(await pairing.approved("default")).toEqual(new Set(["999"]));
  });

  it("refuses to overwrite an unreadable allow list", async () => {
    const { dir, pairing } = store();
    writeFileSync(path.join(dir, "discord-default-allowFrom.json"), "{ broken");
    const { code } = (await pairing.request("default", "111")) as { code: string };
    await expect(pairing.approve(code)).rejects.toThrow("discord-default-allowFrom.json is not valid JSON");
    expect(readFileSync(path.join(dir, "discord-default-allowFrom.json"), "utf8")).toBe("{ broken");
  });
});
