import { cpSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir, testEnv } from "../helpers/cli.js";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/openclaw-state/legacy");

/** A loopback port nothing listens on (bound then released), so the CLI works offline. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("openclaw sessions (no gateway running: read from the state dir)", () => {
  it("lists, pages with a cursor, and exports in OpenClaw's layout", async () => {
    const stateDir = tempDir();
    cpSync(FIXTURE, stateDir, { recursive: true });
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_PORT: String(await closedPort()) });

    const all = await runCli(["sessions", "--json"], env);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ totalCount: 2, hasMore: false });

    const first = JSON.parse((await runCli(["sessions", "list", "--limit", "1", "--json"], env)).stdout);
    expect(first).toMatchObject({ totalCount: 2, hasMore: true });
    const second = JSON.parse(
      (await runCli(["sessions", "--cursor", first.nextCursor, "--json"], env)).stdout,
    );
    expect([first.sessions[0].key, second.sessions[0].key].sort()).toEqual([
      "agent:main:fixture-two",
      "agent:main:main",
    ]);
    const text = await runCli(["sessions"], env);
    expect(text.stdout).toMatch(/agent:main:main/);
    expect(text.stdout).toMatch(/2 of 2 session\(s\)/);

    const bad = await runCli(["sessions", "export", "--format", "csv"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("use --format openclaw");
    const out = await runCli(["sessions", "export", "--format", "openclaw"], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/exported 2 session\(s\) of agent main/);
    const written = JSON.parse(
      readFileSync(path.join(stateDir, "agents/main/sessions/sessions.json"), "utf8"),
    );
    expect(Object.keys(written).sort()).toEqual(["agent:main:fixture-two", "agent:main:main"]);
    expect(written["agent:main:main"].totalTokens).toBeGreaterThan(0);
  });
});

describe("openclaw sessions and archived sessions (OpenClaw lists them all)", () => {
  it("lists archived sessions by default, marked; --archived and --no-archived filter", async () => {
    const stateDir = tempDir();
    cpSync(FIXTURE, stateDir, { recursive: true });
    const index = path.join(stateDir, "agents/main/sessions/sessions.json");
    const rows = JSON.parse(readFileSync(index, "utf8"));
    rows["agent:main:fixture-two"].archivedAt = 1_767_225_600_000;
    writeFileSync(index, JSON.stringify(rows));
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_PORT: String(await closedPort()) });
    const keys = async (...flags: string[]) => {
      const run = await runCli(["sessions", ...flags, "--json"], env);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { sessions: { key: string; archived?: boolean }[] }).sessions;
    };

    const all = await keys();
    expect(all.map((s) => s.key).sort()).toEqual(["agent:main:fixture-two", "agent:main:main"]);
    expect(all.find((s) => s.key === "agent:main:fixture-two")?.archived).toBe(true);
    expect((await keys("--archived")).map((s) => s.key)).toEqual(["agent:main:fixture-two"]);
    expect((await keys("--no-archived")).map((s) => s.key)).toEqual(["agent:main:main"]);
    const text = await runCli(["sessions"], env);
    expect(text.stdout).toMatch(/agent:main:fixture-two.*\[archived\]/);
    expect(text.stdout).not.toMatch(/agent:main:main .*\[archived\]/);
  });
});
