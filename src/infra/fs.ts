import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a file so that readers (and a crash at any instant) see either the old
 * content or the new one, never a torn mix: write a temp file beside it, fsync it,
 * rename over the target, then fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    // A full disk fails the write or the sync: leave no half-written temp file behind.
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

/** True when `err` is a Node system error with the given code. */
export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}

/**
 * Appends `data` to a file as one unit: if the write fails part-way (a full disk),
 * the file is cut back to its previous length, so no half line is left for the next
 * append to run into. `sync` fsyncs (data only) before resolving. Resolves to the byte
 * range the data now holds in the file (the search index records how far it has read).
 */
export async function appendWhole(
  file: string,
  data: string,
  opts: { sync?: boolean } = {},
): Promise<{ start: number; end: number }> {
  const handle = await open(file, "a", 0o600);
  try {
    const { size } = await handle.stat();
    try {
      // appendFile loops until every byte is written (a bare write() may stop short on a
      // full disk and report success) and throws ENOSPC when no more fits.
      await handle.appendFile(data);
      if (opts.sync) await handle.datasync();
      return { start: size, end: size + Buffer.byteLength(data) };
    } catch (err) {
      await handle.truncate(size).catch(() => undefined);
      throw err;
    }
  } finally {
    await handle.close();
  }
}
