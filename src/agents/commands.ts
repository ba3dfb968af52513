import type { ResolvedAgent } from "./agent-config.js";
import type { AgentRuntime } from "./runtime.js";

export interface ChatCommand {
  /** Runs outside the session's queue (so `/stop` can stop what is running). */
  immediate: boolean;
  run(): Promise<string>;
}

const HELP = [
  "/new or /reset: start a fresh session (the old one is archived)",
  "/model <provider/model>: use another model in this session (/model alone shows the current chain)",
  "/status: session, model and token usage",
  "/stop: stop the reply in progress",
  "/help: this list",
].join("\n");

/** Chat commands typed in any channel or the Control UI; undefined for ordinary messages. */
export function handleChatCommand(
  text: string,
  ctx: { runtime: AgentRuntime; sessionKey: string; agent: ResolvedAgent },
): ChatCommand | undefined {
  const m = /^\/(new|reset|model|status|stop|help)\b\s*(.*)$/is.exec(text.trim());
  if (!m) return undefined;
  const [, name, rawArg] = m;
  const arg = rawArg?.trim() ?? "";
  const { runtime, sessionKey, agent } = ctx;
  switch (name!.toLowerCase()) {
    case "help":
      return { immediate: true, run: async () => HELP };
    case "stop":
      return {
        immediate: true,
        run: async () => (runtime.abort(sessionKey) > 0 ? "Stopped." : "Nothing is running."),
      };
    case "new":
    case "reset":
      return {
        immediate: false,
        run: async () => {
          const store = await runtime.store(agent.id);
          const entry = await store.reset(sessionKey);
          if (arg) {
            const ref = runtime.registry().parseRef(arg);
            store.update(sessionKey, { modelOverride: `${ref.provider}/${ref.model}` });
          }
          return `New session started${arg ? ` with ${arg}` : ""} (${entry.sessionId.slice(0, 8)}).`;
        },
      };
    case "model":
      return {
        immediate: false,
        run: async () => {
          const store = await runtime.store(agent.id);
          const entry = await store.ensure(sessionKey);
          if (!arg) {
            const chain = runtime.modelChain(agent, entry.modelOverride as string | undefined);
            return `Models: ${chain.map((r) => `${r.provider}/${r.model}`).join(" → ")}`;
          }
          const ref = runtime.registry().parseRef(arg);
          runtime.registry().resolve(ref); // throws a clear error for an unknown provider
          store.update(sessionKey, { modelOverride: `${ref.provider}/${ref.model}` });
          return `This session now uses ${ref.provider}/${ref.model}.`;
        },
      };
    case "status":
      return {
        immediate: false,
        run: async () => {
          const entry = (await runtime.store(agent.id)).get(sessionKey);
          if (!entry) return `Session ${sessionKey}: no messages yet.`;
          return [
            `Session ${sessionKey} (${entry.sessionId.slice(0, 8)})`,
            `Agent ${agent.id}; model ${entry.modelProvider ? `${entry.modelProvider}/${entry.model}` : "not used yet"}`,
            `Tokens: ${entry.inputTokens ?? 0} in, ${entry.outputTokens ?? 0} out`,
            `Updated ${new Date(entry.updatedAt).toISOString()}`,
          ].join("\n");
        },
      };
  }
  return undefined;
}
