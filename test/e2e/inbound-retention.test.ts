/**
 * The media/inbound sweep at gateway start (after it listens): files kept for tools that
 * are past `attachments.ttlHours` go; a file named by a message accepted before a crash
 * (replayed from the journal, its turn still running) stays, however old; so do newer
 * files and files the gateway did not create.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";

const DAY = 24 * 3_600_000;

describe("gateway start: media/inbound retention", () => {
  let gw: RunningGateway | undefined;
  let anthropic: FakeServer | undefined;
  afterEach(async () => {
    await gw?.stop("SIGTERM");
    await anthropic?.close();
    gw = anthropic = undefined;
  });

  it("removes expired stored files after listening, keeping the one a replayed turn names", async () => {
    anthropic = await startFakeAnthropic();
    // The replayed turn stays running while the sweep looks.
    anthropic.enqueue({ stall: "afterFirstToken" });
    const workspace = tempDir();
    const dir = path.join(workspace, "media", "inbound");
    mkdirSync(dir, { recursive: true });
    const file = (name: string, ageMs: number) => {
      writeFileSync(path.join(dir, name), "%PDF-1.7");
      const at = (Date.now() - ageMs) / 1000;
      utimesSync(path.join(dir, name), at, at);
      return path.join(dir, name);
    };
    const expired = file(`${randomUUID()}.pdf`, 3 * DAY);
    const replayed = file(`${randomUUID()}.pdf`, 3 * DAY);
    const recent = file(`${randomUUID()}.pdf`, DAY / 2);
    const users = file("notes.pdf", 30 * DAY);
    const stateDir = stateDirWith(
      baseConfig(anthropic.url, { attachments: { ttlHours: 24 }, agents: { defaults: { workspace } } }),
    );
    mkdirSync(path.join(stateDir, "agents"), { recursive: true });
    const entry = {
      type: "accepted",
      id: randomUUID(),
      sessionKey: "agent:main:main",
      text: `read this\n\n[media attached: media/inbound/${path.basename(replayed)} (application/pdf) "r.pdf"]`,
      at: Date.now() - 3 * DAY,
    };
    writeFileSync(path.join(stateDir, "agents", "inbox.jsonl"), `${JSON.stringify(entry)}\n`);
    gw = await startGateway(
      ["--port", "0"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-retention-123456" }),
    );
    await gw.waitForLine(/media\/inbound in .* removed \d+ file\(s\)/);
    expect(existsSync(expired)).toBe(false);
    expect([replayed, recent, users].filter((f) => !existsSync(f))).toEqual([]);
    // The sweep came after the listening line.
    const out = gw.output().stdout + gw.output().stderr;
    expect(out.indexOf("listening on")).toBeLessThan(out.search(/media\/inbound in/));
  });
});
