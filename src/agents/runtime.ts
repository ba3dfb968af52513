import { randomUUID } from "node:crypto";
import path from "node:path";
import { createLogger } from "../infra/logger.js";
import type { ModelRef, ModelRegistry } from "../providers/index.js";
import { resolveDefaultAgentId, resolveKnownAgentId } from "../routing/known-agents.js";
import { agentIdFromSessionKey, canonicalSessionKey } from "../routing/session-key.js";
import { sessionTypeOf } from "../sessions/reset.js";
import { SessionStore } from "../sessions/store.js";
import { DEFAULT_MAX_CONCURRENT, type ResolvedAgent, resolveAgent } from "./agent-config.js";
import { type ChatCommand, type ChatCommandHost, handleChatCommand } from "./commands.js";
import { type CompactOutcome, compactNow } from "./compact-now.js";
import { IdempotencyCache } from "./idempotency.js";
import { Inbox, type InboxEntry } from "./inbox.js";
import { AgentKnowledge } from "./knowledge.js";
import { resolveMemoryFlush } from "./memory-flush.js";
import { ModelCache } from "./model-cache.js";
import { type OutboundPort, targetFromOrigin } from "./outbound.js";
import { TurnAdmission, TurnScheduler } from "./queue.js";
import { replayJournal } from "./replay.js";
import type { TurnEvent, TurnOutcome } from "./runner.js";
import type { ChatRequest, RunEvent, RunHandle, RuntimeConfig } from "./runtime-types.js";
import { ToolCache } from "./tool-cache.js";
import type { AgentTool } from "./tools/index.js";
import { executeTurn } from "./turn.js";
import { BootstrapCache } from "./workspace.js";

const log = createLogger("agent");

export type { ChatRequest, RunEvent, RunHandle, RuntimeConfig } from "./runtime-types.js";

const NO_USAGE = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
type ActiveRun = { sessionKey: string; controller: AbortController; at: number };

/**
 * Agents at run time: resolves the agent for a session key, serialises turns per
 * session and caps them globally, keeps every turn in the session store, and fans
 * run events out to listeners (WS clients, channels).
 */
export class AgentRuntime implements ChatCommandHost {
  private readonly scheduler: TurnScheduler;
  private readonly admission = new TurnAdmission();
  private readonly stores = new Map<string, Promise<SessionStore>>();
  private readonly active = new Map<string, ActiveRun>();
  /** Messages of the turns queued or running, by run id (the media sweep keeps the files they name). */
  private readonly unfinished = new Map<string, string>();
  private readonly idempotency = new IdempotencyCache();
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly models: ModelCache;
  private readonly tools: ToolCache;
  private readonly bootstrap = new BootstrapCache((dir, files) =>
    log.warn(
      `workspace ${dir}: ${files.join(", ")} cut to fit the bootstrap budget; the model is told to read the rest`,
    ),
  );
  /** Memory indexes and skills of every agent (also read by the memory.* and skills.* methods). */
  readonly knowledge: AgentKnowledge;
  private seenConfig: RuntimeConfig;
  private inbox: Inbox | undefined;

  constructor(
    private readonly opts: {
      stateDir: string;
      config: () => RuntimeConfig;
      /** The chat apps: replies to replayed messages and the `message` tool go out here. */
      outbound?: OutboundPort;
      /** Agent tools plugins registered; read on every turn (plugins come and go on reload). */
      pluginTools?: () => readonly AgentTool[];
      /** Awaited before a turn reads its tools (MCP servers still connecting). */
      toolsReady?: () => Promise<void>;
    },
  ) {
    this.seenConfig = opts.config();
    this.scheduler = new TurnScheduler(
      this.seenConfig.agents?.defaults?.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
    );
    this.models = new ModelCache({ stateDir: opts.stateDir, config: opts.config });
    this.tools = new ToolCache(opts.pluginTools);
    this.knowledge = new AgentKnowledge({ stateDir: opts.stateDir, config: opts.config, watch: true });
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
    this.models.clear();
    this.tools.clear();
  }

  onRunEvent(listener: (e: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  defaultAgentId(): string {
    return resolveDefaultAgentId(this.opts.config().agents?.list);
  }

  /** The agent of a canonical session key (see routing's canonicalSessionKey). */
  agentFor(sessionKey: string): ResolvedAgent {
    const id = agentIdFromSessionKey(sessionKey) ?? this.defaultAgentId();
    return resolveAgent(this.opts.config(), id, this.opts.stateDir);
  }

  /** Runs `task` in the session's lane once its queued turns are done (a cron result committed to a chat). */
  afterQueuedTurns<T>(sessionKey: string, task: (canonicalKey: string) => Promise<T>): Promise<T> {
    const key = canonicalSessionKey(this.opts.config().agents?.list, sessionKey);
    return this.scheduler.run(key, () => task(key));
  }

  /** Compacts a session now, once its queued turns are done (`sessions.compact`); bounded by the agent's timeout. */
  compact(sessionKey: string): Promise<CompactOutcome> {
    return this.afterQueuedTurns(sessionKey, async (key) => {
      const agent = this.agentFor(key);
      return compactNow({
        store: await this.store(agent.id),
        models: this.models,
        agent,
        sessionKey: key,
        reserveTokensFloor: this.opts.config().agents?.defaults?.compaction?.reserveTokensFloor,
        signal: AbortSignal.timeout(agent.timeoutSeconds * 1000),
        log,
      });
    });
  }

  /** Turns counted against the queue caps (for status and tests). */
  queuedTurns(scope: "session" | "submitter", key: string): number {
    return this.admission.count(scope, key);
  }

  registry(): ModelRegistry {
    return this.models.registry();
  }

  /** The model chain for an agent (a session's /model override first). */
  modelChain(agent: ResolvedAgent, override?: string): ModelRef[] {
    return this.models.modelChain(agent, override);
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
    const sessionKey = canonicalSessionKey(this.opts.config().agents?.list, req.sessionKey);
    const seen = req.idempotencyKey ? this.idempotency.lookup(req.idempotencyKey) : undefined;
    if (seen) {
      const status = seen.finished ? "ok" : "in_flight";
      return {
        runId: seen.runId,
        sessionKey: seen.sessionKey,
        status,
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
    const command = handleChatCommand(trigger ? "/new" : req.text, { host: this, sessionKey, agent });
    // Caps before anything is journaled: a refused turn leaves no trace. Replays were
    // accepted before the restart; /stop and /help must get through a full queue.
    const release =
      req.replayOf !== undefined || command?.immediate
        ? () => undefined
        : this.admission.admit(sessionKey, req.submitter);
    if (command) return this.runCommand(command, { runId, sessionKey, emit, release });
    const handle = this.runTurn(req, { runId, sessionKey, agent, emit });
    void handle.done.finally(release).catch(() => undefined);
    if (req.idempotencyKey) this.idempotency.remember(req.idempotencyKey, handle);
    return handle;
  }

  /** A chat command's answer as a run: a final event with its text, or an error event. */
  private runCommand(
    command: ChatCommand,
    run: { runId: string; sessionKey: string; emit: (e: TurnEvent) => void; release: () => void },
  ): RunHandle {
    const { runId, sessionKey, emit } = run;
    // Started on the next turn of the event loop, so the caller's ack goes out before any
    // event; /stop does not wait behind the run it stops.
    const later = new Promise<void>((resolve) => setImmediate(resolve));
    const done = command.immediate
      ? later.then(command.run)
      : later.then(() => this.scheduler.run(sessionKey, command.run));
    const outcome = done.finally(run.release).then(
      (text): TurnOutcome => {
        const message = { role: "assistant" as const, content: [{ type: "text" as const, text }] };
        emit({ type: "final", text, message, usage: { ...NO_USAGE } });
        return { status: "ok", text };
      },
      (err: Error): TurnOutcome => {
        emit({ type: "error", message: err.message, kind: "command" });
        return { status: "error", text: err.message };
      },
    );
    return { runId, sessionKey, status: "started", accepted: Promise.resolve(), done: outcome };
  }

  /** Journals the message (unless it is a replay), then runs its turn in the session's queue. */
  private runTurn(
    req: ChatRequest,
    run: { runId: string; sessionKey: string; agent: ResolvedAgent; emit: (e: TurnEvent) => void },
  ): RunHandle {
    const { sessionKey, emit } = run;
    const replayed = req.replayOf !== undefined;
    const id = req.replayOf ?? run.runId;
    const journaled = this.inbox !== undefined && req.journal !== false;
    const accepted =
      journaled && !replayed ? this.inbox!.accept(journalEntry(id, sessionKey, req)) : Promise.resolve();
    const done = this.scheduler.run(sessionKey, async (): Promise<TurnOutcome> => {
      try {
        await accepted;
      } catch (err) {
        const message = `could not record the message: ${(err as Error).message}`;
        emit({ type: "error", message, kind: "storage" });
        return { status: "error", text: message };
      }
      try {
        const outcome = await this.execute(id, run.agent, { ...req, sessionKey }, emit);
        // A chat-app message is done only once its reply is out: marked done first, a crash
        // between the two would leave an acknowledged message unanswered and never replayed.
        await this.deliverReply(req, outcome);
        return outcome;
      } finally {
        if (journaled) this.inbox?.done(id);
      }
    });
    this.unfinished.set(id, req.text);
    const finished = () => this.unfinished.delete(id);
    void done.then(finished, finished);
    return { runId: id, sessionKey, status: "started", accepted, done };
  }

  /** The messages of turns queued or running (replays included). */
  unfinishedTexts(): Iterable<string> {
    return this.unfinished.values();
  }

  /** Sends a turn's answer (or why there is none) to the chat the message came from, if any. */
  private async deliverReply(req: ChatRequest, outcome: TurnOutcome): Promise<void> {
    const target = req.replyTo;
    if (!target) return;
    const text = replyText(outcome);
    if (!text.trim()) return;
    if (!this.opts.outbound) {
      log.error(`could not deliver the reply to ${target.channel}: no channels are wired`);
      return;
    }
    await this.opts.outbound.send(target, { text }).catch((err: Error) => {
      // The adapter already retried; the reply stays in the transcript for the user to see later.
      log.error(`could not deliver the reply to ${target.channel} ${target.to}: ${err.message}`);
    });
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

  /** Runs journaled messages again, in order; replies to chat-app messages go out through `outbound`. */
  replay(pending: InboxEntry[]): void {
    replayJournal(pending, {
      rerun: (entry) =>
        this.send({
          sessionKey: entry.sessionKey,
          text: entry.text,
          images: entry.images,
          idempotencyKey: entry.idempotencyKey,
          origin: entry.origin,
          // Entries from before `replyTo` was journaled answer the session origin's chat.
          replyTo: entry.replyTo ?? targetFromOrigin(entry.origin),
          replayOf: entry.id,
        }),
      drop: (id) => this.inbox?.done(id),
      log,
    });
  }

  /** The ids of the session's runs in progress (`sessions.list` rows say a run is going), and when the first began. */
  activeRunIds(sessionKey: string): string[] {
    return [...this.active].flatMap(([id, run]) => (run.sessionKey === sessionKey ? [id] : []));
  }
  runStartedAt(sessionKey: string): number | undefined {
    const starts = [...this.active.values()].flatMap((r) => (r.sessionKey === sessionKey ? [r.at] : []));
    return starts.length ? Math.min(...starts) : undefined;
  }

  /** Aborts the session's running turn (or one run id); returns how many were aborted. */
  abort(sessionKey: string, runId?: string): number {
    const key = canonicalSessionKey(this.opts.config().agents?.list, sessionKey);
    let n = 0;
    for (const [id, run] of this.active) {
      if (run.sessionKey === key && (!runId || id === runId)) {
        run.controller.abort();
        n++;
      }
    }
    return n;
  }

  /** One turn with its timeout, registered for `abort`. */
  private async execute(
    runId: string,
    agent: ResolvedAgent,
    req: ChatRequest,
    emit: (e: TurnEvent) => void,
  ): Promise<TurnOutcome> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error("timeout")), agent.timeoutSeconds * 1000);
    this.active.set(runId, { sessionKey: req.sessionKey, controller, at: Date.now() });
    try {
      // OpenClaw's rule: MEMORY.md only in the owner's direct sessions, never in a group.
      const includeLongTermMemory = sessionTypeOf(req.sessionKey) === "direct";
      const skills = await this.knowledge.skillsForTurn(agent);
      await this.opts.toolsReady?.();
      return await executeTurn(
        {
          store: await this.store(agent.id),
          models: this.models,
          tools: this.tools.forAgent(agent),
          bootstrap: await this.bootstrap.load(agent.workspace, {
            includeLongTermMemory,
            light: req.lightContext === true,
          }),
          skills,
          memoryFlush: resolveMemoryFlush(this.opts.config().agents?.defaults?.compaction?.memoryFlush),
          reserveTokensFloor: this.opts.config().agents?.defaults?.compaction?.reserveTokensFloor,
          memory: this.knowledge.memoryEnabled() ? () => this.knowledge.memory(agent)! : undefined,
          resetConfig: this.opts.config().session,
          outbound: this.opts.outbound,
          journaled: this.inbox !== undefined && req.journal !== false,
          log,
        },
        { runId, agent, req, signal: controller.signal, emit },
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
}

/** What a chat user sees for a turn: its answer, nothing when aborted, or why it failed. */
function replyText(outcome: TurnOutcome): string {
  if (outcome.status === "ok") return outcome.text;
  if (outcome.status === "aborted") return "";
  return `⚠️ ${outcome.text ? `${outcome.text}\n\n` : ""}(the assistant could not finish: see the gateway log)`;
}

/** The journal line for an accepted message. */
function journalEntry(id: string, sessionKey: string, req: ChatRequest): InboxEntry {
  return {
    type: "accepted",
    id,
    sessionKey,
    text: req.text,
    ...(req.images?.length ? { images: req.images } : {}),
    ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
    ...(req.origin ? { origin: req.origin } : {}),
    ...(req.replyTo ? { replyTo: req.replyTo } : {}),
    at: Date.now(),
  };
}
