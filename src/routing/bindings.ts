import { type AgentListEntry, knownAgentIds, resolveDefaultAgentId } from "./known-agents.js";
import {
  DEFAULT_ACCOUNT_ID,
  type DmScope,
  normalizeAgentId,
  type Peer,
  resolveSessionKey,
} from "./session-key.js";

/** One `bindings[]` entry of openclaw.json. */
export interface Binding {
  agentId: string;
  match: {
    channel: string;
    accountId?: string;
    peer?: { kind: "direct" | "dm" | "group" | "channel"; id: string };
    guildId?: string;
    teamId?: string;
  };
}

export { type AgentListEntry, resolveDefaultAgentId };

export interface RouteInput {
  bindings?: readonly Binding[];
  agents?: readonly AgentListEntry[];
  channel: string;
  accountId?: string;
  peer: Peer;
  /** The parent channel of a thread: a thread inherits its parent's binding. */
  parentPeer?: Peer;
  guildId?: string;
  teamId?: string;
  dmScope?: DmScope;
  threadId?: string;
  identityLinks?: Record<string, readonly string[]>;
}

export type MatchedBy =
  | "binding.peer"
  | "binding.peer.parent"
  | "binding.guild"
  | "binding.team"
  | "binding.account"
  | "binding.channel"
  | "default";

export interface Route {
  agentId: string;
  sessionKey: string;
  matchedBy: MatchedBy;
}

const normalizeKind = (kind: string) => (kind === "dm" ? "direct" : kind);
const samePeer = (a: Binding["match"]["peer"], b: Peer | undefined) =>
  a !== undefined && b !== undefined && normalizeKind(a.kind) === b.kind && a.id.trim() === b.id.trim();

/**
 * Picks the agent for an inbound message in OpenClaw's order: peer, parent peer
 * (threads), guild, team, account, channel-wide (`accountId: "*"`), default agent.
 * The first binding in config order wins within a tier. A binding whose `match`
 * omits `accountId` applies to the default account only.
 */
export function resolveAgentRoute(input: RouteInput): Route {
  const channel = input.channel.toLowerCase();
  const accountId = input.accountId?.trim() || DEFAULT_ACCOUNT_ID;
  const known = knownAgentIds(input.agents);
  const candidates = (input.bindings ?? []).filter((b) => {
    if (b.match.channel?.toLowerCase() !== channel) return false;
    const wanted = b.match.accountId?.trim();
    return wanted === "*" || (wanted || DEFAULT_ACCOUNT_ID) === accountId;
  });
  const tiers: [MatchedBy, (b: Binding) => boolean][] = [
    ["binding.peer", (b) => samePeer(b.match.peer, input.peer)],
    ["binding.peer.parent", (b) => samePeer(b.match.peer, input.parentPeer)],
    ["binding.guild", (b) => !b.match.peer && !!b.match.guildId && b.match.guildId === input.guildId],
    ["binding.team", (b) => !b.match.peer && !!b.match.teamId && b.match.teamId === input.teamId],
    ["binding.account", (b) => isAccountOnly(b) && b.match.accountId?.trim() !== "*"],
    ["binding.channel", (b) => isAccountOnly(b) && b.match.accountId?.trim() === "*"],
  ];
  let agentId = resolveDefaultAgentId(input.agents);
  let matchedBy: MatchedBy = "default";
  for (const [tier, test] of tiers) {
    const hit = candidates.find(test);
    if (!hit) continue;
    const id = normalizeAgentId(hit.agentId);
    // A binding to an agent missing from agents.list (without a list: any but `main`)
    // falls back to the default agent, as the gateway refuses unknown agents everywhere.
    if (known.includes(id)) agentId = id;
    matchedBy = tier;
    break;
  }
  const sessionKey = resolveSessionKey({
    agentId,
    channel,
    accountId,
    peer: input.peer,
    dmScope: input.dmScope,
    threadId: input.threadId,
    identityLinks: input.identityLinks,
  });
  return { agentId, sessionKey, matchedBy };
}

function isAccountOnly(b: Binding): boolean {
  return !b.match.peer && !b.match.guildId && !b.match.teamId;
}
