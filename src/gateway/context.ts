import type { McpManager } from "../agents/mcp/index.js";
import type { AgentRuntime } from "../agents/runtime.js";
import type { ChannelManager } from "../channels/manager.js";
import type { ConfigSnapshot } from "../config/load.js";
import type { ConfigReloader } from "../config/reload.js";
import type { Heartbeat } from "../cron/heartbeat.js";
import type { CronService } from "../cron/service.js";
import type { AuthMode } from "../infra/shared-secret.js";
import type { PluginHost } from "../plugins/host.js";
import type { ClientPresence, EventSubscriptions } from "./events.js";

/** The connected clients as methods see them: their subscriptions and presence, and the state versions. */
export interface GatewayClients {
  /** The event subscriptions of the connection a call came from (undefined once it closed). */
  subscriptions(connId: string): EventSubscriptions | undefined;
  /** Every connected client as a presence entry (this gateway's own entry is `selfPresence`). */
  presence(): ClientPresence[];
  /** Versions of the presence list and the health snapshot (hello-ok and their events carry them). */
  versions(): { presence: number; health: number };
  /** A fresh `health` snapshot: bumps its version and sends the `health` event (as OpenClaw does on every refresh). */
  publishHealth(snapshot: unknown): void;
  /**
   * OpenClaw's `sessions.changed` after a session was patched, archived, reset or deleted,
   * to the connections that called `sessions.subscribe` (an open sidebar redraws at once).
   */
  publishSessionsChanged(payload: SessionsChangedPayload): void;
  /** The `Origin` header a connection's WebSocket came with (a browser page; the gateway checked it). */
  browserOrigin(connId: string): string | undefined;
  /** Sends an event to that one connection (a Talk relay's audio goes only to the call's owner). */
  sendTo(connId: string, event: string, payload: unknown): void;
  /** Runs `cleanup` once when that connection closes (at once if it is gone); returns a way to cancel it. */
  onDisconnect(connId: string, cleanup: () => void): () => void;
}

/** What `sessions.changed` carries (OpenClaw's names); `session` is the row as `sessions.list` shows it. */
export interface SessionsChangedPayload {
  reason: string;
  sessionKey?: string;
  sessionId?: string;
  agentId?: string;
  session?: unknown;
}

/**
 * What the gateway's own RPC methods and HTTP routes may know about the running gateway.
 * Every part is there (tests pass fakes); plugins never see this (infra/rpc.ts).
 */
export interface GatewayContext {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly stateDir: string;
  config(): ConfigSnapshot;
  listening(): { bind: string; hosts: string[]; port: number } | undefined;
  authMode(): AuthMode;
  /** Ready when config is loaded and every enabled channel has started; else the reasons. */
  readiness(): { ready: boolean; failing: string[] };
  clientCount(): number;
  readonly clients: GatewayClients;
  logFile(): string | undefined;
  /** Owns the running config and applies edits (config.* methods). */
  readonly configReloader: ConfigReloader;
  /** Agents, sessions and chat (chat.*, sessions.*, models.list). */
  readonly agents: AgentRuntime;
  /** Chat channels (channels.*, pairing.*). */
  readonly channels: ChannelManager;
  /** MCP servers the agents take tools from (mcp.status). */
  readonly mcp: McpManager;
  /** Loaded plugins (plugins.list, health). */
  readonly plugins: PluginHost;
  /** Scheduled jobs (cron.*), the file they live in, and the heartbeat (wake, last-heartbeat). */
  readonly cron: { readonly service: CronService; readonly storePath: string; readonly heartbeat: Heartbeat };
}
