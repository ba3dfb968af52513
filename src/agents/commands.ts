import {
  type FastMode,
  fastModePlan,
  type ModelRef,
  type ModelRegistry,
  parseFastMode,
  parseThinkingLevel,
  thinkingForCall,
  thinkingProfile,
} from "../providers/index.js";
import type { SessionStore } from "../sessions/store.js";
import type { ResolvedAgent } from "./agent-config.js";

/** What chat commands may do to the agents: no more than this (AgentRuntime provides it). */
export interface ChatCommandHost {
  /** Aborts the session's running turn; returns how many runs were aborted. */
  abort(sessionKey: string): number;
  /** The session store of a configured agent. */
  store(agentId: string): Promise<SessionStore>;
  registry(): Pick<ModelRegistry, "parseRef" | "resolve">;
  /** The model chain a turn of this agent would use (a session override first). */
  modelChain(agent: ResolvedAgent, override?: string): ModelRef[];
}

export interface ChatCommand {
  /** Runs outside the session's queue (so `/stop` can stop what is running). */
  immediate: boolean;
  run(): Promise<string>;
}

/** The chat commands, for `/help` and for clients that offer them (OpenClaw's `chat.metadata`). */
export const CHAT_COMMANDS = [
  {
    name: "new",
    aliases: ["reset"],
    args: "[provider/model]",
    description: "start a fresh session (the old one is archived)",
  },
  {
    name: "model",
    aliases: [],
    args: "<provider/model>",
    description: "use another model in this session (/model alone shows the current chain)",
  },
  {
    name: "fast",
    aliases: [],
    args: "[on|off|auto|status|default]",
    description: "Fast mode for this session (default: back to the model's own setting)",
  },
  {
    name: "think",
    aliases: ["thinking", "t"],
    args: "[level|status|default]",
    description: "thinking level for this session (default: back to the agent's or model's own)",
  },
  { name: "status", aliases: [], args: "", description: "session, model and token usage" },
  { name: "stop", aliases: [], args: "", description: "stop the reply in progress" },
  { name: "help", aliases: [], args: "", description: "this list" },
] as const;

const HELP = CHAT_COMMANDS.map(
  (c) =>
    `${[c.name, ...c.aliases].map((n) => `/${n}`).join(" or ")}${c.args ? ` ${c.args}` : ""}: ${c.description}`,
).join("\n");

/** Chat commands typed in any channel or the Control UI; undefined for ordinary messages. */
export function handleChatCommand(
  text: string,
  ctx: { host: ChatCommandHost; sessionKey: string; agent: ResolvedAgent },
): ChatCommand | undefined {
  const m = /^\/(new|reset|model|fast|think|thinking|t|status|stop|help)\b:?\s*(.*)$/is.exec(text.trim());
  if (!m) return undefined;
  const [, name, rawArg] = m;
  const arg = rawArg?.trim() ?? "";
  const { host, sessionKey, agent } = ctx;
  switch (name!.toLowerCase()) {
    case "help":
      return { immediate: true, run: async () => HELP };
    case "stop":
      return {
        immediate: true,
        run: async () => (host.abort(sessionKey) > 0 ? "Stopped." : "Nothing is running."),
      };
    case "new":
    case "reset":
      return {
        immediate: false,
        run: async () => {
          const store = await host.store(agent.id);
          const entry = await store.reset(sessionKey);
          if (arg) {
            const ref = host.registry().parseRef(arg);
            store.update(sessionKey, { modelOverride: `${ref.provider}/${ref.model}` });
          }
          return `New session started${arg ? ` with ${arg}` : ""} (${entry.sessionId.slice(0, 8)}).`;
        },
      };
    case "model":
      return {
        immediate: false,
        run: async () => {
          const store = await host.store(agent.id);
          const entry = await store.ensure(sessionKey);
          if (!arg) {
            const chain = host.modelChain(agent, entry.modelOverride as string | undefined);
            return `Models: ${chain.map((r) => `${r.provider}/${r.model}`).join(" → ")}`;
          }
          const ref = host.registry().parseRef(arg);
          host.registry().resolve(ref); // throws a clear error for an unknown provider
          store.update(sessionKey, { modelOverride: `${ref.provider}/${ref.model}` });
          return `This session now uses ${ref.provider}/${ref.model}.`;
        },
      };
    case "fast":
      return { immediate: false, run: () => fastCommand(arg.toLowerCase(), ctx) };
    case "think":
    case "thinking":
    case "t":
      return { immediate: false, run: () => thinkCommand(arg.toLowerCase(), ctx) };
    case "status":
      return {
        immediate: false,
        run: async () => {
          const entry = (await host.store(agent.id)).get(sessionKey);
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

const CLEAR = new Set(["default", "inherit", "clear", "reset", "unpin"]);
const FAST_SET: Record<string, [FastMode, string]> = {
  on: [true, "Fast mode enabled."],
  off: [false, "Fast mode disabled."],
  auto: ["auto", "Fast mode set to auto."],
};

/** `/fast [on|off|auto|status|default]` (OpenClaw's words and replies). */
async function fastCommand(
  arg: string,
  { host, sessionKey, agent }: { host: ChatCommandHost; sessionKey: string; agent: ResolvedAgent },
): Promise<string> {
  const store = await host.store(agent.id);
  const entry = await store.ensure(sessionKey);
  const model = firstModel(host, agent, entry.modelOverride as string | undefined);
  const noEffect =
    model && !fastModePlan(model) ? ` It has no effect on ${model.ref.provider}/${model.ref.model}.` : "";
  const set = FAST_SET[arg];
  if (set) {
    store.update(sessionKey, { fastMode: set[0] });
    return `${set[1]}${noEffect}`;
  }
  if (CLEAR.has(arg)) {
    store.update(sessionKey, { fastMode: undefined });
    return `Fast mode follows the model's default (${word(model?.params?.fastMode)}).${noEffect}`;
  }
  if (arg && arg !== "status") return `Unknown Fast mode "${arg}": use on, off, auto, status or default.`;
  const own = parseFastMode(entry.fastMode);
  const source = own !== undefined ? "this session" : "the model's default";
  return `Fast mode: ${word(own ?? model?.params?.fastMode)} (${source}).${noEffect}`;
}

/** `/think [level|status|default]` (OpenClaw's words and replies); a level the model lacks is refused. */
async function thinkCommand(
  arg: string,
  { host, sessionKey, agent }: { host: ChatCommandHost; sessionKey: string; agent: ResolvedAgent },
): Promise<string> {
  const store = await host.store(agent.id);
  const entry = await store.ensure(sessionKey);
  const model = firstModel(host, agent, entry.modelOverride as string | undefined);
  const offered = (model && thinkingProfile(model)?.levels) || ["off"];
  const options = `${offered.join(", ")}, status or default`;
  const own = parseThinkingLevel(entry.thinkingLevel);
  const effective = (level: typeof own) => (model ? thinkingForCall(model, level) : level) ?? "off";
  if (CLEAR.has(arg)) {
    store.update(sessionKey, { thinkingLevel: undefined });
    return `Thinking level follows the default (${effective(undefined)}).`;
  }
  if (!arg || arg === "status") {
    return `Thinking level: ${effective(own)} (${own ? "this session" : "the default"}). Options: ${options}.`;
  }
  const level = parseThinkingLevel(arg);
  if (!level) return `Unknown thinking level "${arg}": use ${options}.`;
  if (model && !offered.includes(level)) {
    return `${model.ref.provider}/${model.ref.model} does not offer "${level}": use ${options}.`;
  }
  store.update(sessionKey, { thinkingLevel: level });
  return level === "off" ? "Thinking disabled." : `Thinking level set to ${level}.`;
}

/** The model the session's next turn starts with; undefined when none is configured (yet). */
function firstModel(host: ChatCommandHost, agent: ResolvedAgent, override: string | undefined) {
  try {
    const [first] = host.modelChain(agent, override);
    return first ? host.registry().resolve(first) : undefined;
  } catch {
    return undefined; // the next turn reports the model problem; /fast still stores the choice
  }
}

const word = (mode: FastMode | undefined) => (mode === "auto" ? "auto" : mode ? "on" : "off");
