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

export const DEFAULT_AGENT_ID = "main";
export const DEFAULT_ACCOUNT_ID = "default";
export const MAIN_KEY = "main";

export const DM_SCOPES = ["main", "per-peer", "per-channel-peer", "per-account-channel-peer"] as const;
export type DmScope = (typeof DM_SCOPES)[number];

export type PeerKind = "direct" | "group" | "channel";

export interface Peer {
  kind: PeerKind;
  id: string;
}

/** `^[a-z0-9][a-z0-9_-]{0,63}$`: other characters become `-`; empty becomes `main`. */
export function normalizeAgentId(raw: string | undefined): string {
  const cleaned = (raw ?? "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, 64);
  return cleaned || DEFAULT_AGENT_ID;
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
