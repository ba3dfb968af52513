import { useEffect, useState } from "preact/hooks";
import { type GatewayConnection, randomId } from "../gateway.js";

export interface SessionRow {
  key: string;
  sessionId: string;
  updatedAt: number;
  totalTokens?: number;
  model?: string;
  channel?: string;
  displayName?: string;
  /** The session's runs in progress when the page was fetched (OpenClaw's field). */
  activeRunIds?: string[];
  /** Pinned (listed first) and unread, as the gateway keeps them (OpenClaw's fields). */
  pinned?: boolean;
  unread?: boolean;
  markedUnreadAt?: number;
}

interface AgentEntry {
  id?: string;
  default?: boolean;
}

/** Agent ids from the running config (`agents.list`), the default one first; `main` when none. */
export function useAgents(conn: GatewayConnection): string[] {
  const [agents, setAgents] = useState<string[]>(["main"]);
  useEffect(() => {
    conn
      .request<{ resolved?: { agents?: { list?: AgentEntry[] } } }>("config.get", {})
      .then((res) => {
        const list = (res.resolved?.agents?.list ?? []).filter(
          (a): a is AgentEntry & { id: string } => !!a.id,
        );
        if (list.length === 0) return;
        const first = list.find((a) => a.default) ?? list[0]!;
        setAgents([first.id, ...list.filter((a) => a !== first).map((a) => a.id)]);
      })
      .catch(() => undefined);
  }, [conn]);
  return agents;
}

export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}

/** A new session of the Control UI's own under `agentId` (what "+" opens). */
export function newSessionKey(agentId: string): string {
  return `agent:${agentId}:ui-${randomId().slice(0, 8)}`;
}

export interface SessionPage {
  sessions: SessionRow[];
  totalCount: number;
  hasMore: boolean;
  nextCursor?: string;
}

/** One page of sessions, newest first (`cursor` from the previous page; `search` in key, label, channel). */
export function listSessionPage(
  conn: GatewayConnection,
  agentId: string,
  q: { limit: number; cursor?: string; search?: string },
): Promise<SessionPage> {
  return conn.request<SessionPage>("sessions.list", {
    agentId,
    limit: q.limit,
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.search ? { search: q.search } : {}),
  });
}
