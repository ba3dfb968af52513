import { mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { clearExecStrings } from "./exec-strings.js";
import { isSecretEnvEntry, MIN_SECRET_LENGTH } from "./secrets.js";

/**
 * Keeps the gateway's secrets out of its /proc/<pid>/environ and /proc/<pid>/cmdline.
 *
 * Those files show what the process was exec'd with, whatever it later does to
 * process.env, and any process of the same user can read them (environ) or every user
 * (cmdline): a command the model runs through the exec tool could `cat
 * /proc/$PPID/environ`. So at start the gateway clears those bytes in its own memory
 * (exec-strings.ts, Linux: no second Node start). Where that is not possible it re-execs
 * itself (process.execve: same PID, so the lock file, tini and Fly's signals are
 * unaffected) with the secret variables and `--token`/`--password` removed, and hands them
 * over in a 0600 file in a fresh 0700 temp folder that the new image reads and deletes
 * before doing anything else.
 */

const HANDOFF_DIR_PREFIX = "openclaw-handoff-";

/** Names the handoff file for the re-exec'd image. */
export const HANDOFF_ENV = "OPENCLAW_SECRETS_HANDOFF";

/** Options whose values are secrets (the command line is readable by every user). */
const SECRET_OPTIONS = new Set(["--token", "--password"]);

/** Set (to anything) to hide the secrets by re-executing even where clearing them in place works. */
export const FORCE_REEXEC_ENV = "OPENCLAW_SECRETS_REEXEC";

interface Handoff {
  env: Record<string, string>;
  argv: string[];
  /** Why the in-place path was not taken, for the debug line of the restarted image. */
  reason: string;
}

/** Set once this image restored a handoff: it must not re-exec again. */
let handedOver = false;
/** How this start hid its secrets, for one debug line once the logger exists. */
let hidingNote: string | undefined;

/** Which entries of `argv` to keep: all but secret options and their values (`--token x`, `--token=x`). */
function keptArgs(argv: readonly string[]): boolean[] {
  const keep = argv.map(() => true);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (SECRET_OPTIONS.has(arg)) {
      keep[i] = false;
      if (i + 1 < argv.length) keep[++i] = false;
    } else if (SECRET_OPTIONS.has(arg.split("=")[0]!)) keep[i] = false;
  }
  return keep;
}

function withoutSecretOptions(argv: readonly string[]): string[] {
  const keep = keptArgs(argv);
  return argv.filter((_, i) => keep[i]);
}

/** How the secrets of this start were hidden (never a secret), or undefined when it had none. */
export function secretHidingNote(): string | undefined {
  return hidingNote;
}

export type HideOutcome = "not-needed" | "in-place" | "unsupported" | "failed";

/**
 * Hides this process's secrets from /proc/<pid>/environ and cmdline: in place where it
 * can, otherwise by replacing this process with itself minus its secrets. Returns unless
 * it re-executed; `warn` says in one line, without any secret, when neither worked.
 */
export function hideSecrets(warn: (line: string) => void): HideOutcome {
  if (handedOver) return "not-needed";
  const secrets = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && isSecretEnvEntry(e[0], e[1]),
    ),
  );
  const argv = withoutSecretOptions(process.argv);
  if (Object.keys(secrets).length === 0 && argv.length === process.argv.length) return "not-needed";
  const startedAt = performance.now();
  const reason =
    process.env[FORCE_REEXEC_ENV] !== undefined
      ? `${FORCE_REEXEC_ENV} is set`
      : clearExecStrings({
          envNames: Object.keys(secrets),
          keepArgs: keptArgs,
          values: [...Object.values(secrets), ...secretOptionValues(process.argv)].filter(
            (v) => v.length >= MIN_SECRET_LENGTH,
          ),
        });
  if (reason === undefined) {
    const ms = (performance.now() - startedAt).toFixed(1);
    hidingNote = `secrets cleared in place from /proc/self/environ and cmdline in ${ms} ms`;
    // As after a re-exec: process.argv shows what /proc/self/cmdline shows.
    process.argv.splice(0, process.argv.length, ...argv);
    return "in-place";
  }
  return reexec(secrets, argv, reason, warn);
}

/** The values given to secret options in `argv`. */
function secretOptionValues(argv: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    if (SECRET_OPTIONS.has(arg) && i + 1 < argv.length) values.push(argv[++i]!);
    else if (eq > 0 && SECRET_OPTIONS.has(arg.slice(0, eq))) values.push(arg.slice(eq + 1));
  }
  return values;
}

function reexec(
  secrets: Record<string, string>,
  argv: string[],
  reason: string,
  warn: (line: string) => void,
): HideOutcome {
  const env = process.env;
  // process.execve: Node >= 22.15, 23.11, 24.
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (typeof execve !== "function") {
    warn(
      `the gateway's keys and token stay readable in /proc/${process.pid}/environ by commands the exec tool runs as the same user: they could not be cleared in place (${reason}) and Node ${process.version} has no process.execve; use Node >= 22.15 to close this.`,
    );
    return "unsupported";
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), HANDOFF_DIR_PREFIX));
  const file = path.join(dir, "secrets.json");
  const cleanEnv: NodeJS.ProcessEnv = { [HANDOFF_ENV]: file };
  for (const [name, value] of Object.entries(env)) if (!(name in secrets)) cleanEnv[name] = value;
  try {
    const handoff: Handoff = { env: secrets, argv: process.argv, reason };
    writeFileSync(file, JSON.stringify(handoff), { mode: 0o600, flag: "wx" });
    execve.call(
      process,
      process.execPath,
      [process.execPath, ...process.execArgv, ...argv.slice(1)],
      cleanEnv,
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    warn(
      `could not clear the gateway's secrets from /proc/${process.pid}/environ in place (${reason}) nor restart it without them (${(err as Error).message}); they stay readable by the exec tool's commands.`,
    );
  }
  return "failed";
}

/** Deletes the file and its folder; never more (the path comes from the environment). */
function removeHandoff(file: string): void {
  rmSync(file, { force: true });
  const dir = path.dirname(file);
  if (!path.basename(dir).startsWith(HANDOFF_DIR_PREFIX)) return;
  try {
    rmdirSync(dir);
  } catch {
    // Not empty or already gone: leave it.
  }
}

/**
 * In the re-exec'd image: puts the handed-over variables back into `env` (process.env
 * changes do not reach /proc/<pid>/environ), deletes the file, and returns the
 * original argv. Without a handoff, returns `argv` unchanged.
 */
export function restoreHandedOffSecrets(env: NodeJS.ProcessEnv, argv: string[]): string[] {
  const file = env[HANDOFF_ENV];
  if (file === undefined) return argv;
  delete env[HANDOFF_ENV];
  handedOver = true;
  let handoff: Handoff;
  try {
    handoff = JSON.parse(readFileSync(file, "utf8")) as Handoff;
  } catch (err) {
    throw new Error(
      `cannot read the secrets the gateway handed to itself at start (${(err as Error).message}); start it again`,
    );
  } finally {
    removeHandoff(file);
  }
  for (const [name, value] of Object.entries(handoff.env)) env[name] ??= value;
  hidingNote = `secrets hidden by restarting without them (not in place: ${handoff.reason})`;
  return handoff.argv;
}
