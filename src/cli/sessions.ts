import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { resolveStateDir } from "../config/paths.js";
import type { Logger } from "../infra/logger.js";
import { normalizeAgentId } from "../routing/agent-id.js";
import type { ClientFlags } from "./connection.js";
import { registerSessionEditCommands } from "./sessions-edit.js";

/** What the store reports while opening (an import, say) goes to stderr: stdout is the answer (`--json`). */
const stderrLog: Logger = {
  debug: () => {},
  info: (msg) => process.stderr.write(`[sessions] ${msg}\n`),
  warn: (msg) => process.stderr.write(`[sessions] ${msg}\n`),
  error: (msg) => process.stderr.write(`[sessions] ${msg}\n`),
  child: () => stderrLog,
};

/** Rows a CLI page shows unless `--limit` says otherwise. */
const DEFAULT_CLI_PAGE = 50;

interface ListFlags extends ClientFlags {
  agent?: string;
  limit: string;
  cursor?: string;
  offset?: string;
  search?: string;
  /** Commander's tri-state: `--archived` true, `--no-archived` false, neither undefined. */
  archived?: boolean;
}

interface ListAnswer {
  agentId: string;
  totalCount: number;
  hasMore: boolean;
  nextCursor?: string;
  sessions: {
    key: string;
    updatedAt: number;
    totalTokens?: number;
    label?: string;
    displayName?: string;
    channel?: string;
    archived?: boolean;
    archivedAt?: number;
  }[];
}

/**
 * `openclaw sessions [list]` (newest first, paged, `--json`) through the running gateway
 * when there is one, else read from the state dir; `openclaw sessions export --format openclaw`
 * writes OpenClaw's legacy index so OpenClaw picks our sessions up at its next start.
 */
export function registerSessionsCommands(program: Command): void {
  const sessions = program.command("sessions").description("conversations the gateway keeps");
  sessions
    .command("list", { isDefault: true })
    .description("sessions, newest first")
    .option("--agent <id>", "agent whose sessions to list (default: the default agent)")
    .option("--limit <n>", "rows per page", String(DEFAULT_CLI_PAGE))
    .option("--cursor <cursor>", "continue after a previous page (its nextCursor)")
    .option("--offset <n>", "skip this many rows")
    .option("--search <text>", "only sessions whose key, label or channel contains this")
    // OpenClaw's `sessions` lists every stored session, archived ones too: so do we, and mark them.
    .option("--archived", "only archived sessions")
    .option("--no-archived", "hide archived sessions (the Control UI's default list)")
    .option("--json", "print raw JSON")
    .action(async (flags: ListFlags) => {
      try {
        const params = {
          ...(flags.agent ? { agentId: flags.agent } : {}),
          limit: positiveInt(flags.limit, "--limit"),
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
          ...(flags.offset ? { offset: positiveInt(flags.offset, "--offset", 0) } : {}),
          ...(flags.search ? { search: flags.search } : {}),
          archived: flags.archived === undefined ? ("all" as const) : flags.archived,
        };
        const answer = await listSessions(params);
        process.stdout.write(flags.json ? `${JSON.stringify(answer, null, 2)}\n` : formatList(answer));
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  registerSessionEditCommands(sessions);
  sessions
    .command("export")
    .description("write the sessions where OpenClaw reads them (agents/<id>/sessions/sessions.json)")
    .requiredOption("--format <format>", "only `openclaw` (its sessions.json + JSONL layout)")
    .option("--agent <id>", "only this agent (default: every agent with sessions)")
    .action(async (flags: { format: string; agent?: string }) => {
      if (flags.format !== "openclaw") {
        process.stderr.write(`error: --format ${flags.format} is not supported: use --format openclaw\n`);
        process.exitCode = 2;
        return;
      }
      try {
        const { SessionStore } = await import("../sessions/store.js");
        const { exportOpenClawLayout } = await import("../sessions/export.js");
        const { OPENCLAW_AGENT_DB } = await import("../sessions/openclaw-import.js");
        const agentsDir = path.join(resolveStateDir(), "agents");
        const ids = flags.agent ? [normalizeAgentId(flags.agent)] : agentDirs(agentsDir);
        for (const id of ids) {
          const store = await SessionStore.open(path.join(agentsDir, id, "sessions"), stderrLog);
          try {
            const { file, count } = await exportOpenClawLayout(store);
            process.stdout.write(`exported ${count} session(s) of agent ${id} to ${file}\n`);
            if (existsSync(path.join(agentsDir, id, OPENCLAW_AGENT_DB))) {
              // Beside its own database OpenClaw 2026.9.6 treats a sessions.json as a pending migration.
              process.stdout.write(
                `note: ${path.join(agentsDir, id, OPENCLAW_AGENT_DB)} exists: run \`openclaw doctor --fix\` with OpenClaw once so it imports the file before it starts\n`,
              );
            }
          } finally {
            store.close();
          }
        }
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

function positiveInt(raw: string, flag: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be a whole number ≥ ${min}, got ${raw}`);
  return n;
}

function agentDirs(agentsDir: string): string[] {
  try {
    return readdirSync(agentsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** A `sessions.list` page request. */
type ListParams = {
  agentId?: string;
  limit: number;
  cursor?: string;
  offset?: number;
  search?: string;
  /** `sessions.list`'s param: true only archived, false only active, "all" both. */
  archived: boolean | "all";
};

/** The RPC when a gateway runs (it owns the store then), else the same page read from the state dir. */
async function listSessions(params: ListParams): Promise<ListAnswer> {
  const { callGatewayOrOffline } = await import("./connection.js");
  return callGatewayOrOffline<ListAnswer>("sessions.list", params, () => listOffline(params));
}

/** The same page as `sessions.list`, read from the state dir (no gateway running). */
async function listOffline(params: ListParams): Promise<ListAnswer> {
  const { SessionStore } = await import("../sessions/store.js");
  const agentId = normalizeAgentId(params.agentId ?? "main");
  const store = await SessionStore.open(
    path.join(resolveStateDir(), "agents", agentId, "sessions"),
    stderrLog,
  );
  try {
    const { archived, ...rest } = params;
    const page = store.page({
      ...rest,
      archived: archived === "all" ? "all" : archived ? "archived" : "active",
    });
    return {
      agentId,
      totalCount: page.totalCount,
      hasMore: page.hasMore,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      sessions: page.sessions.map(({ key, entry }) => ({
        key,
        ...entry,
        ...(entry.archivedAt !== undefined ? { archived: true } : {}),
      })),
    };
  } finally {
    store.close();
  }
}

function formatList(a: ListAnswer): string {
  if (a.sessions.length === 0) return `no sessions for agent ${a.agentId}\n`;
  const rows = a.sessions.map((s) => {
    const when = new Date(s.updatedAt).toISOString().replace("T", " ").slice(0, 16);
    const tokens = s.totalTokens === undefined ? "" : `${s.totalTokens} tok`;
    const label = s.label ?? s.displayName ?? s.channel ?? "";
    const archived = s.archived || s.archivedAt !== undefined ? "  [archived]" : "";
    return `${when}  ${tokens.padStart(10)}  ${s.key}${label ? `  (${label})` : ""}${archived}`;
  });
  const more = a.hasMore ? `\nmore: openclaw sessions --cursor ${a.nextCursor}` : "";
  return `${rows.join("\n")}\n${a.sessions.length} of ${a.totalCount} session(s)${more}\n`;
}
