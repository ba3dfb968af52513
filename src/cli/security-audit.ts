import { chmod, lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { createToolSet } from "../agents/tools/index.js";
import type { OpenClawConfig } from "../config/schema.js";
import { resolveGatewayAuth } from "../gateway/auth.js";
import { detectContainer } from "../gateway/net.js";

/**
 * `openclaw security audit`: the foot-guns of a config and a state dir, each with the key
 * to change. It reads files only (OpenClaw's cold path): nothing is loaded or probed.
 * Check ids and the report shape follow OpenClaw's (docs/gateway/security/audit-checks.md)
 * so scripts written for it read ours.
 */
export type AuditSeverity = "critical" | "warn" | "info";

export interface AuditFinding {
  checkId: string;
  severity: AuditSeverity;
  title: string;
  detail: string;
  remediation?: string;
}

export interface AuditReport {
  ts: number;
  summary: Record<AuditSeverity, number>;
  findings: AuditFinding[];
}

/** The shortest gateway secret a non-loopback gateway starts with (about 95 bits of hex). */
export const MIN_GATEWAY_SECRET_LENGTH = 16;
/** The state-dir walk stops here: a huge transcript folder must not make the audit slow. */
const MAX_FILES_WALKED = 20_000;
const MAX_DEPTH = 6;
const GENERATE = "generate one with `openssl rand -hex 32`";
const PLACEHOLDERS = new Set([
  "",
  "undefined",
  "null",
  "changeme",
  "change-me",
  "password",
  "token",
  "secret",
]);

export interface AuditInput {
  config: OpenClawConfig;
  env: NodeJS.ProcessEnv;
  /** `--bind` given to the audit (the bind the gateway is started with, e.g. Fly's `--bind lan`). */
  bind?: string;
}

/**
 * Whether clients beyond this machine can reach the gateway: a non-loopback bind, or
 * `auto` inside a container, or a Fly machine (Fly's proxy forwards the public port).
 */
function exposure(input: AuditInput): string | undefined {
  const bind = input.bind ?? input.config.gateway?.bind ?? "loopback";
  if (bind !== "loopback" && bind !== "auto") return `bind ${bind}`;
  const container = detectContainer(input.env);
  if (bind === "auto" && container) return `bind auto in a ${container}`;
  if (input.env.FLY_APP_NAME) return "a Fly.io app (its proxy forwards the public port)";
  return undefined;
}

function checkGatewayAuth(input: AuditInput, exposed: string | undefined): AuditFinding[] {
  const gw = input.config.gateway;
  const auth = resolveGatewayAuth(gw, input.env);
  const findings: AuditFinding[] = [];
  if (auth.mode === "none") {
    if (exposed) {
      findings.push({
        checkId: "gateway.bind_no_auth",
        severity: "critical",
        title: "Gateway reachable beyond this machine without a shared secret",
        detail: `The gateway is exposed (${exposed}) and gateway.auth has no token or password; it refuses to start so.`,
        remediation: `Set OPENCLAW_GATEWAY_TOKEN or gateway.auth.token (${GENERATE}).`,
      });
    }
    if (gw?.http?.endpoints?.chatCompletions?.enabled || gw?.http?.endpoints?.responses?.enabled) {
      findings.push({
        checkId: "gateway.http.no_auth",
        severity: "critical",
        title: "OpenAI-compatible HTTP endpoint enabled without auth",
        detail:
          "gateway.http.endpoints.* is on while the gateway has no token: the endpoint runs agent turns (and their tools) for any caller, so it stays refused until auth is set.",
        remediation: `Set gateway.auth.token (${GENERATE}), or turn the endpoint off.`,
      });
    }
  }
  for (const [kind, value] of [
    ["token", auth.token],
    ["password", auth.password],
  ] as const) {
    if (value === undefined || auth.mode !== kind) continue;
    const trimmed = value.trim();
    if (PLACEHOLDERS.has(trimmed.toLowerCase())) {
      findings.push({
        checkId: `gateway.${kind}_placeholder_value`,
        severity: "critical",
        title: `Gateway ${kind} is blank or a placeholder`,
        detail: `The gateway ${kind} is "${trimmed}", the first thing anyone tries.`,
        remediation: `Replace it (${GENERATE}).`,
      });
    } else if (trimmed.length < MIN_GATEWAY_SECRET_LENGTH) {
      findings.push({
        checkId: `gateway.${kind}_too_short`,
        severity: exposed ? "critical" : "warn",
        title: `Gateway ${kind} is shorter than ${MIN_GATEWAY_SECRET_LENGTH} characters`,
        detail: `A ${trimmed.length}-character ${kind} is easy to guess${exposed ? `; an exposed gateway (${exposed}) refuses to start with it` : ""}.`,
        remediation: `Use at least ${MIN_GATEWAY_SECRET_LENGTH} characters (${GENERATE}).`,
      });
    }
  }
  const origins = gw?.controlUi?.allowedOrigins ?? [];
  if (origins.includes("*")) {
    const open = auth.mode === "none";
    findings.push({
      checkId: "gateway.control_ui.allowed_origins_wildcard",
      severity: open ? "critical" : "warn",
      title: 'gateway.controlUi.allowedOrigins contains "*"',
      detail: open
        ? "Any web page could drive this gateway as an admin; the gateway refuses to start so."
        : "Any web page may open a WebSocket to the gateway; only the token stands between it and admin access.",
      remediation: "List the exact origins (https://host[:port]) that serve a Control UI, or remove the key.",
    });
  }
  return findings;
}

/** Sessions that strangers or whole groups can start, and the agent tools behind them. */
function checkChannelExposure(config: OpenClawConfig): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const execAgents = agentsWithExec(config);
  for (const [name, raw] of Object.entries(config.channels ?? {})) {
    const channel = raw as {
      enabled?: boolean;
      dmPolicy?: string;
      groupPolicy?: string;
      groupAllowFrom?: unknown[];
      groups?: Record<string, unknown>;
      guilds?: Record<string, unknown>;
    } | null;
    if (!channel || channel.enabled === false) continue;
    if (channel.dmPolicy === "open") {
      findings.push({
        checkId: `channels.${name}.dm.open`,
        severity: "critical",
        title: `${name}: anyone can DM the bot`,
        detail: `channels.${name}.dmPolicy is "open": every stranger's message runs an agent turn.`,
        remediation: `Use dmPolicy "pairing" (the default) or "allowlist" with channels.${name}.allowFrom.`,
      });
    }
    const groupsOpen = channel.groupPolicy === "open";
    const groupsListed =
      (channel.groupAllowFrom?.length ?? 0) > 0 ||
      Object.keys(channel.groups ?? {}).length > 0 ||
      Object.keys(channel.guilds ?? {}).length > 0;
    if ((groupsOpen || groupsListed || channel.dmPolicy === "open") && execAgents.length > 0) {
      const who = groupsOpen
        ? "any group the bot is added to"
        : channel.dmPolicy === "open"
          ? "any stranger"
          : "the members of the groups it allows";
      findings.push({
        checkId: "security.exposure.open_channels_with_exec",
        severity: groupsOpen || channel.dmPolicy === "open" ? "critical" : "warn",
        title: `${name}: shared rooms can reach an agent that runs shell commands`,
        detail: `On ${name}, ${who} can prompt agent(s) ${execAgents.join(", ")}, whose tools include exec: a prompt-injected message runs commands on this machine.`,
        remediation:
          'Deny exec where shared rooms route (tools.deny: ["exec"], or per agent in agents.list[].tools.deny with a binding for the group), or tighten groupPolicy.',
      });
    }
  }
  return findings;
}

/** Agent ids whose tool set includes `exec` (the default agent "main" when there is no list). */
function agentsWithExec(config: OpenClawConfig): string[] {
  const global = config.tools ?? {};
  const list = config.agents?.list ?? [];
  const agents = list.length > 0 ? list : [{ id: "main", tools: undefined }];
  return agents
    .filter((agent) => {
      const own = agent.tools ?? {};
      const policy = {
        profile: own.profile ?? global.profile,
        allow: own.allow ?? global.allow,
        deny: [...(global.deny ?? []), ...(own.deny ?? [])],
      };
      return createToolSet(policy).some((tool) => tool.name === "exec");
    })
    .map((agent) => agent.id);
}

interface LooseFile {
  file: string;
  mode: number;
  dir: boolean;
}

/** Files and folders under the state dir that other users can read or write (symlinks not followed). */
async function looseFiles(stateDir: string): Promise<{ loose: LooseFile[]; truncated: boolean }> {
  const loose: LooseFile[] = [];
  let seen = 0;
  const visit = async (file: string, depth: number): Promise<void> => {
    if (seen++ >= MAX_FILES_WALKED) return;
    const info = await lstat(file).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return;
    if ((info.mode & 0o077) !== 0) loose.push({ file, mode: info.mode & 0o777, dir: info.isDirectory() });
    if (!info.isDirectory() || depth >= MAX_DEPTH) return;
    // node_modules under the state dir (plugins, the compile cache) is code, not secrets.
    if (path.basename(file) === "node_modules") return;
    for (const name of await readdir(file).catch(() => [] as string[])) {
      await visit(path.join(file, name), depth + 1);
    }
  };
  await visit(stateDir, 0);
  return { loose, truncated: seen > MAX_FILES_WALKED };
}

function checkStateFiles(
  stateDir: string,
  configPath: string,
  walk: { loose: LooseFile[]; truncated: boolean },
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const octal = (mode: number) => mode.toString(8).padStart(3, "0");
  const rel = (file: string) => (file === stateDir ? stateDir : path.relative(stateDir, file));
  const writable = walk.loose.filter((f) => (f.mode & 0o022) !== 0);
  const readable = walk.loose.filter((f) => (f.mode & 0o022) === 0);
  const config = walk.loose.find((f) => f.file === configPath);
  if (config) {
    findings.push({
      checkId: (config.mode & 0o022) !== 0 ? "fs.config.perms_writable" : "fs.config.perms_world_readable",
      severity: (config.mode & 0o006) !== 0 || (config.mode & 0o022) !== 0 ? "critical" : "warn",
      title: "Config file is open to other users",
      detail: `${configPath} has mode ${octal(config.mode)}; it holds the gateway token and model keys.`,
      remediation: `chmod 600 ${configPath} (or openclaw security audit --fix).`,
    });
  }
  const others = (list: LooseFile[]) => list.filter((f) => f.file !== configPath);
  if (others(writable).length > 0) {
    const list = others(writable);
    findings.push({
      checkId: "fs.state_dir.perms_world_writable",
      severity: "critical",
      title: "State files writable by other users",
      detail: `${list.length} path(s) under ${stateDir} are group- or world-writable, e.g. ${list
        .slice(0, 3)
        .map((f) => `${rel(f.file)} (${octal(f.mode)})`)
        .join(", ")}: another user could change sessions, credentials or config.`,
      remediation: "openclaw security audit --fix (folders 700, files 600).",
    });
  }
  if (others(readable).length > 0) {
    const list = others(readable);
    findings.push({
      checkId: "fs.state_dir.perms_readable",
      severity: list.some((f) => (f.mode & 0o004) !== 0) ? "critical" : "warn",
      title: "State files readable by other users",
      detail: `${list.length} path(s) under ${stateDir} can be read by other users, e.g. ${list
        .slice(0, 3)
        .map((f) => `${rel(f.file)} (${octal(f.mode)})`)
        .join(", ")}: transcripts, channel credentials and logs are private.`,
      remediation: "openclaw security audit --fix (folders 700, files 600).",
    });
  }
  if (walk.truncated) {
    findings.push({
      checkId: "fs.state_dir.scan_truncated",
      severity: "info",
      title: `State dir scan stopped after ${MAX_FILES_WALKED} paths`,
      detail: "Paths beyond that were not checked.",
    });
  }
  return findings;
}

function countBySeverity(findings: readonly AuditFinding[]): Record<AuditSeverity, number> {
  const summary: Record<AuditSeverity, number> = { critical: 0, warn: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  return summary;
}

const RANK: Record<AuditSeverity, number> = { critical: 0, warn: 1, info: 2 };

/** Every check, over a parsed config and the state dir. With `fix`, loosened modes are tightened first. */
export async function runSecurityAudit(
  input: AuditInput & { stateDir: string; configPath: string; fix?: boolean },
): Promise<AuditReport & { fixed: string[] }> {
  const fixed: string[] = [];
  let walk = await looseFiles(input.stateDir);
  if (input.fix && walk.loose.length > 0) {
    for (const f of walk.loose) {
      const mode = f.dir ? 0o700 : 0o600;
      await chmod(f.file, mode);
      fixed.push(`chmod ${mode.toString(8)} ${f.file}`);
    }
    walk = await looseFiles(input.stateDir);
  }
  const exposed = exposure(input);
  const findings = [
    ...checkGatewayAuth(input, exposed),
    ...checkChannelExposure(input.config),
    ...checkStateFiles(input.stateDir, input.configPath, walk),
  ].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  return { ts: Date.now(), summary: countBySeverity(findings), findings, fixed };
}

/** The report as OpenClaw prints it: a summary, then the findings by severity with their fix. */
export function formatAuditReport(report: AuditReport & { fixed?: string[] }): string {
  const { critical, warn, info } = report.summary;
  const lines = ["OpenClaw security audit", `Summary: ${critical} critical, ${warn} warn, ${info} info`];
  if (report.fixed?.length) lines.push("", "FIX", ...report.fixed.map((f) => `  ${f}`));
  for (const severity of ["critical", "warn", "info"] as const) {
    const list = report.findings.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    lines.push("", severity === "critical" ? "CRITICAL" : severity.toUpperCase());
    for (const f of list) {
      lines.push(`${f.checkId} ${f.title}`, `  ${f.detail}`);
      if (f.remediation) lines.push(`  Fix: ${f.remediation}`);
    }
  }
  if (report.findings.length === 0) lines.push("", "No findings.");
  return `${lines.join("\n")}\n`;
}
