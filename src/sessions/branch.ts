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
