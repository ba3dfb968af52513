import type { FastMode, ProvidersConfig, ThinkingLevel } from "../providers/index.js";
import type { SessionResetConfig } from "../sessions/reset.js";
import type { AgentsConfigView } from "./agent-config.js";
import type { KnowledgeConfig } from "./knowledge.js";
import type { OutboundTarget } from "./outbound.js";
import type { TurnEvent, TurnOutcome } from "./runner.js";

/** The shapes the agent runtime (./runtime.ts) takes and gives: its config view, a chat request, a run. */

export type RuntimeConfig = AgentsConfigView &
  ProvidersConfig &
  KnowledgeConfig & { session?: { dmScope?: string; resetTriggers?: string[] } & SessionResetConfig };

export interface ChatRequest {
  sessionKey: string;
  text: string;
  images?: { data: string; mimeType: string }[];
  idempotencyKey?: string;
  /** Where the message came from (kept on the session entry). */
  origin?: Record<string, unknown>;
  /** Where its reply goes in a chat app: journaled, so a replay after a crash answers the same place. */
  replyTo?: OutboundTarget;
  /** Per-run listener, in addition to the runtime-wide ones. */
  onEvent?: (event: TurnEvent) => void;
  /** Set when re-running a journaled message after a restart: its original run id. */
  replayOf?: string;
  /** Who sent it (a WS connection id, an HTTP client): caps the turns one client has in flight. */
  submitter?: string;
  /**
   * `false`: not written to the replay journal, because the caller keeps its own record
   * (a scheduled run is recorded as interrupted after a crash, never re-run blindly).
   */
  journal?: boolean;
  /** A model for this turn only (`provider/model`), ahead of the session's and the agent's; fallbacks still apply. */
  model?: string;
  /** Fast mode for this turn only (`chat.send { fastMode }`), ahead of the session's. */
  fastMode?: FastMode;
  /** Thinking level for this turn only (`chat.send { thinking }`), ahead of the session's. */
  thinkingLevel?: ThinkingLevel;
  /** Leaves the workspace bootstrap files (AGENTS.md, …) out of the system prompt: a cheap heartbeat or job turn. */
  lightContext?: boolean;
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
