import { type FSWatcher, watch } from "node:fs";

/**
 * Marks the index dirty when anything changes in the folders holding memory files
 * (the workspace root for MEMORY.md, memory/ and its subfolders), so a search skips
 * the stat of every note when nothing changed. One non-recursive inotify watch per
 * folder (not per file: the per-user inotify budget is shared with every other
 * process). A watch that fails or errors leaves the index "unwatched": every search
 * then checks all files, as without a watcher.
 */
export class MemoryWatcher {
  /** Set by any event; cleared by the index just before a full check of the files. */
  dirty = true;
  private healthy = true;
  private readonly watchers = new Map<string, FSWatcher>();

  /** Whether a search may trust `dirty` (every folder is watched and no watch failed). */
  get reliable(): boolean {
    return this.healthy;
  }

  /** Watches exactly these folders (new ones added, vanished ones dropped). */
  follow(dirs: readonly string[]): void {
    const wanted = new Set(dirs);
    for (const [dir, watcher] of this.watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, () => {
          this.dirty = true;
        });
        watcher.on("error", () => {
          // The folder went away or the watch broke: check files on every search until re-followed.
          this.dirty = true;
          watcher.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, watcher);
      } catch {
        this.healthy = false; // Out of inotify watches, or a filesystem without them.
      }
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}
