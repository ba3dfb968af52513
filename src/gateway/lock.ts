import { readFileSync } from "node:fs";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import type { Logger } from "../infra/logger.js";

/** What a running gateway writes into `<state>/gateway.<hash>.lock`. */
export interface LockOwner {
  pid: number;
  port: number;
  startedAt: string;
  configPath: string;
  hostname: string;
  /** Linux: /proc/<pid>/stat start time (clock ticks since boot); tells a reused pid apart. */
  procStartTime?: string;
  /** Linux: kernel boot id; a lock from an earlier boot (a restarted VM) is always stale. */
  bootId?: string;
}

export class GatewayLockError extends Error {
  constructor(
    message: string,
    readonly owner?: LockOwner,
  ) {
    super(message);
    this.name = "GatewayLockError";
  }
}

export interface GatewayLock {
  readonly path: string;
  /** Records the port actually bound (known only after listening). */
  setPort(port: number): Promise<void>;
  release(): Promise<void>;
}

type OwnerState = { alive: true } | { alive: false; why: string };

/**
 * Takes the single-instance lock. A lock whose owner is gone (killed container,
 * reused pid, earlier boot) is reclaimed with one log line; a live owner makes this
 * fail with "gateway already running", or, with `force`, is stopped first.
 */
export async function acquireGatewayLock(opts: {
  lockPath: string;
  configPath: string;
  port: number;
  force?: boolean;
  log: Logger;
}): Promise<GatewayLock> {
  const { lockPath, log } = opts;
  await mkdir(path.dirname(lockPath), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    port: opts.port,
    startedAt: new Date().toISOString(),
    configPath: opts.configPath,
    hostname: os.hostname(),
    procStartTime: readProcStartTime(process.pid),
    bootId: readBootId(),
  };
  const tmp = `${lockPath}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // link() is atomic and fails if the lock exists, so no reader ever sees a half-written lock.
        await link(tmp, lockPath);
        return createHandle(lockPath, owner);
      } catch (err) {
        if (!isErrnoCode(err, "EEXIST")) {
          throw new GatewayLockError(
            `failed to acquire gateway lock at ${lockPath}: ${(err as Error).message}`,
          );
        }
      }
      const existing = await readOwner(lockPath);
      if (!existing) continue; // Removed between our link and read: try again.
      const state =
        existing === "corrupt" ? { alive: false as const, why: "unreadable" } : ownerState(existing);
      if (state.alive && existing !== "corrupt") {
        if (!opts.force) {
          throw new GatewayLockError(
            `gateway already running (pid ${existing.pid}, port ${existing.port})`,
            existing,
          );
        }
        log.warn(`--force: stopping the running gateway (pid ${existing.pid}, port ${existing.port})`);
        await terminate(existing.pid, log);
      } else if (!state.alive) {
        const pid = existing === "corrupt" ? "?" : existing.pid;
        log.info(`reclaimed stale lock ${path.basename(lockPath)} (pid ${pid}: ${state.why})`);
      }
      await rm(lockPath, { force: true });
    }
    throw new GatewayLockError(`failed to acquire gateway lock at ${lockPath}: it keeps being re-created`);
  } finally {
    await rm(tmp, { force: true });
  }
}

function createHandle(lockPath: string, owner: LockOwner): GatewayLock {
  let released = false;
  return {
    path: lockPath,
    async setPort(port) {
      owner.port = port;
      await writeFileAtomic(lockPath, `${JSON.stringify(owner)}\n`, 0o600);
    },
    async release() {
      if (released) return;
      released = true;
      // Only remove the lock if it is still ours (a --force successor may own it now).
      const current = await readOwner(lockPath);
      if (
        current &&
        current !== "corrupt" &&
        current.pid === owner.pid &&
        current.startedAt === owner.startedAt
      ) {
        await rm(lockPath, { force: true });
      }
    },
  };
}

async function readOwner(lockPath: string): Promise<LockOwner | "corrupt" | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath, "utf8");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as LockOwner;
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : "corrupt";
  } catch {
    return "corrupt";
  }
}

/** Reads a lock file (for `doctor` and `status`): the owner and whether it is alive. */
export async function inspectGatewayLock(
  lockPath: string,
): Promise<{ owner?: LockOwner; alive: boolean; why?: string } | undefined> {
  const owner = await readOwner(lockPath);
  if (!owner) return undefined;
  if (owner === "corrupt") return { alive: false, why: "unreadable" };
  const state = ownerState(owner);
  return state.alive ? { owner, alive: true } : { owner, alive: false, why: state.why };
}

function ownerState(owner: LockOwner): OwnerState {
  // Same pid as ours: a restarted container handed us the pid the dead gateway had.
  if (owner.pid === process.pid) return { alive: false, why: "its pid is now this process" };
  const bootId = readBootId();
  if (owner.bootId && bootId && owner.bootId !== bootId)
    return { alive: false, why: "written before a reboot" };
  if (owner.hostname && owner.hostname !== os.hostname()) {
    // A different hostname with the same state dir is a new container on a shared volume:
    // the old container's processes are not visible from here, so its pid proves nothing.
    return { alive: false, why: `written by host ${owner.hostname}` };
  }
  if (!pidExists(owner.pid)) return { alive: false, why: "process not running" };
  const start = readProcStartTime(owner.pid);
  if (owner.procStartTime && start && start !== owner.procStartTime) {
    return { alive: false, why: "pid reused by another process" };
  }
  return { alive: true };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrnoCode(err, "EPERM");
  }
}

function readProcStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) is parenthesised and may contain spaces; fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19]; // field 22: starttime
  } catch {
    return undefined;
  }
}

function readBootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

async function terminate(pid: number, log: Logger): Promise<void> {
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!pidExists(pid)) return true;
      await delay(50);
    }
    return !pidExists(pid);
  };
  try {
    process.kill(pid, "SIGTERM");
  } catch (err) {
    if (isErrnoCode(err, "ESRCH")) return;
    throw new GatewayLockError(`cannot stop pid ${pid}: ${(err as Error).message}`);
  }
  if (await waitGone(6000)) return;
  log.warn(`--force: pid ${pid} did not exit after SIGTERM; sending SIGKILL`);
  process.kill(pid, "SIGKILL");
  if (!(await waitGone(2000))) throw new GatewayLockError(`cannot stop pid ${pid}`);
}
