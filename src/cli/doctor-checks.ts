import { mkdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { channelTokenSources, resolveChannelToken, type TokenChannel } from "../config/env-keys.js";
import {
  ConfigError,
  type ConfigSnapshot,
  hashConfigText,
  loadConfig,
  loadDotEnv,
  parseConfigDocument,
} from "../config/load.js";
import { migrateLegacyConfig, stripUnknownKeys } from "../config/migrate.js";
import { OPENCLAW_ONLY_NOTE } from "../config/openclaw-compat.js";
import { resolveConfigPath, resolveLockPath, resolveStateDir } from "../config/paths.js";
import type { OpenClawConfig } from "../config/schema.js";
import { writeConfig } from "../config/write.js";
import { inspectGatewayLock } from "../gateway/lock.js";
import { detectContainer } from "../gateway/net.js";
import { isErrnoCode } from "../infra/fs.js";
import { checkBundledPlugins } from "../plugins/validate.js";
import { checkModelKeys, checkProviderApis } from "./doctor-models.js";
import { runSecurityAudit } from "./security-audit.js";

export type Severity = "ok" | "warn" | "error";
export interface Finding {
  severity: Severity;
  check: string;
  message: string;
}

/** One mount from /proc/self/mountinfo. */
export interface Mount {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** Parses /proc/self/mountinfo (fields: id parent maj:min root mountpoint opts … - fstype source …). */
export function parseMountInfo(text: string): Mount[] {
  const decodeOctal = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [left, right = ""] = line.split(" - ");
      const fields = left!.split(" ");
      const [fsType = "", source = ""] = right.split(" ");
      return { mountPoint: decodeOctal(fields[4] ?? ""), fsType, source };
    });
}

/** The mount holding `file`: the longest mount point that is a prefix of it. */
export function mountFor(file: string, mounts: readonly Mount[]): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const inside = m.mountPoint === "/" || file === m.mountPoint || file.startsWith(`${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length > best.mountPoint.length)) best = m;
  }
  return best;
}

/** `--max-old-space-size=N` (MB) from NODE_OPTIONS, if set. */
export function heapLimitMb(nodeOptions: string | undefined): number | undefined {
  const match = /--max-old-space-size[= ](\d+)/.exec(nodeOptions ?? "");
  return match ? Number(match[1]) : undefined;
}

/** cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`, in bytes; undefined when unlimited. */
export function parseCgroupLimit(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value || value === "max") return undefined;
  const bytes = Number(value);
  // cgroup v1 reports "unlimited" as a huge page-aligned number.
  return Number.isFinite(bytes) && bytes < 2 ** 60 ? bytes : undefined;
}

/**
 * The V8 heap must fit well inside the container's memory: past the cgroup limit the
 * kernel kills the process before V8 ever collects (the Fly guide's 1536 MB heap on a
 * 512 MB machine is the classic case). Leave about a quarter for native memory.
 */
export function checkMemory(limitBytes: number | undefined, heapMb: number | undefined): Finding {
  const check = "memory";
  if (limitBytes === undefined) {
    return { severity: "ok", check, message: "no cgroup memory limit found" };
  }
  const limitMb = Math.round(limitBytes / 1048576);
  const suggested = Math.floor(limitMb * 0.75);
  if (heapMb === undefined) {
    return {
      severity: "ok",
      check,
      message: `memory limit ${limitMb} MB; NODE_OPTIONS sets no heap limit (V8 sizes it itself)`,
    };
  }
  if (heapMb > limitMb * 0.75) {
    return {
      severity: "warn",
      check,
      message: `NODE_OPTIONS --max-old-space-size=${heapMb} is more than 75% of the ${limitMb} MB memory limit: the kernel will kill the gateway before V8 collects; use --max-old-space-size=${suggested} or less`,
    };
  }
  return { severity: "ok", check, message: `heap limit ${heapMb} MB fits the ${limitMb} MB memory limit` };
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

async function checkStateDir(stateDir: string): Promise<Finding> {
  const check = "state dir";
  try {
    await mkdir(stateDir, { recursive: true });
    const probe = path.join(stateDir, `.doctor-${process.pid}.tmp`);
    await writeFile(probe, "ok");
    await rm(probe);
    return { severity: "ok", check, message: `${stateDir} is writable` };
  } catch (err) {
    return { severity: "error", check, message: `${stateDir} is not writable: ${(err as Error).message}` };
  }
}

async function checkVolume(stateDir: string, env: NodeJS.ProcessEnv): Promise<Finding | undefined> {
  const container = detectContainer(env);
  if (!container) return undefined;
  const check = "volume";
  const mountinfo = await readOptional("/proc/self/mountinfo");
  if (!mountinfo) return { severity: "warn", check, message: "cannot read /proc/self/mountinfo" };
  const real = await realpath(stateDir).catch(() => stateDir);
  const mount = mountFor(real, parseMountInfo(mountinfo));
  if (!mount || mount.mountPoint === "/") {
    return {
      severity: "warn",
      check,
      message: `${container}: ${stateDir} is on the container's own disk, which is lost when the machine is replaced; mount a volume there (Fly: [mounts] destination = "/data", OPENCLAW_STATE_DIR=/data)`,
    };
  }
  return {
    severity: "ok",
    check,
    message: `${stateDir} is on its own mount (${mount.mountPoint}, ${mount.fsType})`,
  };
}

function checkBindAuth(config: OpenClawConfig, env: NodeJS.ProcessEnv): Finding {
  const check = "gateway auth";
  const bind = config.gateway?.bind ?? "loopback";
  const hasSecret = Boolean(
    env.OPENCLAW_GATEWAY_TOKEN ||
      env.OPENCLAW_GATEWAY_PASSWORD ||
      config.gateway?.auth?.token ||
      config.gateway?.auth?.password,
  );
  const exposed =
    bind === "lan" || bind === "custom" || bind === "tailnet" || (bind === "auto" && detectContainer(env));
  if (exposed && !hasSecret) {
    return {
      severity: "error",
      check,
      message: `gateway.bind is ${bind} but no token is set: the gateway refuses to start; set OPENCLAW_GATEWAY_TOKEN (fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32))`,
    };
  }
  return {
    severity: "ok",
    check,
    message: `bind ${bind}, ${hasSecret ? "token set" : "no token (loopback only)"}`,
  };
}

function checkChannels(config: OpenClawConfig, env: NodeJS.ProcessEnv): Finding[] {
  const findings: Finding[] = [];
  const channels = config.channels ?? {};
  for (const channel of Object.keys(channelTokenSources) as TokenChannel[]) {
    const section = channels[channel];
    if (!section || section.enabled === false) continue;
    const token = resolveChannelToken(config, channel, env);
    const envName = channelTokenSources[channel].env;
    findings.push(
      token.value
        ? { severity: "ok", check: channel, message: `bot token from ${token.source}` }
        : { severity: "error", check: channel, message: `channel enabled but no bot token: set ${envName}` },
    );
  }
  const signal = channels.signal;
  if (signal && signal.enabled !== false && !signal.account) {
    findings.push({
      severity: "error",
      check: "signal",
      message: "channel enabled but channels.signal.account is not set",
    });
  }
  return findings;
}

async function checkLock(stateDir: string, configPath: string, fix: boolean): Promise<Finding> {
  const check = "lock";
  const lockPath = resolveLockPath(stateDir, configPath);
  const lock = await inspectGatewayLock(lockPath);
  if (!lock) return { severity: "ok", check, message: "no gateway lock (gateway not running)" };
  if (lock.alive) {
    return {
      severity: "ok",
      check,
      message: `gateway running (pid ${lock.owner?.pid}, port ${lock.owner?.port})`,
    };
  }
  if (fix) {
    await rm(lockPath, { force: true });
    return { severity: "ok", check, message: `removed stale lock ${lockPath} (${lock.why})` };
  }
  return {
    severity: "warn",
    check,
    message: `stale lock ${lockPath} (${lock.why}); the next start reclaims it, or run doctor --fix`,
  };
}

/** Legacy key migration and unknown-key removal; writes (with a backup) only with --fix. */
async function checkConfig(
  file: string,
  env: NodeJS.ProcessEnv,
  fix: boolean,
): Promise<{ findings: Finding[]; snapshot?: ConfigSnapshot }> {
  const findings: Finding[] = [];
  let raw = "";
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    if (!isErrnoCode(err, "ENOENT")) throw err;
    findings.push({
      severity: "warn",
      check: "config",
      message: `no config at ${file}; run \`openclaw config set gateway.mode local\``,
    });
    return { findings };
  }
  let document: Record<string, unknown>;
  try {
    document = parseConfigDocument(file, raw);
  } catch (err) {
    findings.push({ severity: "error", check: "config", message: (err as Error).message });
    return { findings };
  }
  const migrated = migrateLegacyConfig(document);
  const stripped = stripUnknownKeys(migrated.document, file);
  const repairs = [...migrated.changes, ...stripped.removed.map((p) => `removed unknown key ${p}`)];
  if (repairs.length > 0 && fix) {
    try {
      const snapshot = await writeConfig({
        file,
        document: stripped.document,
        baseHash: hashConfigText(raw),
        env,
        check: checkBundledPlugins,
      });
      for (const r of repairs) findings.push({ severity: "ok", check: "config", message: `fixed: ${r}` });
      findings.push({ severity: "ok", check: "config", message: `previous version saved as ${file}.bak` });
      return { findings, snapshot };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      findings.push({
        severity: "warn",
        check: "config",
        message: "repairs not written: other problems remain (below)",
      });
    }
  } else {
    for (const r of repairs)
      findings.push({ severity: "warn", check: "config", message: `${r} (doctor --fix)` });
  }
  try {
    const snapshot = await loadConfig(file, env);
    if (repairs.length === 0) findings.push({ severity: "ok", check: "config", message: `${file} is valid` });
    for (const key of snapshot.openClawOnly)
      findings.push({ severity: "warn", check: "config", message: `${key}: ${OPENCLAW_ONLY_NOTE}` });
    return { findings, snapshot };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems)
      findings.push({ severity: "error", check: "config", message: problem });
    return { findings };
  }
}

/** `openclaw security audit` as doctor lines: critical is an error, warn a warning, info left out. */
async function securityFindings(
  config: OpenClawConfig,
  env: NodeJS.ProcessEnv,
  stateDir: string,
  configPath: string,
  fix: boolean,
): Promise<Finding[]> {
  const report = await runSecurityAudit({ config, env, stateDir, configPath, fix });
  const findings: Finding[] = report.fixed.map((f) => ({
    severity: "ok",
    check: "security",
    message: `fixed: ${f}`,
  }));
  for (const f of report.findings) {
    if (f.severity === "info") continue;
    findings.push({
      severity: f.severity === "critical" ? "error" : "warn",
      check: "security",
      message: `${f.checkId}: ${f.detail}${f.remediation ? ` Fix: ${f.remediation}` : ""}`,
    });
  }
  return findings;
}

/** Everything `openclaw doctor` checks, in the order it prints them. */
export async function runDoctorChecks(
  opts: { fix?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<Finding[]> {
  const env = opts.env ?? process.env;
  const fix = opts.fix ?? false;
  const stateDir = resolveStateDir(env);
  const file = resolveConfigPath(env, stateDir);
  await loadDotEnv(path.join(stateDir, ".env"), env);
  const { findings, snapshot } = await checkConfig(file, env, fix);
  findings.push(await checkStateDir(stateDir));
  const volume = await checkVolume(stateDir, env);
  if (volume) findings.push(volume);
  const limit =
    parseCgroupLimit(await readOptional("/sys/fs/cgroup/memory.max")) ??
    parseCgroupLimit(await readOptional("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
  findings.push(checkMemory(limit, heapLimitMb(env.NODE_OPTIONS)));
  if (snapshot) {
    findings.push(checkBindAuth(snapshot.config, env));
    findings.push(...checkChannels(snapshot.config, env));
    findings.push(...checkProviderApis(snapshot.config));
    findings.push(...(await checkModelKeys(snapshot.config, env, stateDir)));
  }
  findings.push(...(await securityFindings(snapshot?.config ?? {}, env, stateDir, file, fix)));
  findings.push(await checkLock(stateDir, file, fix));
  return findings;
}

export async function doctorCommand(opts: { fix?: boolean }): Promise<number> {
  const findings = await runDoctorChecks(opts);
  const mark: Record<Severity, string> = { ok: "ok   ", warn: "warn ", error: "ERROR" };
  for (const f of findings) process.stdout.write(`${mark[f.severity]} ${f.check}: ${f.message}\n`);
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warn").length;
  process.stdout.write(`\n${errors} error(s), ${warnings} warning(s)\n`);
  return errors > 0 ? 1 : 0;
}
