import path from "node:path";
import type { Command } from "commander";
import type { Logger } from "../infra/logger.js";

/** Messages `sessions show` prints unless `--limit` says otherwise. */
const DEFAULT_SHOW_MESSAGES = 20;

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: (msg) => process.stderr.write(`[sessions] ${msg}\n`),
  error: (msg) => process.stderr.write(`[sessions] ${msg}\n`),
  child: () => quiet,
};

interface History {
  sessionKey: string;
  sessionId: string | null;
  messages: { role?: string; content?: unknown; timestamp?: number | string }[];
}

/**
 * Offline: the agent store of the (canonical) key, opened from the state dir with the
 * config's agent list, so keys resolve exactly as the gateway resolves them.
 */
async function withStore<T>(
  raw: string,
  use: (store: import("../sessions/store.js").SessionStore, key: string) => Promise<T>,
) {
  const { loadConfig } = await import("../config/load.js");
  const { resolveConfigPath, resolveStateDir } = await import("../config/paths.js");
  const { agentIdFromSessionKey, canonicalSessionKey } = await import("../routing/session-key.js");
  const { SessionStore } = await import("../sessions/store.js");
  const stateDir = resolveStateDir();
  const { config } = await loadConfig(resolveConfigPath(process.env, stateDir));
  const key = canonicalSessionKey(config.agents?.list, raw);
  const store = await SessionStore.open(
    path.join(stateDir, "agents", agentIdFromSessionKey(key)!, "sessions"),
    quiet,
  );
  try {
    return await use(store, key);
  } finally {
    await store.flush();
    store.close();
  }
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map(
        (part) =>
          (part as { type?: string; text?: string }).text ??
          `[${(part as { type?: string }).type ?? "part"}]`,
      )
      .join(" ");
  }
  return JSON.stringify(content);
}

function report(err: unknown): void {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 1;
}

/** `openclaw sessions show|reset|delete`: through the running gateway, else on the state dir. */
export function registerSessionEditCommands(sessions: Command): void {
  sessions
    .command("show <key>")
    .description("a session's latest messages, e.g. `openclaw sessions show main`")
    .option("--limit <n>", "messages to show", String(DEFAULT_SHOW_MESSAGES))
    .option("--json", "print JSON")
    .action(async (raw: string, flags: { limit: string; json?: boolean }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        return report(new Error(`--limit must be a whole number ≥ 1, got ${flags.limit}`));
      try {
        const { callGatewayOrOffline } = await import("./connection.js");
        const history = await callGatewayOrOffline<History>("chat.history", { sessionKey: raw, limit }, () =>
          withStore(raw, async (store, key) => {
            const entry = store.get(key);
            if (!entry) return { sessionKey: key, sessionId: null, messages: [] };
            const messages = (await store.transcript(entry.sessionId).messages())
              .slice(-limit)
              .map((e) => ({ ...e.message, id: e.id, timestamp: e.timestamp }));
            return { sessionKey: key, sessionId: entry.sessionId, messages };
          }),
        );
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
          return;
        }
        if (!history.sessionId) {
          process.stdout.write(`no session ${history.sessionKey}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${history.sessionKey} (session ${history.sessionId})\n`);
        for (const m of history.messages)
          process.stdout.write(`${(m.role ?? "?").padEnd(9)} ${textOf(m.content)}\n`);
      } catch (err) {
        report(err);
      }
    });
  for (const [name, verb, description] of [
    ["reset", "reset", "start a session afresh (the old transcript is kept as <id>.jsonl.reset.<time>)"],
    ["delete", "deleted", "delete sessions (transcripts are kept as <id>.jsonl.deleted.<time>)"],
  ] as const) {
    sessions
      .command(`${name} <keys...>`)
      .description(description)
      .option("--dry-run", "say what would happen and change nothing")
      .option("--yes", "no confirmation (there is none: accepted for OpenClaw compatibility)")
      .option("--json", "print JSON")
      .action(async (keys: string[], flags: { dryRun?: boolean; json?: boolean }) => {
        const { callGatewayOrOffline } = await import("./connection.js");
        const results: unknown[] = [];
        for (const raw of keys) {
          try {
            if (flags.dryRun) {
              results.push({ key: raw, dryRun: true, action: name });
              continue;
            }
            const result = await callGatewayOrOffline<{ key: string; deleted?: boolean; sessionId?: string }>(
              `sessions.${name}`,
              { key: raw },
              () =>
                withStore(raw, async (store, key) =>
                  name === "reset"
                    ? { ok: true, key, sessionId: (await store.reset(key)).sessionId }
                    : { ok: true, key, deleted: await store.delete(key) },
                ),
            );
            results.push(result);
            if (!flags.json) {
              const missing = name === "delete" && result.deleted === false;
              process.stdout.write(missing ? `no session ${result.key}\n` : `${verb} ${result.key}\n`);
            }
          } catch (err) {
            report(err);
          }
        }
        if (flags.json) process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
        else if (flags.dryRun) for (const raw of keys) process.stdout.write(`would ${name} ${raw}\n`);
      });
  }
}
