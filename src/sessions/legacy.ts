import { open, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";
import type { SessionEntry, SessionIndex } from "./index-db.js";

/** OpenClaw's (≤ 2026.8) and our old index file; read, never written or moved. */
export const LEGACY_INDEX = "sessions.json";
/** Meta key: the size and mtime of the `sessions.json` last merged (unchanged → nothing to do). */
const SEEN_INDEX = "legacy.sessionsJson";
/** Meta key: set once the transcripts of the directory were scanned for sessions no index names. */
const SCANNED = "legacy.transcriptsScanned";
/** Bytes read from the start of a transcript to find its header line. */
const HEADER_PROBE_BYTES = 64 * 1024;

/**
 * Brings the legacy layout into the index: the rows of `sessions.json` (on the first start,
 * and again whenever another program such as OpenClaw ≤ 2026.8 changed it: the newer
 * `updatedAt` wins), then, once, the transcripts no row names (a lost or corrupt index).
 * Nothing is moved or deleted, so OpenClaw can still read the directory.
 */
export async function importLegacyLayout(dir: string, index: SessionIndex, log: Logger): Promise<void> {
  const known = await mergeSessionsJson(dir, index, log);
  if (index.meta(SCANNED)) return;
  const found = await scanTranscripts(dir, known);
  const rows = found.filter(({ key, entry }) => {
    const current = index.get(key);
    return !current || current.updatedAt < entry.updatedAt;
  });
  if (rows.length > 0) {
    index.put(rows);
    log.info(`indexed ${rows.length} session(s) of ${dir} from their transcript headers`);
  }
  index.setMeta(SCANNED, new Date().toISOString());
}

/** Merges `sessions.json` when it changed since the last merge; returns the session ids it names. */
async function mergeSessionsJson(dir: string, index: SessionIndex, log: Logger): Promise<Set<string>> {
  const file = path.join(dir, LEGACY_INDEX);
  const ids = new Set<string>();
  let signature: string;
  try {
    const s = await stat(file);
    signature = `${s.size}:${s.mtimeMs}`;
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return ids;
    throw err;
  }
  if (index.meta(SEEN_INDEX) === signature) return ids;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
  } catch (err) {
    log.warn(
      `${file} is unreadable (${(err as Error).message}); left it as it is and indexed the sessions from their transcripts`,
    );
    index.setMeta(SEEN_INDEX, signature);
    return ids;
  }
  const rows: { key: string; entry: SessionEntry }[] = [];
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    const entry = raw as SessionEntry | null;
    if (!entry || typeof entry.sessionId !== "string") continue;
    ids.add(entry.sessionId);
    const incoming = { ...entry, updatedAt: Number(entry.updatedAt) || 0 };
    const current = index.get(key);
    if (!current || current.updatedAt < incoming.updatedAt) rows.push({ key, entry: incoming });
  }
  index.put(rows);
  index.setMeta(SEEN_INDEX, signature);
  if (rows.length > 0)
    log.info(`imported ${rows.length} session(s) from ${file} (the file is left in place)`);
  return ids;
}

/** Index rows from transcript headers of files `known` does not name (newest per key wins). */
async function scanTranscripts(
  dir: string,
  known: Set<string>,
): Promise<{ key: string; entry: SessionEntry }[]> {
  const byKey = new Map<string, SessionEntry>();
  const names = (await readdir(dir)).filter((n) => n.endsWith(".jsonl"));
  for (const name of names) {
    const sessionId = name.slice(0, -".jsonl".length);
    if (known.has(sessionId)) continue;
    const file = path.join(dir, name);
    const header = await readHeader(file);
    if (header?.type !== "session" || typeof header.sessionKey !== "string") continue;
    const createdAt = Date.parse(String(header.timestamp)) || 0;
    const updatedAt = Math.max(createdAt, Math.trunc((await stat(file)).mtimeMs));
    const existing = byKey.get(header.sessionKey);
    if (existing && existing.updatedAt >= updatedAt) continue;
    byKey.set(header.sessionKey, { sessionId: String(header.id ?? sessionId), createdAt, updatedAt });
  }
  return [...byKey].map(([key, entry]) => ({ key, entry }));
}

async function readHeader(file: string): Promise<Record<string, unknown> | undefined> {
  const handle = await open(file, "r");
  try {
    const buf = Buffer.alloc(HEADER_PROBE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString("utf8").split("\n")[0];
    return JSON.parse(first ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
