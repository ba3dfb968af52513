import { useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { chatLink } from "../util.js";
import { newSessionKey, useAgents } from "./agents.js";
import { useActivity } from "./chat-activity.js";
import { SessionSidebar } from "./session-sidebar.js";

/** Opens `key` in Chat (the chat reads it from the hash as it opens). */
const openInChat = (key: string) => {
  location.hash = chatLink(key);
};

/**
 * The sessions list in the navigation column on screens other than Chat (the chat renders
 * its own there): the same list, none of it open; choosing one, or "+", opens it in Chat.
 */
export function NavSessions({ conn }: { conn: GatewayConnection }) {
  const agents = useAgents(conn);
  const [agentId, setAgentId] = useState<string>();
  const agent = agentId ?? agents[0] ?? "main";
  const activity = useActivity(conn, "");
  return (
    <SessionSidebar
      conn={conn}
      agent={agent}
      agents={agents}
      onAgent={setAgentId}
      current=""
      onSelect={openInChat}
      onNew={() => openInChat(newSessionKey(agent))}
      running={activity.running}
      unread={activity.unread}
      refresh={activity.ended}
      onRows={activity.seed}
    />
  );
}
