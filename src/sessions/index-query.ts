/**
 * How a page of the session index is asked for and found: which column it is sorted by,
 * which lifecycle (active, archived, both) it shows, and keyset cursors that stay valid
 * under inserts for any of those orders. Every order has an index `(archived, column, key)`,
 * so a page costs O(log n + limit) at any depth reached by cursor.
 */

/** OpenClaw's `sortBy` names (`activity` is its name for last activity) plus ours. */
export const SORT_KEYS = ["updatedAt", "activity", "createdAt", "totalTokens", "name"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";
/** `active` hides archived sessions (OpenClaw's default list), `archived` shows only them. */
export type ArchivedFilter = "active" | "archived" | "all";

/** The column behind each sort, written with every row (see index-db.ts `put`). */
const COLUMN: Record<SortKey, string> = {
  updatedAt: "updated_at",
  activity: "updated_at",
  createdAt: "created_at",
  totalTokens: "total_tokens",
  name: "sort_name",
};

export interface PageQuery {
  /** Rows per page. */
  limit: number;
  /** Opaque cursor from the previous page's `nextCursor` (keyset paging: stable under inserts). */
  cursor?: string;
  /** Rows to skip (for UIs that jump to a page number); ignored when `cursor` is given. */
  offset?: number;
  /** Case-insensitive substring of the key, label/display name or channel. */
  search?: string;
  /** Default `updatedAt` (last activity). */
  sortBy?: SortKey;
  /** Default `desc` (newest, largest, Z first). */
  sortDir?: SortDir;
  /** Default `all` here (exports, pruning); the gateway's `sessions.list` defaults to `active`. */
  archived?: ArchivedFilter;
}

/** The SQL of one page: each lifecycle part is one index range, merged when both are shown. */
export function pageSql(q: PageQuery): { sql: string; args: (string | number)[] } {
  const sortBy = q.sortBy ?? "updatedAt";
  const dir = q.sortDir ?? "desc";
  const col = COLUMN[sortBy];
  const cmp = dir === "desc" ? "<" : ">";
  // Pinned sessions first in the default order (OpenClaw pins only under its updatedAt sort).
  const pins = pinsFirst(q);
  const order = pins ? "ORDER BY p DESC, v DESC, key DESC" : `ORDER BY v ${dir}, key ${dir}`;
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.search) {
    const pattern = likePattern(q.search);
    where.push(`(key ${LIKE} OR label ${LIKE} OR channel ${LIKE})`);
    args.push(pattern, pattern, pattern);
  }
  if (q.cursor) {
    const at = decodeCursor(q.cursor, sortBy, dir);
    // A row value comparison is what lets SQLite start the index range at the cursor.
    if (pins) {
      where.push(`(pinned_at, ${col}, key) < (?, ?, ?)`);
      args.push(at.pinned, at.value, at.key);
    } else {
      where.push(`(${col}, key) ${cmp} (?, ?)`);
      args.push(at.value, at.key);
    }
  }
  const offset = q.cursor ? 0 : (q.offset ?? 0);
  const part = (limit: number) =>
    `SELECT key, entry, ${col} AS v, pinned_at AS p FROM sessions WHERE ${["archived = ?", ...where].join(" AND ")} ${order} LIMIT ${limit}`;
  const filter = q.archived ?? "all";
  if (filter !== "all") {
    return {
      sql: `${part(q.limit)} OFFSET ${offset}`,
      args: [filter === "archived" ? 1 : 0, ...args],
    };
  }
  // One part per lifecycle (`archived = ?` bound to 0, then 1), each an index range; each side needs at most offset + limit rows of its own before the merge.
  const each = offset + q.limit;
  return {
    sql: `SELECT * FROM (${part(each)}) UNION ALL SELECT * FROM (${part(each)}) ${order} LIMIT ${q.limit} OFFSET ${offset}`,
    args: [0, ...args, 1, ...args],
  };
}

/** `COUNT(*)` of a search (a LIKE scan, as before: bounded by MAX_SEARCH_CHARS). */
export function countSql(q: PageQuery): { sql: string; args: (string | number)[] } {
  const pattern = likePattern(q.search ?? "");
  const filter = q.archived ?? "all";
  const lifecycle = filter === "all" ? "" : ` AND archived = ${filter === "archived" ? 1 : 0}`;
  return {
    sql: `SELECT count(*) AS n FROM sessions WHERE (key ${LIKE} OR label ${LIKE} OR channel ${LIKE})${lifecycle}`,
    args: [pattern, pattern, pattern],
  };
}

const LIKE = "LIKE ? ESCAPE '\\'";

/** `%text%` with LIKE's wildcards in `text` taken literally (SQLite's LIKE is case-insensitive for ASCII). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Whether pinned sessions lead the page: the default order, last activity newest first. */
export function pinsFirst(q: Pick<PageQuery, "sortBy" | "sortDir">): boolean {
  return (q.sortBy ?? "updatedAt") === "updatedAt" && (q.sortDir ?? "desc") === "desc";
}

export function encodeCursor(q: PageQuery, value: string | number, key: string, pinned = 0): string {
  const sort = `${q.sortBy ?? "updatedAt"}:${q.sortDir ?? "desc"}`;
  return Buffer.from(JSON.stringify([value, key, sort, pinned])).toString("base64url");
}

function decodeCursor(
  cursor: string,
  sortBy: SortKey,
  dir: SortDir,
): { value: string | number; key: string; pinned: number } {
  let parsed: unknown[] = [];
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
  } catch {
    // Falls through to the error below.
  }
  const [value, key, sort = "updatedAt:desc", pinned = 0] = Array.isArray(parsed) ? parsed : [];
  if ((typeof value === "number" || typeof value === "string") && typeof key === "string") {
    if (sort !== `${sortBy}:${dir}`) {
      throw new Error(`cursor belongs to another order (${String(sort)}): start again without a cursor`);
    }
    return { value, key, pinned: typeof pinned === "number" ? pinned : 0 };
  }
  throw new Error("cursor is not one this gateway returned: pass the nextCursor of the previous page");
}
