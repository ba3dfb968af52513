/**
 * Session keys, as OpenClaw forms them (src/routing/session-key.ts there), so a
 * state dir moves between the two unchanged:
 *   DM, dmScope main              agent:<agentId>:main
 *   DM, per-peer                  agent:<agentId>:direct:<peerId>
 *   DM, per-channel-peer          agent:<agentId>:<channel>:direct:<peerId>
 *   DM, per-account-channel-peer  agent:<agentId>:<channel>:<accountId>:direct:<peerId>
 *   group / channel               agent:<agentId>:<channel>:<group|channel>:<id>
 *   thread                        <parent key>:thread:<threadId>
 *   Telegram forum topic          <group key>:topic:<threadId>
 * Keys are lower-cased.
 */
import { DEFAULT_AGENT_ID, normalizeAgentId } from "./agent-id.js";
import {
  type AgentListEntry,
  InvalidSessionKeyError,
  resolveDefaultAgentId,
  resolveKnownAgentId,
} from "./known-agents.js";

export { DEFAULT_AGENT_ID, normalizeAgentId };

export const DEFAULT_ACCOUNT_ID = "default";
export const MAIN_KEY = "main";

export const DM_SCOPES = ["main", "per-peer", "per-channel-peer", "per-account-channel-peer"] as const;
export type DmScope = (typeof DM_SCOPES)[number];

export type PeerKind = "direct" | "group" | "channel";

export interface Peer {
  kind: PeerKind;
  id: string;
}

export function mainSessionKey(agentId: string): string {
  return `agent:${normalizeAgentId(agentId)}:${MAIN_KEY}`;
}

export interface SessionKeyInput {
  agentId: string;
  channel: string;
  accountId?: string;
  peer: Peer;
  dmScope?: DmScope;
  threadId?: string;
  /** `session.identityLinks`: canonical name → ["<channel>:<peerId>", …]; a linked peer uses the name. */
  identityLinks?: Record<string, readonly string[]>;
}

export function resolveSessionKey(input: SessionKeyInput): string {
  const agentId = normalizeAgentId(input.agentId);
  const channel = (input.channel.trim() || "unknown").toLowerCase();
  const accountId = (input.accountId?.trim() || DEFAULT_ACCOUNT_ID).toLowerCase();
  let key: string;
  if (input.peer.kind === "direct") {
    const peerId = linkedIdentity(input.identityLinks, channel, input.peer.id) ?? input.peer.id.trim();
    switch (input.dmScope ?? "main") {
      case "main":
        key = `agent:${agentId}:${MAIN_KEY}`;
        break;
      case "per-peer":
        key = `agent:${agentId}:direct:${peerId}`;
        break;
      case "per-channel-peer":
        key = `agent:${agentId}:${channel}:direct:${peerId}`;
        break;
      case "per-account-channel-peer":
        key = `agent:${agentId}:${channel}:${accountId}:direct:${peerId}`;
        break;
    }
  } else {
    key = `agent:${agentId}:${channel}:${input.peer.kind}:${input.peer.id.trim()}`;
  }
  // OpenClaw names Telegram's threads (forum topics) "topic".
  if (input.threadId) key += `:${channel === "telegram" ? "topic" : "thread"}:${input.threadId.trim()}`;
  return key.toLowerCase();
}

function linkedIdentity(
  links: Record<string, readonly string[]> | undefined,
  channel: string,
  peerId: string,
): string | undefined {
  if (!links) return undefined;
  const wanted = `${channel}:${peerId.trim()}`.toLowerCase();
  for (const [name, ids] of Object.entries(links)) {
    if (ids.some((id) => id.trim().toLowerCase() === wanted)) return name;
  }
  return undefined;
}

/** The agent a session key belongs to (`agent:<id>:…`), if it is an agent key. */
export function agentIdFromSessionKey(key: string): string | undefined {
  const m = /^agent:([^:]+):/.exec(key);
  return m?.[1];
}

const AGENT_KEY = /^agent:([^:]*):(.+)$/;

/**
 * A session key from outside (WS methods, the OpenAI endpoint, the CLI, plugins) in its
 * canonical form, with its agent checked (the one check, in known-agents.ts):
 * `main` or "" → the default agent's main session; a plain name → under the default
 * agent; `agent:<id>:<rest>` → lower-cased with the id normalized, if the agent exists.
 * Throws UnknownAgentError or InvalidSessionKeyError.
 */
export function canonicalSessionKey(agents: readonly AgentListEntry[] | undefined, raw: string): string {
  const key = raw.trim().toLowerCase();
  if (key === MAIN_KEY || key === "") return mainSessionKey(resolveDefaultAgentId(agents));
  if (!key.startsWith("agent:")) return `agent:${resolveDefaultAgentId(agents)}:${key}`;
  const m = AGENT_KEY.exec(key);
  if (!m?.[1]) throw new InvalidSessionKeyError(raw);
  return `agent:${resolveKnownAgentId(agents, m[1])}:${m[2]}`;
}

/**
 * The session a request names by agent and/or session (CLI `--agent`/`--session`, the
 * `agent` method): the session when it is given and not plain `main`, else that agent's
 * main session, else `main`. Not checked: pass the result to canonicalSessionKey.
 */
export function requestedSessionKey(req: { agentId?: string; sessionKey?: string }): string {
  const session = req.sessionKey?.trim();
  if (session && (session.toLowerCase() !== MAIN_KEY || !req.agentId)) return session;
  return req.agentId ? `agent:${req.agentId}:${MAIN_KEY}` : MAIN_KEY;
}
