import path from "node:path";
import { writeFileAtomic } from "../infra/fs.js";
import type { SessionEntry } from "./index-db.js";
import { LEGACY_INDEX } from "./legacy.js";
import type { SessionStore } from "./store.js";

/** Rows read per page while exporting: bounded memory per step, whatever the store's size. */
const EXPORT_PAGE = 1000;

/**
 * Writes `sessions.json` beside the transcripts (OpenClaw's legacy layout: sessionKey →
 * entry, `<sessionId>.jsonl` next to it), which OpenClaw 2026.9.6 imports into its
 * SQLite at its next start and OpenClaw ≤ 2026.8 reads as it is. Returns the file and count.
 */
export async function exportOpenClawLayout(store: SessionStore): Promise<{ file: string; count: number }> {
  const index: Record<string, SessionEntry> = {};
  let cursor: string | undefined;
  for (;;) {
    const page = store.page({ limit: EXPORT_PAGE, cursor });
    for (const { key, entry } of page.sessions) {
      index[key] = entry;
    }
    if (!page.hasMore || !page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const file = path.join(store.dir, LEGACY_INDEX);
  await writeFileAtomic(file, `${JSON.stringify(index, null, 2)}\n`, 0o600);
  return { file, count: Object.keys(index).length };
}
