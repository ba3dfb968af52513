import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

/**
 * Overwrites secrets in this process's exec strings: the argv and environ strings the
 * kernel placed on the stack at execve, which are what /proc/<pid>/cmdline and
 * /proc/<pid>/environ read (between arg_start..arg_end and env_start..env_end, fields 48–51
 * of /proc/self/stat, Linux >= 3.5), whatever the process later does to process.env. A
 * process may write its own memory through /proc/self/mem, so the bytes can be cleared
 * without a second Node start. Linux only; every failure is reported (never a secret in
 * it) and the caller falls back to re-executing.
 *
 * Why this is safe:
 * - environ entries: libc's `environ` array points into that area. Each secret variable is
 *   first unset (libc drops the pointer) and set again (libc copies it to the heap), so
 *   process.env is unchanged and nothing references the old bytes when they are zeroed.
 *   Copies Node or libc made elsewhere are on the heap, which /proc/<pid>/environ never shows.
 * - argv: Node copied argv at start (libuv's uv_setup_args); only argv[0] is still read from
 *   the area (process.title, glibc's program_invocation_name). The kept arguments are packed
 *   from argv[0] on, argv[0] unchanged, and the rest zeroed, so the last byte stays NUL and
 *   the kernel shows exactly the kept arguments.
 */

/** /proc/self/stat fields (1-based) giving the exec strings' addresses. */
const STAT_FIELD = { argStart: 48, argEnd: 49, envStart: 50, envEnd: 51 } as const;

/**
 * execve refuses argv + envp larger than 3/4 of the kernel's 8 MiB default stack limit
 * (_STK_LIM), whatever the rlimit: an area claiming more is not what we think it is.
 */
const MAX_EXEC_STRINGS_BYTES = 6 * 1024 * 1024;

interface Area {
  start: number;
  end: number;
}

/** One NUL-terminated string in an area: its text and byte offset and length (without the NUL). */
interface Entry {
  text: string;
  offset: number;
  length: number;
}

export interface ExecStringPaths {
  stat: string;
  mem: string;
  environ: string;
  cmdline: string;
}

const SELF: ExecStringPaths = {
  stat: "/proc/self/stat",
  mem: "/proc/self/mem",
  environ: "/proc/self/environ",
  cmdline: "/proc/self/cmdline",
};

export interface ExecStringSecrets {
  /** Variables to remove from the environ area (their current values are in `env`). */
  envNames: readonly string[];
  /** Which argv entries to keep (argv as in the area: node, its options, script, arguments). */
  keepArgs: (argv: readonly string[]) => boolean[];
  /** Values that must not appear in environ or cmdline afterwards. */
  values: readonly string[];
}

/** The argv and environ areas, or why they cannot be trusted. */
function readAreas(statPath: string): { arg: Area; env: Area } | string {
  const stat = readFileSync(statPath, "utf8");
  // Field 2 (the command name) may hold spaces and parentheses: count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const field = (n: number): number => Number(fields[n - 3]);
  const arg = { start: field(STAT_FIELD.argStart), end: field(STAT_FIELD.argEnd) };
  const env = { start: field(STAT_FIELD.envStart), end: field(STAT_FIELD.envEnd) };
  for (const area of [arg, env]) {
    // Addresses are below 2^53 on every 64-bit Linux; 0 means the fields are hidden or absent.
    const valid = Number.isSafeInteger(area.start) && Number.isSafeInteger(area.end) && area.start > 0;
    if (!valid || area.end < area.start || area.end - area.start > MAX_EXEC_STRINGS_BYTES) {
      return "/proc/self/stat has no usable argv/environ addresses";
    }
  }
  return { arg, env };
}

function entries(bytes: Buffer): Entry[] {
  const out: Entry[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    let end = bytes.indexOf(0, offset);
    if (end < 0) end = bytes.length;
    out.push({ text: bytes.toString("utf8", offset, end), offset, length: end - offset });
    offset = end + 1;
  }
  return out;
}

function readArea(fd: number, area: Area): Buffer {
  const bytes = Buffer.alloc(area.end - area.start);
  const read = readSync(fd, bytes, 0, bytes.length, area.start);
  if (read !== bytes.length) throw new Error(`short read of ${read} bytes`);
  return bytes;
}

function writeArea(fd: number, at: number, bytes: Buffer): void {
  // A bigint position makes Node 24's writeSync fail with EIO on /proc/self/mem: numbers only.
  const written = writeSync(fd, bytes, 0, bytes.length, at);
  if (written !== bytes.length) throw new Error(`short write of ${written} bytes`);
}

/** The argv area with only the kept entries, packed from the start, zero-filled; undefined if unchanged. */
function packedArgs(bytes: Buffer, keepArgs: ExecStringSecrets["keepArgs"]): Buffer | undefined {
  const args = entries(bytes);
  const keep = keepArgs(args.map((a) => a.text));
  if (keep.every(Boolean)) return undefined;
  if (!keep[0]) throw new Error("argv[0] would be removed");
  const packed = Buffer.alloc(bytes.length);
  let at = 0;
  args.forEach((arg, i) => {
    if (!keep[i]) return;
    bytes.copy(packed, at, arg.offset, arg.offset + arg.length);
    at += arg.length + 1;
  });
  return packed;
}

/** Moves each variable's live copy to the heap (unset, then set again) so the area's bytes are unreferenced. */
function moveToHeap(env: NodeJS.ProcessEnv, names: readonly string[]): void {
  for (const name of names) {
    const value = env[name];
    delete env[name];
    if (value !== undefined) env[name] = value;
  }
}

const nameOf = (entry: string): string => entry.slice(0, Math.max(0, entry.indexOf("=")));
const withoutTrailingNuls = (text: string): string => text.replace(/\0+$/, "");

/**
 * Why /proc/self/environ or cmdline still shows a secret, or undefined when neither does.
 * `args` is what the argv area now holds: the kernel shows it verbatim.
 */
function stillVisible(paths: ExecStringPaths, secrets: ExecStringSecrets, args: Buffer): string | undefined {
  const environ = readFileSync(paths.environ, "utf8");
  const names = new Set(secrets.envNames);
  const left = environ.split("\0").filter((e) => names.has(nameOf(e)));
  if (left.length > 0) return `${left.length} secret variable(s) still in /proc/self/environ`;
  const cmdline = readFileSync(paths.cmdline, "utf8");
  if (withoutTrailingNuls(cmdline) !== withoutTrailingNuls(args.toString("utf8"))) {
    return "/proc/self/cmdline does not show the arguments written";
  }
  const visible = secrets.values.some((v) => environ.includes(v) || cmdline.includes(v));
  return visible ? "a secret value is still in /proc/self/environ or cmdline" : undefined;
}

/**
 * Clears the secrets from this process's exec strings and checks /proc/self/environ and
 * /proc/self/cmdline no longer show them. Returns undefined on success, otherwise why not
 * (then process.env still holds every variable, as before).
 */
export function clearExecStrings(
  secrets: ExecStringSecrets,
  env: NodeJS.ProcessEnv = process.env,
  paths: ExecStringPaths = SELF,
): string | undefined {
  if (process.platform !== "linux") return `${process.platform} has no /proc/self/mem`;
  // A worker's process.env is a copy: unsetting there leaves libc's pointers on the bytes.
  if (!isMainThread) return "not on the main thread";
  const before = Object.fromEntries(secrets.envNames.map((n) => [n, env[n]]));
  let fd: number | undefined;
  try {
    const areas = readAreas(paths.stat);
    if (typeof areas === "string") return areas;
    fd = openSync(paths.mem, "r+");
    const envBytes = readArea(fd, areas.env);
    const argBytes = readArea(fd, areas.arg);
    moveToHeap(env, secrets.envNames);
    const names = new Set(secrets.envNames);
    const kept: string[] = [];
    for (const entry of entries(envBytes)) {
      if (names.has(nameOf(entry.text))) {
        writeArea(fd, areas.env.start + entry.offset, Buffer.alloc(entry.length));
      } else kept.push(entry.text);
    }
    const packed = packedArgs(argBytes, secrets.keepArgs);
    if (packed) writeArea(fd, areas.arg.start, packed);
    const args = packed ?? argBytes;
    const changed = secrets.envNames.filter((n) => env[n] !== before[n]);
    if (changed.length > 0) return `${changed.length} variable(s) changed while clearing`;
    // A secret's value that a kept variable also holds (AWS_CA_BUNDLE and SSL_CERT_FILE naming
    // one file) stays visible whichever way the secrets are hidden: it is not looked for.
    const keptText = `${kept.join("\0")}\0${args.toString("utf8")}`;
    const lookFor = secrets.values.filter((v) => v !== "" && !keptText.includes(v));
    return stillVisible(paths, { ...secrets, values: lookFor }, args);
  } catch (err) {
    // An errno code or our own short-read message: never file contents.
    return `${paths.mem}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
    // Whatever happened, process.env keeps every value it had.
    for (const [name, value] of Object.entries(before))
      if (value !== undefined && env[name] !== value) env[name] = value;
  }
}
