import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { Inbox, type InboxEntry } from "./inbox.js";

const log = createLogger("test");
const entry = (id: string): InboxEntry => ({
  type: "accepted",
  id,
  sessionKey: "agent:main:main",
  text: `msg ${id}`,
  at: 1,
});

describe("Inbox (write-ahead journal)", () => {
  it("returns accepted-but-not-done entries in order after a restart, and compacts the file", async () => {
    const file = path.join(tempDir(), "agents", "inbox.jsonl");
    const { inbox } = await Inbox.open(file, log);
    await Promise.all(["a", "b", "c"].map((id) => inbox.accept(entry(id))));
    inbox.done("b");
    await inbox.accept(entry("d")); // also flushes the earlier `done`
    const { pending } = await Inbox.open(file, log);
    expect(pending.map((e) => e.id)).toEqual(["a", "c", "d"]);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("ignores a torn last line (a message that was never acknowledged)", async () => {
    const file = path.join(tempDir(), "inbox.jsonl");
    const { inbox } = await Inbox.open(file, log);
    await inbox.accept(entry("kept"));
    appendFileSync(file, '{"type":"accepted","id":"torn","sess');
    const { pending } = await Inbox.open(file, log);
    expect(pending.map((e) => e.id)).toEqual(["kept"]);
  });

  it("commits concurrent accepts in batches, each resolved only once on disk", async () => {
    const file = path.join(tempDir(), "inbox.jsonl");
    const { inbox } = await Inbox.open(file, log);
    const ids = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await Promise.all(ids.map((id) => inbox.accept(entry(id))));
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(lines).toEqual(ids);
  });
});
