import { z } from "zod";
import { defineTool, ToolRefusal, text } from "./types.js";

export const sessionStatusTool = defineTool({
  name: "session_status",
  group: "sessions",
  description: "Show this session's key, model, token usage and time.",
  params: z.strictObject({}),
  async execute(_params, ctx) {
    const status = {
      agentId: ctx.agentId,
      sessionKey: ctx.sessionKey,
      now: new Date().toISOString(),
      ...ctx.sessionStatus?.(),
    };
    return text(JSON.stringify(status, null, 2));
  },
});

export const messageTool = defineTool({
  name: "message",
  group: "messaging",
  description:
    "Send a message through a chat channel, e.g. channel 'discord' to 'channel:<id>' or 'user:<id>', or 'telegram' to a chat id.",
  params: z.strictObject({ channel: z.string().min(1), to: z.string().min(1), text: z.string().min(1) }),
  async execute({ channel, to, text: body }, ctx) {
    if (!ctx.sendMessage) throw new ToolRefusal("no chat channel is connected to this gateway");
    await ctx.sendMessage({ channel, to }, body);
    return text(`sent to ${channel} ${to}`);
  },
});
