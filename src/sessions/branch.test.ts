import { describe, expect, it } from "vitest";
import { activeBranch, branchPointBefore } from "./branch.js";

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
