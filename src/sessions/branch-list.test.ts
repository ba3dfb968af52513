import { describe, expect, it } from "vitest";
import { activeBranch, forkPrefix, isBranchTip, listBranches } from "./branch.js";

const header = { type: "session", id: "s1" };
const say = (id: string, parentId: string | null, role: string, text: string, timestamp = `t-${id}`) => ({
  type: "message",
  id,
  parentId,
  timestamp,
  message: { role, content: [{ type: "text", text }] },
});
const leaf = (id: string, parentId: string, targetId: string | null) => ({
  type: "leaf",
  id,
  parentId,
  targetId,
});
const textOf = (m?: { content?: unknown }) =>
  ((m?.content ?? []) as { text?: string }[]).map((b) => b.text ?? "").join("");

/** q1 a1 q2 a2, then q2 edited (q2b a2b), then regenerated (q2c a2c): three answers to the second question. */
const edited = [
  header,
  say("q1", null, "user", "one"),
  say("a1", "q1", "assistant", "ANSWER ONE"),
  say("q2", "a1", "user", "two"),
  say("a2", "q2", "assistant", "ANSWER   TWO\nfirst"),
  leaf("L1", "a2", "a1"),
  say("q2b", "L1", "user", "two, edited"),
  say("a2b", "q2b", "assistant", "ANSWER TWO B"),
  leaf("L2", "a2b", "a1"),
  say("q2c", "L2", "user", "two, again"),
  say("a2c", "q2c", "assistant", "ANSWER TWO C"),
];

describe("listBranches", () => {
  it("a straight transcript is one branch: its end, its latest text, its message count", () => {
    const lines = edited.slice(0, 5);
    expect(listBranches(lines, textOf)).toEqual([
      { leafEntryId: "a2", headline: "ANSWER TWO first", messageCount: 4, updatedAt: "t-a2", active: true },
    ]);
    expect(listBranches([header], textOf)).toEqual([]);
  });

  it("every branch a rewind left: active first, then newest; each says which active message it is an alternative to, and its place", () => {
    const rows = listBranches(edited, textOf);
    expect(rows.map((r) => [r.leafEntryId, r.active, r.messageCount, r.divergesAt, r.siblingIndex])).toEqual([
      ["a2c", true, 4, undefined, undefined],
      ["a2b", false, 4, "q2c", 1],
      ["a2", false, 4, "q2c", 0],
    ]);
    // The active branch is the third alternative at q2c (index 2: the one no other row takes).
    expect(rows[1]?.headline).toBe("ANSWER TWO B");
  });

  it("right after a rewind the active branch ends where the others part (divergesAt null); a nested branch parts further down", () => {
    const rewound = [...edited.slice(0, 6)];
    expect(listBranches(rewound, textOf).map((r) => [r.leafEntryId, r.active, r.divergesAt])).toEqual([
      ["a1", true, undefined],
      ["a2", false, null],
    ]);
    const nested = [
      ...edited,
      say("q3", "a2c", "user", "three"),
      say("a3", "q3", "assistant", "ANSWER THREE"),
      leaf("L3", "a3", "a2c"),
      say("q3b", "L3", "user", "three, edited"),
    ];
    const rows = listBranches(nested, textOf);
    expect(rows.map((r) => [r.leafEntryId, r.divergesAt, r.siblingIndex])).toEqual([
      ["q3b", undefined, undefined],
      ["a3", "q3b", 0],
      ["a2b", "q2c", 1],
      ["a2", "q2c", 0],
    ]);
  });

  it("an alternative that branched again is offered once, by its newest end", () => {
    const again = [...edited, say("a2x", "q2", "assistant", "ANSWER TWO X"), leaf("L3", "a2x", "a2c")];
    expect(listBranches(again, textOf).map((r) => [r.leafEntryId, r.divergesAt, r.siblingIndex])).toEqual([
      ["a2c", undefined, undefined],
      ["a2x", "q2c", 0],
      ["a2b", "q2c", 1],
      ["a2", undefined, undefined],
    ]);
  });

  it("only a branch's end is a switch target; switching is a marker that makes it the conversation again", () => {
    expect(isBranchTip(edited, "a2")).toBe(true);
    expect(isBranchTip(edited, "q2")).toBe(false);
    expect(isBranchTip(edited, "L1")).toBe(false);
    expect(isBranchTip(edited, "nope")).toBe(false);
    const switched = [...edited, leaf("L3", "a2c", "a2")];
    expect(activeBranch(switched).map((l) => l.id)).toEqual(["s1", "q1", "a1", "q2", "a2"]);
    expect(listBranches(switched, textOf).map((r) => [r.leafEntryId, r.active, r.divergesAt])).toEqual([
      ["a2", true, undefined],
      ["a2c", false, "q2"],
      ["a2b", false, "q2"],
    ]);
  });
});

describe("forkPrefix", () => {
  it("copies the active branch before the message as one straight line, markers dropped, ids kept", () => {
    const copy = forkPrefix(edited, "q2c");
    expect(copy.map((l) => [l.id, l.parentId])).toEqual([
      ["q1", null],
      ["a1", "q1"],
    ]);
    const later = [...edited, say("q3", "a2c", "user", "three")];
    expect(forkPrefix(later, "q3").map((l) => [l.id, l.parentId])).toEqual([
      ["q1", null],
      ["a1", "q1"],
      ["q2c", "a1"],
      ["a2c", "q2c"],
    ]);
  });
});
