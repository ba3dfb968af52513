import { z } from "zod";
import type { OutboundTarget } from "../outbound.js";
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

const id = z.string().min(1).max(128);

export const messageTool = defineTool({
  name: "message",
  group: "messaging",
  description:
    "Send a message through a chat channel, e.g. channel 'discord' to 'channel:<id>' or 'user:<id>', or 'telegram' to 'group:<chat id>' or 'user:<id>'. " +
    "threadId posts in a thread (a Telegram forum topic); replyToId answers one message. Sent to the chat this conversation is in, the thread is kept unless you give another.",
  params: z.strictObject({
    channel: z.string().min(1),
    to: z.string().min(1),
    text: z.string().min(1),
    threadId: id.optional(),
    replyToId: id.optional(),
  }),
  async execute(params, ctx) {
    if (!ctx.outbound) throw new ToolRefusal("no chat channel is connected to this gateway");
    const target = messageTarget(params, ctx.replyTo);
    await ctx.outbound.send(target, { text: params.text });
    return text(
      `sent to ${target.channel} ${target.to}${target.threadId ? ` (thread ${target.threadId})` : ""}`,
    );
  },
});

/**
 * The tool's target: `user:<id>` is a DM (`direct:<id>`). Sent into the conversation the
 * turn came from, it stays in that thread and account unless the model names another thread.
 */
function messageTarget(
  p: { channel: string; to: string; threadId?: string; replyToId?: string },
  current: OutboundTarget | undefined,
): OutboundTarget {
  const to = p.to.replace(/^user:/, "direct:");
  const here = current && current.channel === p.channel && current.to === to ? current : undefined;
  const threadId = p.threadId ?? here?.threadId;
  const accountId = here?.accountId;
  return {
    channel: p.channel,
    to,
    ...(accountId ? { accountId } : {}),
    ...(threadId ? { threadId } : {}),
    ...(p.replyToId ? { replyToId: p.replyToId } : {}),
  };
}
