import path from "node:path";
import { openDatabase } from "../../src/infra/sqlite.js";
import { INDEX_FILE, type SessionEntry } from "../../src/sessions/store.js";

/**
 * The session index of `agents/<id>/sessions/` as another process sees it (every committed
 * row), after SQLite's own integrity check: a torn or half-written index fails here.
 */
export function readSessionIndex(sessionsDir: string): Record<string, SessionEntry> {
  const db = openDatabase(path.join(sessionsDir, INDEX_FILE), { readOnly: true });
  try {
    const check = db.prepare("PRAGMA integrity_check").get() as { integrity_check: string };
    if (check.integrity_check !== "ok") throw new Error(`session index is corrupt: ${check.integrity_check}`);
    const rows = db.prepare("SELECT key, entry FROM sessions").all() as { key: string; entry: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.entry) as SessionEntry]));
  } finally {
    db.close();
  }
}
