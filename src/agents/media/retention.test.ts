import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../test/helpers/cli.js";
import { createLogger } from "../../infra/logger.js";
import { mediaAttachedNote, storeInboundMedia } from "./inbound.js";
import { GRACE_MS, referencedInbound, startInboundSweep, sweepInboundMedia } from "./retention.js";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const WEEK = 168 * HOUR;

/** A stored-looking file under `media/inbound/`, last changed `ageMs` before NOW. */
function kept(ws: string, ageMs: number, bytes = 10, name = `${randomUUID()}.pdf`): string {
  const dir = path.join(ws, "media", "inbound");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.alloc(bytes));
  const at = (NOW - ageMs) / 1000;
  utimesSync(file, at, at);
  return name;
}
const left = (ws: string) => readdirSync(path.join(ws, "media", "inbound")).sort();

describe("media/inbound retention", () => {
  it("removes files older than the TTL and keeps newer ones", async () => {
    const ws = tempDir();
    const old = kept(ws, WEEK + HOUR);
    const fresh = kept(ws, WEEK - HOUR);
    const r = await sweepInboundMedia(ws, { ttlMs: WEEK, maxBytes: 1e9, now: NOW, inUse: new Set() });
    expect(r).toEqual({ removed: 1, removedBytes: 10, kept: 1, keptBytes: 10 });
    expect(left(ws)).toEqual([fresh]);
    expect(left(ws)).not.toContain(old);
  });

  it("over the size cap, removes the oldest first until under it", async () => {
    const ws = tempDir();
    const oldest = kept(ws, 5 * HOUR, 100);
    const middle = kept(ws, 4 * HOUR, 100);
    const newest = kept(ws, 3 * HOUR, 100);
    await sweepInboundMedia(ws, { ttlMs: WEEK, maxBytes: 150, now: NOW, inUse: new Set() });
    expect(left(ws)).toEqual([newest]);
    expect([oldest, middle].some((n) => left(ws).includes(n))).toBe(false);
  });

  it("never removes a file a queued or running turn names, nor one younger than the grace period", async () => {
    const ws = tempDir();
    const named = kept(ws, WEEK * 2);
    const justStored = kept(ws, GRACE_MS / 2, 1000);
    const text = `look at this\n\n${mediaAttachedNote([{ path: `media/inbound/${named}`, mimeType: "application/pdf", name: "a.pdf" }])}`;
    const inUse = referencedInbound([text]);
    expect(inUse).toEqual(new Set([named]));
    await sweepInboundMedia(ws, { ttlMs: HOUR, maxBytes: 1, now: NOW, inUse });
    expect(left(ws)).toEqual([justStored, named].sort());
  });

  it("leaves what it did not create: other names, folders, symlinks; and a media/ symlinked out of the workspace", async () => {
    const ws = tempDir();
    const mine = kept(ws, WEEK * 2);
    kept(ws, WEEK * 2, 10, "report.pdf");
    mkdirSync(path.join(ws, "media", "inbound", "00000000-0000-0000-0000-000000000000.dir"));
    const outside = tempDir();
    const target = path.join(outside, "precious.pdf");
    writeFileSync(target, "keep me");
    symlinkSync(target, path.join(ws, "media", "inbound", `${randomUUID()}.pdf`));
    await sweepInboundMedia(ws, { ttlMs: HOUR, maxBytes: 1, now: NOW, inUse: new Set() });
    expect(left(ws)).not.toContain(mine);
    expect(left(ws)).toContain("report.pdf");
    expect(left(ws)).toHaveLength(3);
    expect(existsSync(target)).toBe(true);

    // The agent points media/ elsewhere: the folder there is not swept.
    const ws2 = tempDir();
    const elsewhere = tempDir();
    const name = kept(elsewhere, WEEK * 2);
    symlinkSync(path.join(elsewhere, "media"), path.join(ws2, "media"));
    await expect(
      sweepInboundMedia(ws2, { ttlMs: HOUR, maxBytes: 1, now: NOW, inUse: new Set() }),
    ).rejects.toThrow(/outside the workspace/);
    expect(left(elsewhere)).toEqual([name]);
  });

  it("a workspace without media/inbound is nothing to do", async () => {
    const r = await sweepInboundMedia(tempDir(), { ttlMs: HOUR, maxBytes: 1, now: NOW, inUse: new Set() });
    expect(r).toEqual({ removed: 0, removedBytes: 0, kept: 0, keptBytes: 0 });
  });

  it("the scheduled sweep reads attachments.ttlHours at each run (168 h when unset) and keeps files of unfinished turns", async () => {
    const ws = tempDir();
    const stored = await storeInboundMedia(ws, {
      name: "a.pdf",
      mimeType: "application/pdf",
      data: Buffer.from("%PDF"),
    });
    const day2 = kept(ws, 2 * 24 * HOUR);
    const day8 = kept(ws, 8 * 24 * HOUR);
    let ttlHours: number | undefined;
    let unfinished = [mediaAttachedNote([{ ...stored, name: "a.pdf" }])];
    // The stored file is "now" in real time: far in this clock's future, so only the turn and grace guard it.
    const sweeper = startInboundSweep({
      workspaces: () => [ws, ws],
      ttlHours: () => ttlHours,
      unfinishedTexts: () => unfinished,
      log: createLogger("media"),
      now: () => NOW,
    });
    try {
      await sweeper.sweep();
      expect(left(ws)).toEqual([path.basename(stored.path), day2].sort());
      ttlHours = 24;
      unfinished = [];
      await sweeper.sweep();
      expect(left(ws)).toEqual([path.basename(stored.path)]);
      expect(left(ws)).not.toContain(day8);
    } finally {
      sweeper.stop();
    }
  });
});
