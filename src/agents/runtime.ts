import { randomUUID } from "node:crypto";
import path from "node:path";
import { createLogger } from "../infra/logger.js";
import {
  createAuthProfileStore,
  createFailover,
  createModelRegistry,
  type Failover,
  type ModelRef,
  type ModelRegistry,
  type ProvidersConfig,
} from "../providers/index.js";
import { canonicalSessionKey, resolveDefaultAgentId, resolveKnownAgentId } from "../routing/known-agents.js";
import { agentIdFromSessionKey } from "../routing/session-key.js";
import { isStale, resolveResetPolicy, type SessionResetConfig, sessionTypeOf } from "../sessions/reset.js";
import { SessionStore } from "../sessions/store.js";
import {
  type AgentsConfigView,
  DEFAULT_MAX_CONCURRENT,
  type ResolvedAgent,
  resolveAgent,
} from "./agent-config.js";
import { handleChatCommand } from "./commands.js";
import { Inbox, type InboxEntry } from "./inbox.js";
import { TurnAdmission, TurnScheduler } from "./queue.js";
import { runTurn, type TurnEvent, type TurnOutcome } from "./runner.js";
import { type AgentTool, createToolSet, toolDefinitions } from "./tools/index.js";
import { BootstrapCache } from "./workspace.js";

const log = createLogger("agent");

export type RuntimeConfig = AgentsConfigView &
  ProvidersConfig & { session?: { dmScope?: string; resetTriggers?: string[] } & SessionResetConfig };

export interface ChatRequest {
  sessionKey: string;
  text: string;
  images?: { data: string; mimeType: string }[];
  idempotencyKey?: string;
  origin?: Record<string, unknown>;
  /** Per-run listener, in addition to the runtime-wide ones. */
  onEvent?: (event: TurnEvent) => void;
  /** Set when re-running a journaled message after a restart: its original run id. */
  replayOf?: string;
  /** Who sent it (a WS connection id, an HTTP client): caps the turns one client has in flight. */
  submitter?: string;
}

export interface RunHandle {
  runId: string;
  sessionKey: string;
  /** `started` for a new run; `in_flight`/`ok` when the idempotency key was seen before. */
  status: "started" | "in_flight" | "ok";
  /** Resolves once the message is durably journaled: acknowledge it only then. */
  accepted: Promise<void>;
  done: Promise<TurnOutcome>;
}

export interface RunEvent {
  runId: string;
  sessionKey: string;
  agentId: string;
  event: TurnEvent;
}

interface ActiveRun {
  runId: string;
  sessionKey: string;
  controller: AbortController;
}

/** Used when `agents.defaults.model` is unset: the first provider with a key wins. */
const FALLBACK_MODELS = ["anthropic/claude-sonnet-4-5", "openai/gpt-5.2", "google/gemini-2.5-flash"];

/** How long a finished run's idempotency key is remembered in memory (the transcript remembers longer). */
const IDEMPOTENCY_TTL_MS = 10 * 60_000;
const IDEMPOTENCY_MAX = 2000;
const NO_TOOLS: readonly AgentTool[] = [];

/**
 * Agents at run time: resolves the agent for a session key, serialises turns per
 * session and caps them globally, keeps every turn in the session store, and fans
 * run events out to listeners (WS clients, channels).
 */
export class AgentRuntime {
  private readonly scheduler: TurnScheduler;
  private readonly admission = new TurnAdmission();
  private readonly stores = new Map<string, Promise<SessionStore>>();
  private readonly failovers = new Map<string, Failover>();
  private readonly active = new Map<string, ActiveRun>();
  private readonly idempotency = new Map<
    string,
    { runId: string; sessionKey: string; done: Promise<TurnOutcome>; at: number; finished: boolean }
  >();
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private registryCache?: { config: RuntimeConfig; registry: ModelRegistry };
  private seenConfig: RuntimeConfig;
  private readonly toolSets = new Map<
    string,
    { tools: AgentTool[]; defs: ReturnType<typeof toolDefinitions> }
  >();
  private readonly bootstrap = new BootstrapCache();
  private inbox: Inbox | undefined;
  private pluginTools: readonly AgentTool[] = NO_TOOLS;

  constructor(
    private readonly opts: {
      stateDir: string;
      config: () => RuntimeConfig;
      sendMessage?: (target: { channel: string; to: string }, text: string) => Promise<void>;
      /** Sends a replayed run's reply back to the chat it came from (`origin`). */
      deliver?: (origin: Record<string, unknown>, text: string) => Promise<void>;
      /** Agent tools plugins registered; read on every turn (plugins come and go on reload). */
      pluginTools?: () => readonly AgentTool[];
    },
  ) {
    this.seenConfig = opts.config();
    this.scheduler = new TurnScheduler(
      this.seenConfig.agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
    );
  }

  /**
   * Picks up a reloaded config (a new snapshot object): concurrency at once,
   * providers and agent settings from the next turn.
   */
  private syncConfig(): void {
    const config = this.opts.config();
    if (config === this.seenConfig) return;
    this.seenConfig = config;
    this.scheduler.setMaxConcurrent(config.agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.failovers.clear();
    this.toolSets.clear();
  }

  onRunEvent(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  defaultAgentId(): string {
    return resolveDefaultAgentId(this.opts.config().agents?.list);
  }

  /**
   * A session key from outside → its canonical form (`main` → the default agent's main
   * session); throws UnknownAgentError for an agent that is not configured.
   */
  canonicalSessionKey(raw: string): string {
    return canonicalSessionKey(this.opts.config().agents?.list, raw);
  }

  /** An agent id from outside, normalized; throws UnknownAgentError when it is not configured. */
  knownAgentId(raw: string): string {
    return resolveKnownAgentId(this.opts.config().agents?.list, raw);
  }

  /** The agent of a canonical session key (see canonicalSessionKey). */
  agentFor(sessionKey: string): ResolvedAgent {
    const id = agentIdFromSessionKey(sessionKey) ?? this.defaultAgentId();
    return resolveAgent(this.opts.config(), id, this.opts.stateDir);
  }

  /** Turns counted against the queue caps (for status and tests). */
  queuedTurns(scope: "session" | "submitter", key: string): number {
    return this.admission.count(scope, key);
  }

  registry(): ModelRegistry {
    const config = this.opts.config();
    if (this.registryCache?.config !== config)
      this.registryCache = { config, registry: createModelRegistry(config) };
    return this.registryCache.registry;
  }

  /** The session store of a configured agent; throws UnknownAgentError for any other id. */
  store(agentId: string): Promise<SessionStore> {
    const id = resolveKnownAgentId(this.opts.config().agents?.list, agentId);
    let store = this.stores.get(id);
    if (!store) {
      const agent = resolveAgent(this.opts.config(), id, this.opts.stateDir);
      store = SessionStore.open(path.join(this.opts.stateDir, "agents", id, "sessions"), log, {
        cwd: agent.workspace,
      });
      store.catch(() => this.stores.delete(id));
      this.stores.set(id, store);
    }
    return store;
  }

  /**
   * Queues a message for its session. Chat commands (`/new`, `/model`, …) are
   * answered without a model; a repeated idempotency key returns the first run.
   */
  send(req: ChatRequest): RunHandle {
    this.syncConfig();
    const sessionKey = this.canonicalSessionKey(req.sessionKey);
    if (req.idempotencyKey) {
      this.pruneIdempotency();
      const seen = this.idempotency.get(req.idempotencyKey);
      if (seen)
        return {
          runId: seen.runId,
          sessionKey: seen.sessionKey,
          status: seen.finished ? "ok" : "in_flight",
          accepted: Promise.resolve(),
          done: seen.done,
        };
    }
    const runId = randomUUID();
    const agent = this.agentFor(sessionKey);
    const emit = (event: TurnEvent) => {
      req.onEvent?.(event);
      for (const listener of this.listeners) listener({ runId, sessionKey, agentId: agent.id, event });
    };
    // `session.resetTriggers`: extra phrases that act like /new.
    const trigger = this.opts.config().session?.resetTriggers?.some((t) => t.trim() === req.text.trim());
    const command = handleChatCommand(trigger ? "/new" : req.text, { runtime: this, sessionKey, agent });
    // Caps before anything is journaled: a refused turn leaves no trace. Replays were
    // accepted before the restart; /stop and /help must get through a full queue.
    const release =
      req.replayOf !== undefined || command?.immediate
        ? () => undefined
        : this.admission.admit(sessionKey, req.submitter);
    if (command) {
      // Started on the next turn of the event loop, so the caller's ack goes out before any
      // event; /stop does not wait behind the run it stops.
      const later = new Promise<void>((resolve) => setImmediate(resolve));
      const done = command.immediate
        ? later.then(command.run)
        : later.then(() => this.scheduler.run(sessionKey, command.run));
      const outcome = done.finally(release).then(
        (text): TurnOutcome => {
          const message = { role: "assistant" as const, content: [{ type: "text" as const, text }] };
          emit({ type: "final", text, message, usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } });
          return { status: "ok", text };
        },
        (err: Error): TurnOutcome => {
          emit({ type: "error", message: err.message, kind: "command" });
          return { status: "error", text: err.message };
        },
      );
      return { runId, sessionKey, status: "started", accepted: Promise.resolve(), done: outcome };
    }
    const replayed = req.replayOf !== undefined;
    const id = req.replayOf ?? runId;
    const accepted =
      this.inbox && !replayed
        ? this.inbox.accept({
            type: "accepted",
            id,
            sessionKey,
            text: req.text,
            ...(req.images?.length ? { images: req.images } : {}),
            ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
            ...(req.origin ? { origin: req.origin } : {}),
            at: Date.now(),
          })
        : Promise.resolve();
    const done = this.scheduler.run(sessionKey, async () => {
      try {
        await accepted;
      } catch (err) {
        const message = `could not record the message: ${(err as Error).message}`;
        emit({ type: "error", message, kind: "storage" });
        return { status: "error", text: message } as TurnOutcome;
      }
      try {
        return await this.execute(id, sessionKey, agent, req, emit);
      } finally {
        this.inbox?.done(id);
      }
    });
    void done.finally(release).catch(() => undefined);
    if (req.idempotencyKey) {
      const record = { runId, sessionKey, done, at: Date.now(), finished: false };
      this.idempotency.set(req.idempotencyKey, record);
      void done
        .finally(() => {
          record.finished = true;
          record.at = Date.now();
        })
        .catch(() => undefined);
    }
    return { runId: id, sessionKey, status: "started", accepted, done };
  }

  /**
   * Opens the write-ahead journal; call once at start. Returns the messages a crash
   * left unanswered, for `replay` once the channels are up.
   */
  async openJournal(file: string): Promise<InboxEntry[]> {
    const { inbox, pending } = await Inbox.open(file, log);
    this.inbox = inbox;
    return pending;
  }

  /** Runs journaled messages again, in order; replies to chat-app messages are delivered through `deliver`. */
  replay(pending: InboxEntry[]): void {
    for (const entry of pending) {
      let handle: RunHandle;
      try {
        handle = this.send({
          sessionKey: entry.sessionKey,
          text: entry.text,
          images: entry.images,
          idempotencyKey: entry.idempotencyKey,
          origin: entry.origin,
          replayOf: entry.id,
        });
      } catch (err) {
        // Its agent was removed from agents.list since: nothing can answer it any more.
        log.error(`not replaying message ${entry.id} for ${entry.sessionKey}: ${(err as Error).message}`);
        this.inbox?.done(entry.id);
        continue;
      }
      void handle.done.then(async (outcome) => {
        if (outcome.status !== "ok" || !outcome.text || !entry.origin?.channel) return;
        await this.opts
          .deliver?.(entry.origin, outcome.text)
          .catch((err: Error) =>
            log.error(
              `could not deliver the replayed reply to ${String(entry.origin?.channel)}: ${err.message}`,
            ),
          );
      });
    }
  }

  /** Aborts the session's running turn (or one run id); returns how many were aborted. */
  abort(sessionKey: string, runId?: string): number {
    const key = this.canonicalSessionKey(sessionKey);
    let n = 0;
    for (const run of this.active.values()) {
      if (run.sessionKey === key && (!runId || run.runId === runId)) {
        run.controller.abort();
        n++;
      }
    }
    return n;
  }

  /** Resolves the model chain for an agent (a session's /model override first). */
  modelChain(agent: ResolvedAgent, override?: string): ModelRef[] {
    const registry = this.registry();
    let refs = override ? [override, ...agent.models.filter((m) => m !== override)] : agent.models;
    if (refs.length === 0) {
      // No model configured: use a sensible one from whichever provider has a key, so a
      // fresh install answers as soon as ANTHROPIC_API_KEY (or OPENAI_/GOOGLE_API_KEY) is set.
      const guess = FALLBACK_MODELS.find((ref) => registry.credentials(ref.split("/")[0]!).length > 0);
      if (!guess) {
        throw new Error(
          "no model configured and no provider key found: set ANTHROPIC_API_KEY, OPENAI_API_KEY or GOOGLE_API_KEY, or agents.defaults.model.primary (e.g. `openclaw config set agents.defaults.model.primary anthropic/claude-sonnet-4-5`)",
        );
      }
      refs = [guess];
    }
    return refs.map((r) => registry.parseRef(r));
  }

  /** The primary model's context window from the catalogue (unknown models: the registry's default). */
  private contextWindow(ref: ModelRef): number | undefined {
    try {
      return this.registry().resolve(ref).contextWindow;
    } catch {
      return undefined;
    }
  }

  /** Archives a session that went stale under `session.reset` before its next turn. */
  private async applyResetPolicy(store: SessionStore, sessionKey: string): Promise<void> {
    const entry = store.get(sessionKey);
    if (!entry) return;
    const policy = resolveResetPolicy(this.opts.config().session as SessionResetConfig | undefined, {
      channel: typeof entry.channel === "string" ? entry.channel : undefined,
      type: sessionTypeOf(sessionKey),
    });
    if (!isStale(entry.updatedAt, policy)) return;
    await store.reset(sessionKey);
    log.info(`session ${sessionKey} started afresh (session.reset mode ${policy.mode})`);
  }

  /** Tools and their JSON Schemas for an agent's policy, built once per config. */
  private toolSet(agent: ResolvedAgent) {
    const pluginTools = this.opts.pluginTools?.() ?? NO_TOOLS;
    if (pluginTools !== this.pluginTools) {
      // A plugin was loaded or unloaded: its tools (new objects) replace the cached sets.
      this.toolSets.clear();
      this.pluginTools = pluginTools;
    }
    const key = JSON.stringify(agent.tools);
    let set = this.toolSets.get(key);
    if (!set) {
      const tools = createToolSet(agent.tools, pluginTools);
      set = { tools, defs: toolDefinitions(tools) };
      this.toolSets.set(key, set);
    }
    return set;
  }

  private failover(agentId: string): Failover {
    let failover = this.failovers.get(agentId);
    if (!failover) {
      failover = createFailover({
        registry: this.registry(),
        profiles: createAuthProfileStore({ stateDir: this.opts.stateDir, agentId }),
      });
      this.failovers.set(agentId, failover);
    }
    return failover;
  }

  private async execute(
    runId: string,
    sessionKey: string,
    agent: ResolvedAgent,
    req: ChatRequest,
    emit: (e: TurnEvent) => void,
  ): Promise<TurnOutcome> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error("timeout")), agent.timeoutSeconds * 1000);
    this.active.set(runId, { runId, sessionKey, controller });
    try {
      const store = await this.store(agent.id);
      const bootstrap = await this.bootstrap.load(agent.workspace);
      const override = store.get(sessionKey)?.modelOverride as string | undefined;
      let models: ModelRef[];
      try {
        models = this.modelChain(agent, override);
      } catch (err) {
        emit({ type: "error", message: (err as Error).message, kind: "config" });
        return { status: "error", text: "" };
      }
      if (!req.replayOf) await this.applyResetPolicy(store, sessionKey);
      let resume = false;
      if (req.replayOf) {
        const progress = await replayProgress(store, sessionKey, runId);
        if (progress.answered !== undefined) return { status: "ok", text: progress.answered };
        resume = progress.started;
      }
      const { tools, defs } = this.toolSet(agent);
      const systemPrompt = buildSystemPrompt(
        agent,
        tools.map((t) => t.name),
        bootstrap,
      );
      return await runTurn(
        {
          store,
          failover: this.failover(agent.id),
          models,
          systemPrompt,
          tools,
          toolDefs: defs,
          journaled: this.inbox !== undefined,
          contextTokens: agent.contextTokens ?? this.contextWindow(models[0]!),
          toolContext: {
            workspace: agent.workspace,
            agentId: agent.id,
            sendMessage: this.opts.sendMessage,
            sessionStatus: () => ({
              ...store.get(sessionKey),
              models: models.map((m) => `${m.provider}/${m.model}`),
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
          signal: controller.signal,
          onEvent: emit,
        },
      );
    } catch (err) {
      log.error(`run ${runId} crashed: ${(err as Error).stack ?? err}`);
      emit({ type: "error", message: (err as Error).message, kind: "internal" });
      return { status: "error", text: "" };
    } finally {
      clearTimeout(timeout);
      this.active.delete(runId);
    }
  }

  private pruneIdempotency(): void {
    const cutoff = Date.now() - IDEMPOTENCY_TTL_MS;
    for (const [key, record] of this.idempotency) {
      if ((record.finished && record.at < cutoff) || this.idempotency.size > IDEMPOTENCY_MAX)
        this.idempotency.delete(key);
      else break;
    }
  }
}

/**
 * How far a journaled run got before the crash: not started (no user message in the
 * transcript), started (user message, no final answer), or answered (the text).
 */
async function replayProgress(
  store: SessionStore,
  sessionKey: string,
  runId: string,
): Promise<{ started: boolean; answered?: string }> {
  const entry = store.get(sessionKey);
  if (!entry) return { started: false };
  const messages = (await store.transcript(entry.sessionId).messages()).map((e) => e.message!);
  const at = messages.findIndex((m) => m.role === "user" && m.runId === runId);
  if (at < 0) return { started: false };
  const final = messages
    .slice(at + 1)
    .find(
      (m) =>
        m.role === "assistant" &&
        !m.stopReason &&
        !(m.content as { type: string }[]).some((c) => c.type === "toolCall"),
    );
  if (!final) return { started: true };
  const text = (final.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("");
  return { started: true, answered: text };
}

function buildSystemPrompt(agent: ResolvedAgent, toolNames: string[], bootstrap: string): string {
  return [
    `You are ${agent.name}, a personal assistant running on the user's self-hosted gateway.`,
    `Your workspace is ${agent.workspace}; file tools work relative to it.`,
    toolNames.length ? `Tools available: ${toolNames.join(", ")}.` : "No tools are available.",
    `Current time: ${new Date().toISOString()}.`,
    "",
    bootstrap,
  ].join("\n");
}
