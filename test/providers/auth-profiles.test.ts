import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authProfilesPath, createAuthProfileStore } from "../../src/providers/auth-profiles.js";
import { cooldownMs } from "../../src/providers/cooldown.js";

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), "auth-profiles-"));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

async function writeProfiles(content: unknown): Promise<string> {
  const file = authProfilesPath(stateDir, "main");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("auth-profiles.json", () => {
  it("lives at agents/<agentId>/agent/auth-profiles.json under the state dir", () => {
    expect(authProfilesPath("/data", "ops")).toBe("/data/agents/ops/agent/auth-profiles.json");
  });

  it("reads OpenClaw's layout: api keys, tokens and OAuth access tokens by provider", async () => {
    await writeProfiles({
      version: 1,
      profiles: {
        "anthropic:work": { type: "api_key", provider: "anthropic", key: "sk-work-123456" },
        "anthropic:me@example.com": { mode: "token", provider: "anthropic", token: "tok-123456" },
        "openai:default": { type: "oauth", provider: "openai", access: "acc-123456", refresh: "r" },
        "google:empty": { type: "api_key", provider: "google", key: "" },
      },
    });
    const store = createAuthProfileStore({ stateDir, agentId: "main" });
    await store.load();
    expect(store.idsFor("anthropic")).toEqual(["anthropic:work", "anthropic:me@example.com"]);
    expect(store.secretOf("anthropic:me@example.com")).toBe("tok-123456");
    expect(store.secretOf("openai:default")).toBe("acc-123456");
    expect(store.idsFor("google")).toEqual([]);
  });

  it("treats a missing file as empty and names the file when it is broken", async () => {
    const store = createAuthProfileStore({ stateDir, agentId: "main" });
    await store.load();
    expect(store.idsFor("anthropic")).toEqual([]);
    const file = await writeProfiles("{ nope");
    await expect(store.load()).rejects.toThrow(`${file} is not valid JSON`);
  });

  it("records failures as usageStats with exponential cooldowns, atomically, keeping other fields", async () => {
    const file = await writeProfiles({
      version: 1,
      profiles: {
        "anthropic:a": { type: "api_key", provider: "anthropic", key: "sk-a-123456", note: "keep" },
      },
      lastGood: { anthropic: "anthropic:a" },
    });
    const store = createAuthProfileStore({ stateDir, agentId: "main" });
    await store.load();
    const t0 = 1_000_000;
    expect(store.recordFailure("anthropic:a", t0)).toBe(t0 + 60_000);
    expect(store.isCoolingDown("anthropic:a", t0 + 59_999)).toBe(true);
    expect(store.isCoolingDown("anthropic:a", t0 + 60_000)).toBe(false);
    expect(store.recordFailure("anthropic:a", t0)).toBe(t0 + 300_000);
    await store.flush();

    const saved = JSON.parse(await readFile(file, "utf8"));
    expect(saved.usageStats["anthropic:a"]).toEqual({ errorCount: 2, cooldownUntil: t0 + 300_000 });
    expect(saved.lastGood).toEqual({ anthropic: "anthropic:a" });
    expect(saved.profiles["anthropic:a"].note).toBe("keep");
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    store.recordSuccess("anthropic:a", t0 + 400_000);
    await store.flush();
    const after = JSON.parse(await readFile(file, "utf8"));
    expect(after.usageStats["anthropic:a"]).toEqual({ errorCount: 0, lastUsed: t0 + 400_000 });
  });

  it.each([
    [1, 60_000],
    [2, 300_000],
    [3, 1_500_000],
    [4, 3_600_000],
    [9, 3_600_000],
  ])("cools down %i consecutive failures for %i ms", (count, ms) => {
    expect(cooldownMs(count)).toBe(ms);
  });

  it("honours a longer retry-after, up to the one-hour cap", () => {
    expect(cooldownMs(1, 120_000)).toBe(120_000);
    expect(cooldownMs(1, 7_200_000)).toBe(3_600_000);
  });
});
