import type { OutboundPort, OutboundTarget } from "../agents/outbound.js";
import type { HeartbeatConfig } from "../config/schema/heartbeat.js";
import type { Logger } from "../infra/logger.js";
import type { Clock } from "./clock.js";
import type { CronAgentPort } from "./execute.js";
import { type OwnerConfigView, ownerRoute, resolveOwnerTarget } from "./heartbeat-owner.js";
import {
  type HeartbeatSettings,
  heartbeatReply,
  heartbeatSettings,
  inActiveHours,
  isEffectivelyEmpty,
} from "./heartbeat-rules.js";

/** OpenClaw's default limit for one heartbeat turn, in seconds. */
export const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 300;
/** A heartbeat that finds its session busy tries again after this long, not at the next interval. */
export const BUSY_RETRY_MS = 60_000;
/** System events waiting for the next heartbeat, per agent: past this the oldest are dropped (and logged). */
export const MAX_PENDING_EVENTS = 100;

export type HeartbeatStatus = "sent" | "ok-token" | "no-reply" | "empty" | "skipped" | "failed";

/** What `last-heartbeat` answers and the `heartbeat` event carries. */
export interface HeartbeatEvent {
  ts: number;
  agentId: string;
  status: HeartbeatStatus;
  reason?: string;
  preview?: string;
  channel?: string;
  to?: string;
  durationMs?: number;
}

export interface HeartbeatAgentsView extends OwnerConfigView {
  agents?: {
    defaults?: { heartbeat?: HeartbeatConfig };
    list?: { id: string; default?: boolean; heartbeat?: HeartbeatConfig }[];
  };
}

export interface HeartbeatDeps {
  agents: CronAgentPort & { queuedTurns(scope: "session", key: string): number };
  outbound: OutboundPort;
  clock: Clock;
  config: () => HeartbeatAgentsView;
  /** The agent's HEARTBEAT.md (appended to the heartbeat prompt), or undefined when there is none. */
  readChecklist(agentId: string): Promise<string | undefined>;
  /** Where the agent's main session last talked (target `last`; `owner` reuses its account when it is the owner's DM). */
  lastRoute(agentId: string): Promise<OutboundTarget | undefined>;
  onEvent?: (event: HeartbeatEvent) => void;
  log: Logger;
}

/**
 * The heartbeat: each agent with one wakes every `every`, inside its active hours, when
 * its session is not busy; a reply that only acknowledges is dropped, an alert goes to the
 * target. System events (`wake`, main-session cron jobs) ride on the next one, or wake it now.
 */
export class Heartbeat {
  private readonly timers = new Map<string, () => void>();
  private readonly pending = new Map<string, string[]>();
  private readonly runningAgents = new Set<string>();
  /** Agents whose missing route was already logged: said once, not every 30 minutes. */
  private readonly noRouteLogged = new Set<string>();
  private last: HeartbeatEvent | undefined;
  private enabled = true;
  private started = false;

  constructor(private readonly deps: HeartbeatDeps) {}

  /** Agents that have a heartbeat: those with their own block, else the default agent (OpenClaw's rule). */
  agents(): { id: string; settings: HeartbeatSettings }[] {
    const agents = this.deps.config().agents;
    const defaults = agents?.defaults?.heartbeat;
    const list = agents?.list ?? [];
    const own = list.filter((a) => a.heartbeat);
    const chosen = own.length > 0 ? own : [{ id: this.deps.agents.defaultAgentId(), heartbeat: undefined }];
    return chosen.map((a) => ({ id: a.id, settings: heartbeatSettings(defaults, a.heartbeat) }));
  }

  start(): void {
    this.started = true;
    for (const { id } of this.agents()) this.schedule(id);
  }

  stop(): void {
    this.started = false;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /** `set-heartbeats`: pauses or resumes every agent's heartbeat. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (enabled && this.started) this.start();
    else if (!enabled) for (const cancel of this.timers.values()) cancel();
  }

  lastEvent(): HeartbeatEvent | undefined {
    return this.last;
  }

  /** Queues a system event for the agent's next heartbeat; `now` runs that heartbeat at once. */
  post(text: string, mode: "now" | "next-heartbeat", agentId = this.deps.agents.defaultAgentId()): void {
    const queue = this.pending.get(agentId) ?? [];
    queue.push(text);
    if (queue.length > MAX_PENDING_EVENTS) {
      queue.shift();
      this.deps.log.warn(
        `agent ${agentId}: more than ${MAX_PENDING_EVENTS} system events waiting; dropped the oldest`,
      );
    }
    this.pending.set(agentId, queue);
    if (mode === "now") void this.runOnce(agentId, "wake");
  }

  private schedule(agentId: string, delayMs?: number): void {
    this.timers.get(agentId)?.();
    this.timers.delete(agentId);
    if (!this.started || !this.enabled) return;
    const settings = this.agents().find((a) => a.id === agentId)?.settings;
    if (!settings || settings.everyMs <= 0) return;
    const cancel = this.deps.clock.setTimer(
      () => void this.runOnce(agentId, "interval"),
      delayMs ?? settings.everyMs,
    );
    this.timers.set(agentId, cancel);
  }

  /** One heartbeat; resolves with what happened (also kept for `last-heartbeat`). */
  async runOnce(agentId: string, reason: "interval" | "wake"): Promise<HeartbeatEvent> {
    const started = this.deps.clock.now();
    const settings =
      this.agents().find((a) => a.id === agentId)?.settings ?? heartbeatSettings(undefined, undefined);
    const sessionKey = settings.isolatedSession ? `agent:${agentId}:heartbeat` : `agent:${agentId}:main`;
    const record = (event: Omit<HeartbeatEvent, "ts" | "agentId">, retryMs?: number) => {
      const full = { ts: started, agentId, ...event, durationMs: this.deps.clock.now() - started };
      this.last = full;
      this.deps.log.info(`${agentId}: ${full.status}${full.reason ? ` (${full.reason})` : ""}`);
      this.deps.onEvent?.(full);
      this.schedule(agentId, retryMs);
      return full;
    };
    if (this.runningAgents.has(agentId)) return record({ status: "skipped", reason: "already-running" });
    if (!inActiveHours(started, settings.activeHours))
      return record({ status: "skipped", reason: "quiet-hours" });
    // Busy with a chat turn: the user comes first; try again soon.
    if (this.deps.agents.queuedTurns("session", sessionKey) > 0) {
      return record({ status: "skipped", reason: "requests-in-flight" }, BUSY_RETRY_MS);
    }
    const events = this.pending.get(agentId) ?? [];
    const checklist = await this.deps.readChecklist(agentId);
    if (
      events.length === 0 &&
      reason === "interval" &&
      checklist !== undefined &&
      isEffectivelyEmpty(checklist)
    ) {
      return record({ status: "skipped", reason: "empty-heartbeat-file" });
    }
    // Where an alert would go is settled before the model is paid for (OpenClaw: reason=no-route).
    const route = await this.route(agentId, settings);
    if (route === undefined) return record({ status: "skipped", reason: "no-route" });
    this.pending.delete(agentId);
    this.runningAgents.add(agentId);
    try {
      const text = heartbeatText(events, settings.prompt, checklist);
      const outcome = await this.turn(sessionKey, text, settings);
      if (outcome.status !== "ok")
        return record({ status: "failed", reason: outcome.text || outcome.status });
      const reply = heartbeatReply(outcome.text, settings.ackMaxChars);
      if (!reply.send) return record({ status: reply.reason });
      return record(await this.deliver(agentId, reply.text, route));
    } finally {
      this.runningAgents.delete(agentId);
    }
  }

  private async turn(sessionKey: string, text: string, settings: HeartbeatSettings) {
    const handle = this.deps.agents.send({
      sessionKey,
      text,
      submitter: "heartbeat",
      journal: false,
      ...(settings.model ? { model: settings.model } : {}),
      ...(settings.lightContext ? { lightContext: true } : {}),
    });
    const seconds = settings.timeoutSeconds ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS;
    const cancel = this.deps.clock.setTimer(
      () => this.deps.agents.abort(handle.sessionKey, handle.runId),
      seconds * 1000,
    );
    try {
      return await handle.done;
    } finally {
      cancel();
    }
  }

  /**
   * Where this agent's alerts go: `none`, the owner's DM, the last conversation, or a named
   * channel and `to`. Undefined when nothing resolves; logged once per agent until it does.
   */
  private async route(
    agentId: string,
    settings: HeartbeatSettings,
  ): Promise<OutboundTarget | "none" | undefined> {
    if (settings.target === "none") return "none";
    let target: OutboundTarget | undefined;
    let fix: string;
    if (settings.target === "owner") {
      const owner = resolveOwnerTarget(this.deps.config());
      target = owner && ownerRoute(owner, await this.deps.lastRoute(agentId));
      fix =
        'set commands.ownerAllowFrom (e.g. ["telegram:123456789"]) or a channel allowFrom, or heartbeat.target "last" or "none"';
    } else if (settings.target === "last") {
      target = await this.deps.lastRoute(agentId);
      fix = "the main session has not talked in a chat app yet";
    } else {
      target = settings.to
        ? {
            channel: settings.target,
            to: settings.to,
            ...(settings.accountId ? { accountId: settings.accountId } : {}),
          }
        : undefined;
      fix = `set heartbeat.to, the recipient on ${settings.target}`;
    }
    if (target) {
      this.noRouteLogged.delete(agentId);
      return target;
    }
    if (!this.noRouteLogged.has(agentId)) {
      this.noRouteLogged.add(agentId);
      this.deps.log.warn(
        `${agentId}: heartbeat target "${settings.target}" resolves to no chat, so heartbeats are skipped: ${fix}`,
      );
    }
    return undefined;
  }

  private async deliver(
    agentId: string,
    text: string,
    target: OutboundTarget | "none",
  ): Promise<Omit<HeartbeatEvent, "ts" | "agentId">> {
    const preview = text.slice(0, 200);
    if (target === "none") return { status: "skipped", reason: "target-none", preview };
    try {
      await this.deps.outbound.send(target, { text });
      return { status: "sent", preview, channel: target.channel, to: target.to };
    } catch (err) {
      this.deps.log.warn(
        `heartbeat alert for ${agentId} not delivered to ${target.channel}: ${(err as Error).message}`,
      );
      return {
        status: "failed",
        reason: `delivery: ${(err as Error).message}`,
        preview,
        channel: target.channel,
        to: target.to,
      };
    }
  }
}

/**
 * The heartbeat's user message: waiting system events, the prompt (verbatim), then the
 * HEARTBEAT.md checklist when there is one, as OpenClaw appends the monitor scratch.
 */
export function heartbeatText(
  events: readonly string[],
  prompt: string,
  checklist: string | undefined,
): string {
  const parts = [...events.map((e) => `System: ${e}`), prompt];
  if (checklist?.trim()) parts.push(`HEARTBEAT.md:\n${checklist.trim()}`);
  return parts.join("\n\n");
}
