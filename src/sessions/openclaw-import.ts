import { existsSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import type { Logger } from "../infra/logger.js";
import { openDatabase } from "../infra/sqlite.js";
import type { SessionEntry, SessionIndex } from "./index-db.js";

/** OpenClaw ≥ 2026.7 keeps an agent's sessions here, relative to `agents/<agentId>/`. */
export const OPENCLAW_AGENT_DB = path.join("agent", "openclaw-agent.sqlite");
/** Meta key: the shape of OpenClaw's database at the last import (unchanged → no work at all). */
const SEEN = "openclaw.agentDb";
/** Sessions imported per index commit (one fsync of the directory and of the WAL per batch). */
const IMPORT_BATCH = 100;
/** Meta key prefix: the last transcript event (seq) imported per OpenClaw session id. */
const SEQ = "openclaw.seq:";

/** Entry fields carried over; OpenClaw's other fields (skill snapshots, baselines) are its own business. */
const CARRIED = [
  "sessionId",
  "createdAt",
  "updatedAt",
  "label",
  "displayName",
  "channel",
  "chatType",
  "origin",
  "lastChannel",
  "lastTo",
  "inputTokens",
  "outputTokens",
  "totalTokens",
  "contextTokens",
  "model",
  "modelProvider",
  "modelOverride",
  "fastMode",
  "category",
] as const;

interface NodeRow {
  session_key: string;
  current_session_id: string;
  entry_json: string;
  updated_at: number;
}

/**
 * Imports the sessions of an OpenClaw 2026.7+ agent database (`agents/<id>/agent/
 * openclaw-agent.sqlite`), opened read-only: nothing of OpenClaw's is written, moved or
 * deleted. Each session becomes an index row and a JSONL transcript in `dir`; a later
 * start imports only what changed there since (a session OpenClaw updated after us, new
 * events appended), and nothing when the database is unchanged.
 */
export async function importOpenClawAgentDb(dir: string, index: SessionIndex, log: Logger): Promise<number> {
  const file = path.join(path.dirname(dir), OPENCLAW_AGENT_DB);
  if (!existsSync(file)) return 0;
  const db = openDatabase(file, { readOnly: true });
  try {
    const shape = db
      .prepare(
        `SELECT (SELECT count(*) FROM session_nodes) AS nodes, (SELECT max(updated_at) FROM session_nodes) AS updated,
                (SELECT count(*) FROM transcript_events) AS events, (SELECT max(created_at) FROM transcript_events) AS last`,
      )
      .get() as Record<string, number | null>;
    const signature = JSON.stringify(shape);
    if (index.meta(SEEN) === signature) return 0;
    const events = db.prepare(
      "SELECT seq, event_json, event_zstd FROM transcript_events WHERE session_id = ? AND seq > ? ORDER BY seq",
    );
    let imported = 0;
    const batch: Batch = { rows: [], meta: {} };
    for (const node of db
      .prepare("SELECT session_key, current_session_id, entry_json, updated_at FROM session_nodes")
      .all() as unknown as NodeRow[]) {
      const entry = toEntry(node);
      const transcript = path.join(dir, `${entry.sessionId}.jsonl`);
      const current = index.get(node.session_key);
      // Ours is newer (we continued the conversation): keep it, unless its transcript is gone
      // (OpenClaw 2026.9.6 moves legacy transcripts into an archive folder when it imports them).
      const have = existsSync(transcript);
      if (current && current.updatedAt >= entry.updatedAt && have) continue;
      const from = have ? Number(index.meta(`${SEQ}${entry.sessionId}`) ?? -1) : -1;
      const rows = events.all(entry.sessionId, from) as {
        seq: number;
        event_json: string | null;
        event_zstd: Uint8Array | null;
      }[];
      const lines = rows.flatMap((r) => {
        const line = toLine(r, node.session_key);
        return line === undefined ? [] : [line];
      });
      const text = lines.map((l) => `${JSON.stringify(l)}\n`).join("");
      await writeTranscript(transcript, text, from >= 0);
      const last = rows.at(-1);
      batch.rows.push({ key: node.session_key, entry });
      if (last) batch.meta[`${SEQ}${entry.sessionId}`] = String(last.seq);
      if (batch.rows.length >= IMPORT_BATCH) await commit(dir, index, batch);
      imported++;
    }
    await commit(dir, index, batch);
    index.setMeta(SEEN, signature);
    if (imported > 0)
      log.info(`imported ${imported} session(s) from ${file} (read-only; OpenClaw's files are unchanged)`);
    return imported;
  } finally {
    db.close();
  }
}

interface Batch {
  rows: { key: string; entry: SessionEntry }[];
  meta: Record<string, string>;
}

/**
 * Makes a batch's transcripts durable (their names: one directory fsync), then commits their
 * rows and progress markers in one transaction. A crash before the commit leaves files whose
 * rows are missing: the next start imports those sessions again from the start.
 */
async function commit(dir: string, index: SessionIndex, batch: Batch): Promise<void> {
  if (batch.rows.length === 0) return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  index.put(batch.rows, batch.meta);
  batch.rows = [];
  batch.meta = {};
}

/** Writes (whole, via a temp file and rename) or appends a transcript, fsynced before it returns. */
async function writeTranscript(file: string, text: string, append: boolean): Promise<void> {
  if (append && !text) return;
  const target = append ? file : `${file}.import.tmp`;
  const handle = await open(target, append ? "a" : "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (!append) await rename(target, file);
}

function toEntry(node: NodeRow): SessionEntry {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(node.entry_json) as Record<string, unknown>;
  } catch {
    // An unreadable entry still has its key, id and time in the row's own columns.
  }
  const entry: Record<string, unknown> = {};
  for (const field of CARRIED) if (raw[field] !== undefined) entry[field] = raw[field];
  entry.sessionId = node.current_session_id;
  entry.updatedAt = Math.max(Number(raw.updatedAt) || 0, node.updated_at);
  return entry as SessionEntry;
}

/** One transcript event as a line of our JSONL: the header gets our version and key, text content becomes a block. */
function toLine(
  row: { event_json: string | null; event_zstd: Uint8Array | null },
  sessionKey: string,
): Record<string, unknown> | undefined {
  let json = row.event_json;
  if (json === null && row.event_zstd) {
    // zstd is in node:zlib from Node 22.15; without it a compressed event is skipped (logged by the caller's count).
    const unzstd = (zlib as { zstdDecompressSync?: (b: Uint8Array) => Buffer }).zstdDecompressSync;
    if (!unzstd) return undefined;
    json = unzstd(row.event_zstd).toString("utf8");
  }
  if (json === null) return undefined;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (event.type === "session") return { ...event, version: 3, sessionKey };
  const message = event.message as { content?: unknown } | undefined;
  if (event.type === "message" && message && typeof message.content === "string") {
    return { ...event, message: { ...message, content: [{ type: "text", text: message.content }] } };
  }
  return event;
}
