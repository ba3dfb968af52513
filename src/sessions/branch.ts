/**
 * Transcripts are trees: each entry names its `parentId`. Rewinding a session (to edit a
 * message or regenerate an answer) never rewrites the file: it appends a `leaf` entry,
 * OpenClaw's navigation control, whose `targetId` is the entry the conversation now
 * continues from (null: from the start). Later entries chain from that marker. The
 * active branch is the path from the newest entry back to the root, where a `leaf`
 * marker jumps to its target; entries on other branches stay in the file, unread.
 */

export interface TreeLine {
  type: string;
  id?: string;
  parentId?: string | null;
  targetId?: string | null;
}

/** OpenClaw's entry type for "the conversation continues from `targetId`". */
export const LEAF_ENTRY = "leaf";

/**
 * The lines of the active branch in file order (the header and any other line without
 * an id stay). A transcript without `leaf` markers is one straight line: returned as is.
 */
export function activeBranch<T extends TreeLine>(lines: readonly T[]): T[] {
  if (!lines.some((l) => l.type === LEAF_ENTRY)) return [...lines];
  const byId = new Map<string, T>();
  for (const line of lines) if (line.id && line.type !== "session") byId.set(line.id, line);
  const onPath = new Set<string>();
  const last = lines.findLast((l) => l.id && l.type !== "session");
  let id: string | null | undefined = last?.id;
  // A cycle (a hand-edited file) ends the walk instead of looping.
  const seen = new Set<string>();
  while (id && !seen.has(id)) {
    seen.add(id);
    const line = byId.get(id);
    if (!line) break;
    if (line.type === LEAF_ENTRY) {
      id = line.targetId;
      continue;
    }
    onPath.add(id);
    id = line.parentId;
  }
  return lines.filter((l) => !l.id || l.type === "session" || onPath.has(l.id));
}

/**
 * The entry a new branch starts from when `entryId` is rewound (the entry before it on
 * the active branch), or null when it was the first.
 */
export function branchPointBefore(lines: readonly TreeLine[], entryId: string): string | null {
  const path = activeBranch(lines).filter((l) => l.id && l.type !== "session");
  const at = path.findIndex((l) => l.id === entryId);
  return at > 0 ? (path[at - 1]?.id ?? null) : null;
}

/** Characters of a branch's headline (OpenClaw's bound). */
const HEADLINE_CHARS = 120;

/** One branch as `sessions.branches.list` gives it (OpenClaw's shape, plus where it parts). */
export interface BranchSummary {
  /** The newest entry of the branch: what `sessions.branches.switch` takes. */
  leafEntryId: string;
  /** Its latest user or assistant text, on one line. */
  headline: string;
  messageCount: number;
  updatedAt?: string;
  active: boolean;
  /**
   * Ours, for a branch other than the active one: the id of the message on the active
   * branch it is an alternative to (null: the active branch stops where they part).
   */
  divergesAt?: string | null;
  /**
   * Ours: its place among the alternatives at that point, oldest first (0-based); the
   * active branch's place is the one no row takes. Both are on the newest end of each
   * alternative only.
   */
  siblingIndex?: number;
}

interface BranchLine extends TreeLine {
  timestamp?: string;
  message?: { role?: string; content?: unknown };
}

/**
 * Every branch of a transcript: each entry no later entry continues from (a tip), and the
 * active branch's end even when a rewind left it continued elsewhere. Active first, then
 * newest first (OpenClaw's order).
 */
export function listBranches(
  lines: readonly BranchLine[],
  textOf: (m: BranchLine["message"]) => string,
): BranchSummary[] {
  const entries = lines.filter(
    (l): l is BranchLine & { id: string } => Boolean(l.id) && l.type !== "session",
  );
  const byId = new Map(entries.map((e) => [e.id, e]));
  const parentOf = (e: TreeLine): string | null => resolveParent(e.parentId ?? null, byId);
  const nodes = entries.filter((e) => e.type !== LEAF_ENTRY);
  const children = new Map<string | null, string[]>();
  for (const n of nodes) {
    const p = parentOf(n);
    children.set(p, [...(children.get(p) ?? []), n.id]);
  }
  const active = activeBranch(lines).filter((l) => l.id && l.type !== "session");
  const activeIds = new Set(active.map((l) => l.id));
  const activeTip = active.at(-1)?.id;
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const tips = nodes
    .filter((n) => n.id === activeTip || !children.has(n.id))
    .sort(
      (a, b) =>
        Number(b.id === activeTip) - Number(a.id === activeTip) || order.get(b.id)! - order.get(a.id)!,
    );
  const placed = new Set<string>();
  return tips.map((tip) => {
    const path = pathTo(tip.id, byId, parentOf);
    const headed = path.findLast(
      (e) => ["user", "assistant"].includes(e.message?.role ?? "") && textOf(e.message),
    );
    const headline = headed ? textOf(headed.message).replace(/\s+/g, " ").trim() : "";
    const row: BranchSummary = {
      leafEntryId: tip.id,
      headline: headline.length > HEADLINE_CHARS ? `${headline.slice(0, HEADLINE_CHARS - 1)}…` : headline,
      messageCount: path.filter((e) => e.type === "message").length,
      ...(tip.timestamp ? { updatedAt: tip.timestamp } : {}),
      active: tip.id === activeTip,
    };
    if (row.active) return row;
    // Where it parts from the active branch: the last entry they share, and the first of each after it.
    const first = path.findIndex((e) => !activeIds.has(e.id));
    const shared = first > 0 ? path[first - 1]!.id : null;
    const ownFirst = path[first]!.id;
    const sharedAt = shared === null ? -1 : active.findIndex((l) => l.id === shared);
    const alternative = active.slice(sharedAt + 1).find((l) => l.type === "message");
    const siblingIndex = (children.get(shared) ?? []).indexOf(ownFirst);
    const place = `${alternative?.id ?? ""}:${siblingIndex}`;
    // An alternative that branched again is offered once: by its newest end (listed first).
    if (placed.has(place)) return row;
    placed.add(place);
    return { ...row, divergesAt: alternative?.id ?? null, siblingIndex };
  });
}

/** An entry's parent with `leaf` markers resolved to the entry they point at. */
function resolveParent(id: string | null, byId: ReadonlyMap<string, TreeLine>): string | null {
  const seen = new Set<string>();
  while (id !== null && !seen.has(id)) {
    seen.add(id);
    const line = byId.get(id);
    if (line?.type !== LEAF_ENTRY) return id;
    id = line.targetId ?? null;
  }
  return null;
}

/** The entries from the root to `tip`, oldest first. */
function pathTo<T extends TreeLine>(
  tip: string,
  byId: ReadonlyMap<string, T>,
  parentOf: (e: T) => string | null,
): T[] {
  const path: T[] = [];
  const seen = new Set<string>();
  for (let id: string | null = tip; id !== null && !seen.has(id); ) {
    seen.add(id);
    const line = byId.get(id);
    if (!line) break;
    path.push(line);
    id = parentOf(line);
  }
  return path.reverse();
}

/** Whether `entryId` ends a branch (see `listBranches`): what a switch may target. */
export function isBranchTip(lines: readonly TreeLine[], entryId: string): boolean {
  const target = lines.find((l) => l.id === entryId && l.type !== "session");
  if (!target || target.type === LEAF_ENTRY) return false;
  const byId = new Map<string, TreeLine>();
  for (const l of lines) if (l.id && l.type !== "session") byId.set(l.id, l);
  return !lines.some(
    (l) =>
      l.id &&
      l.type !== "session" &&
      l.type !== LEAF_ENTRY &&
      resolveParent(l.parentId ?? null, byId) === entryId,
  );
}

/**
 * What a fork before `entryId` starts with: the active branch up to (not including) it,
 * re-chained as one straight line (each entry's parent is the one before it, `leaf`
 * markers dropped). Ids are kept, so a compaction's `firstKeptEntryId` (always an earlier
 * entry of the same branch) still names its entry in the copy.
 */
export function forkPrefix<T extends TreeLine>(
  lines: readonly T[],
  entryId: string,
): (T & { parentId: string | null })[] {
  const path = activeBranch(lines).filter((l) => l.id && l.type !== "session" && l.type !== LEAF_ENTRY);
  const at = path.findIndex((l) => l.id === entryId);
  return path
    .slice(0, Math.max(at, 0))
    .map((l, i) => ({ ...l, parentId: i > 0 ? (path[i - 1]!.id ?? null) : null }));
}
