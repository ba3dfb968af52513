/**
 * Retention of the files kept for tools under each workspace's `media/inbound/`
 * (see inbound.ts): OpenClaw's `attachments.ttlHours` mtime sweep, at start-up and
 * hourly. OpenClaw leaves that sweep off when the key is unset; here the files the
 * gateway saved would then pile up forever, so unset means 168 hours (7 days, the
 * key's maximum). Each workspace's folder is also held to {@link MAX_INBOUND_BYTES},
 * oldest first.
 *
 * Only files this gateway created are removed: regular files named `<uuid>.<ext>`
 * directly in the folder (what the agent or the user put there stays), never through a
 * symlink, never a file a queued or running turn names, never one younger than
 * {@link GRACE_MS} (stored for a message not yet queued). Each removal is one unlink:
 * a crash mid-sweep leaves the rest for the next sweep, with nothing to recover.
 */
import { lstat, readdir, unlink } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode } from "../../infra/fs.js";
import type { Logger } from "../../infra/logger.js";
import { resolveInWorkspace } from "../tools/confine.js";
import { INBOUND_MEDIA_DIR } from "./inbound.js";

/** When `attachments.ttlHours` is unset: a week, OpenClaw's largest allowed value. */
export const DEFAULT_INBOUND_TTL_HOURS = 168;
/** Per workspace: 1 GiB is about 200 of the largest files a message can carry (5 MiB). */
export const MAX_INBOUND_BYTES = 1024 ** 3;
/** A file this fresh may belong to a message being accepted right now: never removed. */
export const GRACE_MS = 10 * 60_000;
/** OpenClaw's media maintenance runs hourly. */
export const SWEEP_INTERVAL_MS = 3_600_000;
/** The names storeInboundMedia gives: a random UUID and a short extension. */
const STORED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9]{1,10}$/;
const STORED_REFERENCE = /media\/inbound\/([0-9a-f-]{36}\.[a-z0-9]{1,10})/g;
/** lstat and unlink calls in flight at once: fast on 10,000 files without exhausting file handles. */
const STAT_BATCH = 64;

export interface SweepResult {
  removed: number;
  removedBytes: number;
  kept: number;
  keptBytes: number;
}

/** The stored names that `texts` (messages of unfinished turns) mention. */
export function referencedInbound(texts: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(STORED_REFERENCE)) names.add(m[1]!);
  return names;
}

/** Removes expired files (and the oldest over the size cap) from one workspace's `media/inbound/`. */
export async function sweepInboundMedia(
  workspace: string,
  opts: { ttlMs: number; maxBytes: number; now: number; inUse: ReadonlySet<string> },
): Promise<SweepResult> {
  const result: SweepResult = { removed: 0, removedBytes: 0, kept: 0, keptBytes: 0 };
  let dir: string;
  let names: string[];
  try {
    // A `media` the agent turned into a symlink out of the workspace is refused, not swept.
    dir = await resolveInWorkspace(workspace, INBOUND_MEDIA_DIR);
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() && STORED_NAME.test(e.name)).map((e) => e.name);
  } catch (err) {
    if (isErrnoCode(err, "ENOENT") || isErrnoCode(err, "ENOTDIR")) return result;
    throw err;
  }
  const files: { name: string; mtimeMs: number; size: number }[] = [];
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const stats = await Promise.all(
      names.slice(i, i + STAT_BATCH).map((name) => lstat(path.join(dir, name)).catch(() => undefined)),
    );
    stats.forEach((s, j) => {
      if (s?.isFile()) files.push({ name: names[i + j]!, mtimeMs: s.mtimeMs, size: s.size });
    });
  }
  // Oldest first: past the TTL, then over the cap. Planned first, removed in parallel batches.
  files.sort((a, b) => a.mtimeMs - b.mtimeMs);
  let total = files.reduce((sum, f) => sum + f.size, 0);
  const due = files.filter((f) => {
    if (opts.inUse.has(f.name) || f.mtimeMs > opts.now - GRACE_MS) return false;
    if (f.mtimeMs >= opts.now - opts.ttlMs && total <= opts.maxBytes) return false;
    total -= f.size;
    return true;
  });
  const gone = new Set<string>();
  for (let i = 0; i < due.length; i += STAT_BATCH) {
    const batch = due.slice(i, i + STAT_BATCH);
    const done = await Promise.all(batch.map((f) => removed(path.join(dir, f.name))));
    batch.forEach((f, j) => {
      if (done[j]) gone.add(f.name);
    });
  }
  for (const f of files) {
    const key = gone.has(f.name) ? "removed" : "kept";
    result[key] += 1;
    result[`${key}Bytes`] += f.size;
  }
  return result;
}

async function removed(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (err) {
    // Gone already (a tool removed it): counted as removed; anything else is kept for next time.
    return isErrnoCode(err, "ENOENT");
  }
}

/**
 * Sweeps every agent's workspace now and then hourly (an unref'd timer: it never keeps
 * the process alive). `sweep()` runs one now (or joins the one running); `stop()` ends the timer.
 */
export function startInboundSweep(opts: {
  workspaces: () => readonly string[];
  /** `attachments.ttlHours`, read at every sweep (config edits apply at the next one). */
  ttlHours: () => number | undefined;
  /** Messages of turns queued or running: the files they name are kept. */
  unfinishedTexts: () => Iterable<string>;
  log: Logger;
  now?: () => number;
  intervalMs?: number;
}): { sweep(): Promise<void>; stop(): void } {
  const now = opts.now ?? Date.now;
  let running: Promise<void> | undefined;
  const sweep = () =>
    (running ??= (async () => {
      const ttlMs = (opts.ttlHours() ?? DEFAULT_INBOUND_TTL_HOURS) * 3_600_000;
      for (const workspace of new Set(opts.workspaces())) {
        const inUse = referencedInbound(opts.unfinishedTexts());
        const r = await sweepInboundMedia(workspace, {
          ttlMs,
          maxBytes: MAX_INBOUND_BYTES,
          now: now(),
          inUse,
        }).catch((err: Error) => opts.log.warn(`media/inbound in ${workspace}: not swept (${err.message})`));
        if (r && r.removed > 0) {
          opts.log.info(
            `media/inbound in ${workspace}: removed ${r.removed} file(s), ${r.removedBytes} bytes; kept ${r.kept}`,
          );
        }
      }
    })()
      .catch((err: Error) => opts.log.warn(`media/inbound sweep failed: ${err.message}`))
      .finally(() => {
        running = undefined;
      }));
  void sweep();
  const timer = setInterval(sweep, opts.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
