import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { activeBranch, branchPointBefore } from "./branch.js";
import { Transcript } from "./transcript.js";

const header = { type: "session", id: "s1" };
const msg = (id: string, parentId: string | null) => ({ type: "message", id, parentId });
const leaf = (id: string, parentId: string, targetId: string | null) => ({
  type: "leaf",
  id,
  parentId,
  targetId,
});

describe("transcript branches", () => {
  it("a transcript without leaf markers is read whole, as before", () => {
    const lines = [header, msg("a", null), msg("b", "a"), { type: "custom", id: "n", parentId: "b" }];
    expect(activeBranch(lines)).toEqual(lines);
  });

  it("a leaf marker makes later entries continue from its target; the rewound ones are left out", () => {
    const lines = [
      header,
      msg("a", null),
      msg("b", "a"),
      msg("c", "b"),
      msg("d", "c"),
      leaf("L", "d", "b"),
      msg("e", "L"),
    ];
    expect(activeBranch(lines).map((l) => l.id)).toEqual(["s1", "a", "b", "e"]);
    // Right after the marker (nothing appended yet) the branch ends at its target.
    expect(activeBranch(lines.slice(0, 6)).map((l) => l.id)).toEqual(["s1", "a", "b"]);
    expect(branchPointBefore(lines, "e")).toBe("b");
  });

  it("rewinding the first message leaves an empty conversation; a cycle ends the walk", () => {
    const lines = [header, msg("a", "s1"), msg("b", "a"), leaf("L", "b", null)];
    expect(branchPointBefore(lines, "a")).toBeNull();
    expect(activeBranch(lines).map((l) => l.id)).toEqual(["s1"]);
    const cyclic = [header, msg("a", "b"), msg("b", "a"), leaf("L", "b", "b")];
    expect(activeBranch(cyclic).map((l) => l.id)).toEqual(["s1", "a", "b"]);
  });
});

describe("Transcript.rewindBefore", () => {
  it("appends a leaf marker only (nothing rewritten); a fresh reader, even after a torn write, reads the same branch", async () => {
    const file = path.join(tempDir("branch-"), "s.jsonl");
    const log = createLogger("test");
    const t = new Transcript(file, log);
    await t.init({ id: "s", timestamp: new Date().toISOString() });
    const say = (role: "user" | "assistant", text: string) =>
      t.appendMessage({ role, content: [{ type: "text", text }] });
    await say("user", "one");
    await say("assistant", "ANSWER ONE");
    const two = await say("user", "two");
    await say("assistant", "ANSWER TWO");
    const before = readFileSync(file, "utf8");
    await t.rewindBefore(two.id);
    const after = readFileSync(file, "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length).trim().split("\n")).toHaveLength(1);
    const texts = async (tr: Transcript) =>
      (await tr.messages()).map((e) => (e.message!.content[0] as { text: string }).text);
    expect(await texts(t)).toEqual(["one", "ANSWER ONE"]);
    await say("user", "two again");
    expect(await texts(t)).toEqual(["one", "ANSWER ONE", "two again"]);

    // A crash mid-append leaves a torn line: cut off, the branch read as before.
    appendFileSync(file, '{"type":"message","id":"torn","parentId":');
    expect(await texts(new Transcript(file, log))).toEqual(["one", "ANSWER ONE", "two again"]);
  });
});
