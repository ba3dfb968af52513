import { absentFeatureMethods } from "./absent-features.js";
import { agentMethods } from "./agents.js";
import { channelMethods } from "./channels.js";
import { chatMethods } from "./chat.js";
import { configMethods } from "./config.js";
import { cronMethods, heartbeatMethods } from "./cron.js";
import { healthMethods } from "./health.js";
import { knowledgeMethods } from "./knowledge.js";
import { logMethods } from "./logs.js";
import { mcpMethods } from "./mcp.js";
import { modelMethods } from "./models.js";
import { sendMethods } from "./send.js";
import { sessionActionMethods } from "./session-actions.js";
import { sessionBranchMethods } from "./session-branches.js";
import { sessionGroupMethods } from "./session-groups.js";
import { sessionSearchMethods } from "./session-search.js";
import { sessionMethods } from "./sessions.js";
import { talkMethods } from "./talk.js";
import { talkRelayMethods } from "./talk-relay.js";
import type { GatewayMethod } from "./types.js";

export type { GatewayMethod, GatewayMethodCall } from "./types.js";

/** Every RPC method the gateway serves; `hello-ok.features.methods` is derived from it. */
export function createMethodTable(): Map<string, GatewayMethod> {
  return new Map(
    Object.entries({
      ...healthMethods,
      ...logMethods,
      ...configMethods,
      ...agentMethods,
      ...chatMethods,
      ...modelMethods,
      ...sessionMethods,
      ...sessionActionMethods,
      ...sessionBranchMethods,
      ...sessionGroupMethods,
      ...sessionSearchMethods,
      ...channelMethods,
      ...cronMethods,
      ...heartbeatMethods,
      ...knowledgeMethods,
      ...mcpMethods,
      ...sendMethods,
      ...talkMethods,
      ...talkRelayMethods,
      ...absentFeatureMethods,
    }),
  );
}
