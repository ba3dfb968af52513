import type { Logger } from "../infra/logger.js";
import { type ModelRef, parseFastMode, parseThinkingLevel } from "../providers/index.js";
import { isStale, resolveResetPolicy, type SessionResetConfig, sessionTypeOf } from "../sessions/reset.js";
import type { SessionStore } from "../sessions/store.js";
import type { ResolvedAgent } from "./agent-config.js";
import type { MemoryFlush } from "./memory-flush.js";
import type { ModelCache } from "./model-cache.js";
import type { OutboundPort } from "./outbound.js";
import { replayProgress } from "./replay.js";
import { runTurn, type TurnEvent, type TurnOutcome } from "./runner.js";
import type { ChatRequest } from "./runtime.js";
import type { ToolSet } from "./tool-cache.js";
import type { SkillAccess, ToolContext } from "./tools/types.js";

export interface ExecuteDeps {
  store: SessionStore;
  models: ModelCache;
  tools: ToolSet;
  /** The workspace's bootstrap files (AGENTS.md, …), for the system prompt. */
  bootstrap: string;
  /** The eligible skills' prompt section, and what tools may do with skills. */
  skills: { prompt: string; access: SkillAccess };
  memory?: ToolContext["memory"];
  memoryFlush?: MemoryFlush;
  /** `agents.defaults.compaction.reserveTokensFloor`. */
  reserveTokensFloor?: number;
  resetConfig: SessionResetConfig | undefined;
  outbound?: OutboundPort;
  journaled: boolean;
  log: Logger;
}

export interface ExecuteInput {
  runId: string;
  agent: ResolvedAgent;
  /** The request, its session key canonical. */
  req: ChatRequest;
  signal: AbortSignal;
  emit(event: TurnEvent): void;
}

/**
 * Everything a turn needs before the model is called: the model chain (a session's
 * /model override first), the session reset policy, how far a replayed run got, the
 * system prompt and the tools' context; then the turn itself.
 */
export async function executeTurn(deps: ExecuteDeps, input: ExecuteInput): Promise<TurnOutcome> {
  const { store, models, log } = deps;
  const { runId, agent, req, emit } = input;
  const sessionKey = req.sessionKey;
  let chain: ModelRef[];
  const turnStartedAtMs = Date.now();
  try {
    // A per-turn model (heartbeat `model`, a job's `--model`) comes before the session's /model choice.
    const override = req.model ?? (store.get(sessionKey)?.modelOverride as string | undefined);
    chain = models.modelChain(agent, override);
  } catch (err) {
    emit({ type: "error", message: (err as Error).message, kind: "config" });
    return { status: "error", text: "" };
  }
  let resume = false;
  if (req.replayOf) {
    const progress = await replayProgress(store, sessionKey, runId);
    if (progress.answered !== undefined) return { status: "ok", text: progress.answered };
    resume = progress.started;
  } else {
    await applyResetPolicy(store, sessionKey, deps.resetConfig, log);
  }
  const { tools, defs } = deps.tools;
  return runTurn(
    {
      store,
      failover: models.failover(agent.id),
      models: chain,
      fast: { mode: req.fastMode ?? parseFastMode(store.get(sessionKey)?.fastMode), turnStartedAtMs },
      thinkingLevel: req.thinkingLevel ?? parseThinkingLevel(store.get(sessionKey)?.thinkingLevel),
      systemPrompt: buildSystemPrompt(
        agent,
        tools.map((t) => t.name),
        deps.bootstrap,
        deps.skills.prompt,
      ),
      tools,
      toolDefs: defs,
      journaled: deps.journaled,
      ...(deps.memoryFlush ? { memoryFlush: deps.memoryFlush } : {}),
      reserveTokensFloor: deps.reserveTokensFloor,
      contextTokens: agent.contextTokens ?? models.contextWindow(chain[0]!),
      toolContext: {
        workspace: agent.workspace,
        agentId: agent.id,
        outbound: deps.outbound,
        replyTo: req.replyTo,
        skills: deps.skills.access,
        ...(deps.memory ? { memory: deps.memory } : {}),
        sessionStatus: () => ({
          ...store.get(sessionKey),
          models: chain.map((m) => `${m.provider}/${m.model}`),
        }),
      },
      log,
    },
    {
      runId,
      sessionKey,
      text: req.text,
      images: req.images,
      idempotencyKey: req.idempotencyKey,
      origin: req.origin,
      resume,
      signal: input.signal,
      onEvent: emit,
    },
  );
}

/** Archives a session that went stale under `session.reset` before its next turn. */
async function applyResetPolicy(
  store: SessionStore,
  sessionKey: string,
  config: SessionResetConfig | undefined,
  log: Logger,
): Promise<void> {
  const entry = store.get(sessionKey);
  if (!entry) return;
  const policy = resolveResetPolicy(config, {
    channel: typeof entry.channel === "string" ? entry.channel : undefined,
    type: sessionTypeOf(sessionKey),
  });
  if (!isStale(entry.updatedAt, policy)) return;
  await store.reset(sessionKey);
  log.info(`session ${sessionKey} started afresh (session.reset mode ${policy.mode})`);
}

function buildSystemPrompt(
  agent: ResolvedAgent,
  toolNames: string[],
  bootstrap: string,
  skillsPrompt: string,
): string {
  const memory = toolNames.includes("memory_search")
    ? "Memory lives in MEMORY.md and memory/YYYY-MM-DD.md: search it with memory_search before answering about earlier work, " +
      "decisions, people or preferences; write lasting facts there when the user asks you to remember something."
    : "";
  return [
    `You are ${agent.name}, a personal assistant running on the user's self-hosted gateway.`,
    `Your workspace is ${agent.workspace}; file tools work relative to it.`,
    toolNames.length ? `Tools available: ${toolNames.join(", ")}.` : "No tools are available.",
    `Current time: ${new Date().toISOString()}.`,
    ...(memory ? [memory] : []),
    "",
    bootstrap,
    ...(skillsPrompt ? ["", skillsPrompt] : []),
  ].join("\n");
}
