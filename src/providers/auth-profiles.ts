import { readFile } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode, writeFileAtomic } from "../infra/fs.js";
import { createLogger } from "../infra/logger.js";
import { type CooldownState, cooldownMs } from "./cooldown.js";
import type { ProfileSecrets } from "./registry.js";

const log = createLogger("providers");

/** One credential in auth-profiles.json (`type` in OpenClaw's files, `mode` in its config). */
export interface AuthProfile {
  type?: "api_key" | "token" | "oauth";
  mode?: "api_key" | "token" | "oauth";
  provider: string;
  key?: string;
  token?: string;
  /** OAuth access token. */
  access?: string;
  [field: string]: unknown;
}

export interface AuthProfilesFile {
  version?: number;
  profiles: Record<string, AuthProfile>;
  usageStats?: Record<string, CooldownState>;
  [field: string]: unknown;
}

export interface AuthProfileStore extends ProfileSecrets {
  readonly file: string;
  /** Reads the file (a missing file is an empty store). Call again to pick up edits. */
  load(): Promise<void>;
  usage(profileId: string): CooldownState | undefined;
  isCoolingDown(profileId: string, now: number): boolean;
  /** Counts a failure and starts the next cooldown; returns when it ends. */
  recordFailure(profileId: string, now: number, retryAfterMs?: number): number;
  recordSuccess(profileId: string, now: number): void;
  setProfile(profileId: string, profile: AuthProfile): void;
  /** Resolves when every change so far is on disk. */
  flush(): Promise<void>;
}

/** `<stateDir>/agents/<agentId>/agent/auth-profiles.json`, OpenClaw's per-agent secret store. */
export function authProfilesPath(stateDir: string, agentId: string): string {
  return path.join(stateDir, "agents", agentId, "agent", "auth-profiles.json");
}

export function createAuthProfileStore(opts: { stateDir: string; agentId: string }): AuthProfileStore {
  const file = authProfilesPath(opts.stateDir, opts.agentId);
  let data: AuthProfilesFile = { version: 1, profiles: {} };
  let writes: Promise<void> = Promise.resolve();
  let dirty = false;

  // Writes are chained and coalesced: a burst of changes costs one atomic rewrite,
  // and a caller on the hot path never waits for the disk.
  const save = () => {
    dirty = true;
    writes = writes.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
      } catch (err) {
        log.warn(`cannot write ${file}: ${(err as Error).message}; cooldowns are kept in memory only`);
      }
    });
  };

  const stats = (id: string): CooldownState => {
    data.usageStats ??= {};
    data.usageStats[id] ??= { errorCount: 0 };
    return data.usageStats[id];
  };

  return {
    file,
    async load() {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        if (isErrnoCode(err, "ENOENT")) return;
        throw err;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it.`);
      }
      if (
        !parsed ||
        typeof parsed !== "object" ||
        typeof (parsed as AuthProfilesFile).profiles !== "object"
      ) {
        throw new Error(`${file} has no "profiles" object; fix or remove it.`);
      }
      data = parsed as AuthProfilesFile;
    },
    idsFor: (provider) =>
      Object.entries(data.profiles)
        .filter(([id, p]) => p.provider === provider && secretOf(data.profiles[id]))
        .map(([id]) => id),
    secretOf: (id) => secretOf(data.profiles[id]),
    usage: (id) => data.usageStats?.[id],
    isCoolingDown: (id, now) => (data.usageStats?.[id]?.cooldownUntil ?? 0) > now,
    recordFailure(id, now, retryAfterMs) {
      const s = stats(id);
      s.errorCount = (s.errorCount ?? 0) + 1;
      s.cooldownUntil = now + cooldownMs(s.errorCount, retryAfterMs);
      save();
      return s.cooldownUntil;
    },
    recordSuccess(id, now) {
      const s = stats(id);
      s.lastUsed = now;
      s.errorCount = 0;
      delete s.cooldownUntil;
      save();
    },
    setProfile(id, profile) {
      data.profiles[id] = profile;
      save();
    },
    flush: () => writes,
  };
}

function secretOf(profile: AuthProfile | undefined): string | undefined {
  if (!profile) return undefined;
  const kind = profile.type ?? profile.mode;
  const secret =
    kind === "oauth" ? profile.access : kind === "token" ? profile.token : (profile.key ?? profile.token);
  return typeof secret === "string" && secret.trim() ? secret.trim() : undefined;
}
