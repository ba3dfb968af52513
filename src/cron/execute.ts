import type { OutboundPort, OutboundTarget } from "../agents/outbound.js";
import type { ChatRequest, RunHandle } from "../agents/runtime.js";
import type { Logger } from "../infra/logger.js";
import { type Clock, sleep } from "./clock.js";
import type { ConversationPort } from "./conversation.js";
import type { CronJob, JobExecutor, RunResult } from "./types.js";

/** What the scheduler needs of the agents (AgentRuntime has it; tests pass a fake). */
export interface CronAgentPort {
  defaultAgentId(): string;
  send(req: ChatRequest): RunHandle;
  abort(sessionKey: string, runId?: string): number;
}

/**
 * Attempts per delivery, and the waits between them: a chat app that blips (a 502, a
 * reconnect) gets the message on a later try; past that the failure is recorded on the run.
 */
export const DELIVERY_RETRY_DELAYS_MS = [1_000, 5_000] as const;

/** Replies that mean "nothing to say": never announced (OpenClaw's suppression tokens). */
const SILENT_REPLIES = new Set(["NO_REPLY", "HEARTBEAT_OK"]);

export function isSilentReply(text: string): boolean {
  return text.trim() === "" || SILENT_REPLIES.has(text.trim());
}

/** Messages of its conversation a `current` job's run sees: enough for context, bounded in tokens. */
export const CURRENT_CONTEXT_MESSAGES = 20;

/**
 * The session of a `session:<key>` job: a full `agent:…` key as given (only an operator can
 * set one: the cron tool refuses them), a bare name under `agent:<agentId>:session:`, where
 * it cannot be the main session or a chat's.
 */
export function customSessionKey(agentId: string, key: string): string {
  return key.startsWith("agent:") ? key : `agent:${agentId}:session:${key}`.toLowerCase();
}

/** The session of a job's isolated runs: `agent:<agentId>:cron:<jobId>` (OpenClaw's shape). */
export function cronSessionKey(agentId: string, jobId: string): string {
  return `agent:${agentId}:cron:${jobId}`.toLowerCase();
}

/**
 * Runs a job's payload through the agents: an agent turn in the job's own session (a fresh
 * session id per run, like OpenClaw's isolated runs) or a system event into the agent's
 * main session; then announces the reply where the job says, retrying a failed send.
 */
export function createJobExecutor(deps: {
  agents: CronAgentPort;
  outbound: OutboundPort;
  /** The heartbeat: a system event waits for its next run, or wakes it (`wakeMode`). */
  systemEvents: { post(text: string, mode: "now" | "next-heartbeat", agentId: string): void };
  /** The conversations `current` jobs belong to. */
  conversations: ConversationPort;
  clock: Clock;
  log: Logger;
}): JobExecutor {
  return async (job, { runId, signal }) => {
    const agentId = job.agentId ?? deps.agents.defaultAgentId();
    if (job.payload.kind === "systemEvent") {
      deps.systemEvents.post(job.payload.text, job.wakeMode, agentId);
      const summary = job.wakeMode === "now" ? "posted; heartbeat woken" : "posted for the next heartbeat";
      return { status: "ok", summary, sessionKey: `agent:${agentId}:main`, deliveryStatus: "not-requested" };
    }
    const custom = job.sessionTarget.startsWith("session:") ? job.sessionTarget.slice(8) : undefined;
    // A session:<name> job builds on its own session; isolated and current runs start fresh each time.
    const sessionKey = custom ? customSessionKey(agentId, custom) : cronSessionKey(agentId, job.id);
    if (!custom) await deps.agents.send({ sessionKey, text: "/new", journal: false }).done;
    const bound = job.sessionTarget === "current" ? job.sessionKey : undefined;
    const text = bound
      ? withConversation(await deps.conversations.tail(bound, CURRENT_CONTEXT_MESSAGES), job.payload.message)
      : job.payload.message;
    const handle = deps.agents.send({
      sessionKey,
      text,
      idempotencyKey: `cron:${runId}`,
      submitter: `cron:${job.id}`,
      journal: false,
      // `--model`: the job's primary for this run; the agent's fallbacks still apply (OpenClaw's rule).
      ...(job.payload.model ? { model: job.payload.model } : {}),
    });
    const stop = () => deps.agents.abort(handle.sessionKey, handle.runId);
    signal.addEventListener("abort", stop, { once: true });
    const outcome = await handle.done.finally(() => signal.removeEventListener("abort", stop));
    const base = { sessionKey: handle.sessionKey, summary: outcome.text };
    if (outcome.status !== "ok") {
      return {
        ...base,
        status: "error",
        error: outcome.text || `the agent turn ended ${outcome.status}`,
        deliveryStatus: "not-delivered",
      };
    }
    const delivered = bound
      ? await deliverToConversation(job, bound, outcome.text, deps, signal)
      : await deliver(job, outcome.text, deps, signal);
    // A failed announcement fails the run (recorded, alerting) unless the job says best effort.
    const failed = delivered.deliveryError !== undefined && !job.delivery?.bestEffort;
    return failed
      ? { ...base, ...delivered, status: "error", error: delivered.deliveryError }
      : { ...base, ...delivered, status: "ok" };
  };
}

/** A `current` run's message: the conversation's recent messages, then the job's own. */
function withConversation(tail: readonly string[], message: string): string {
  if (tail.length === 0) return message;
  return [
    "Recent messages of the conversation this scheduled job belongs to (oldest first):",
    ...tail,
    "",
    "The scheduled task:",
    message,
  ].join("\n");
}

/**
 * A `current` job's result (OpenClaw's rule): committed into its conversation (after any
 * turn running there), then announced to the job's own target, or else to the chat that
 * conversation lives in; a conversation with no chat app (WebChat) has it once committed.
 */
async function deliverToConversation(
  job: CronJob,
  bound: string,
  text: string,
  deps: { outbound: OutboundPort; conversations: ConversationPort; clock: Clock; log: Logger },
  signal: AbortSignal,
): Promise<Pick<RunResult, "deliveryStatus" | "deliveryError">> {
  if (job.delivery?.mode === "none") return { deliveryStatus: "not-requested" };
  if (isSilentReply(text)) return { deliveryStatus: "not-delivered" };
  try {
    await deps.conversations.commit(bound, text);
  } catch (err) {
    return {
      deliveryStatus: "not-delivered",
      deliveryError: `could not add the result to ${bound}: ${(err as Error).message}`,
    };
  }
  const explicit = job.delivery?.channel && job.delivery.to;
  const target = explicit ? targetOf(job) : await deps.conversations.route(bound);
  if (!target) return { deliveryStatus: "delivered" };
  return send(job, target, text, deps, signal);
}

function targetOf(job: CronJob): OutboundTarget | undefined {
  const delivery = job.delivery;
  if (!delivery?.channel || !delivery.to) return undefined;
  return {
    channel: delivery.channel,
    to: delivery.to,
    ...(delivery.accountId ? { accountId: delivery.accountId } : {}),
  };
}

async function deliver(
  job: CronJob,
  text: string,
  deps: { outbound: OutboundPort; clock: Clock; log: Logger },
  signal: AbortSignal,
): Promise<Pick<RunResult, "deliveryStatus" | "deliveryError">> {
  const delivery = job.delivery;
  if (!delivery || delivery.mode === "none") return { deliveryStatus: "not-requested" };
  if (isSilentReply(text)) return { deliveryStatus: "not-delivered" };
  const target = targetOf(job);
  if (!target) {
    return {
      deliveryStatus: "not-delivered",
      deliveryError: "no delivery target: set delivery.channel and delivery.to (--channel, --to)",
    };
  }
  return send(job, target, text, deps, signal);
}

/** Sends with the retries of DELIVERY_RETRY_DELAYS_MS; the last error is recorded, never dropped. */
async function send(
  job: CronJob,
  target: OutboundTarget,
  text: string,
  deps: { outbound: OutboundPort; clock: Clock; log: Logger },
  signal: AbortSignal,
): Promise<Pick<RunResult, "deliveryStatus" | "deliveryError">> {
  let lastError = "";
  for (let attempt = 0; attempt <= DELIVERY_RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) await sleep(deps.clock, DELIVERY_RETRY_DELAYS_MS[attempt - 1]!, signal);
    if (signal.aborted) break;
    try {
      await deps.outbound.send(target, { text });
      return { deliveryStatus: "delivered" };
    } catch (err) {
      lastError = (err as Error).message;
      deps.log.warn(
        `job ${job.id}: delivery to ${target.channel} failed (attempt ${attempt + 1}): ${lastError}`,
      );
    }
  }
  return {
    deliveryStatus: "not-delivered",
    deliveryError: `delivery to ${target.channel} failed: ${lastError}`,
  };
}
