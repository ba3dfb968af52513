import { z } from "zod";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { defineMethod } from "./types.js";

/**
 * `send`: one message out through a running channel, as OpenClaw's `openclaw message send`
 * calls it (`{ to, message, channel, accountId?, replyToId?, threadId?, idempotencyKey }`).
 * Text only: media, polls and presentation payloads are refused by name.
 */

/** Answers kept for repeated idempotency keys: a CLI retry after a lost reply must not send twice. */
const MAX_REMEMBERED_SENDS = 1000;
/** Longest text one `send` takes; channels split it into their own message sizes. */
const MAX_SEND_CHARS = 100_000;

const remembered = new Map<string, unknown>();

/**
 * OpenClaw's target forms to ours: `user:<id>` is a DM, a bare Telegram id below zero a group,
 * a bare Discord id a channel, any other bare id (a Telegram user, an E.164 number) a DM.
 */
export function normalizeTarget(channel: string, to: string): string {
  const [kind, id] = to.split(/:(.*)/s);
  if (id !== undefined && ["direct", "group", "channel"].includes(kind!)) return to;
  if (id !== undefined && kind === "user") return `direct:${id}`;
  if (channel === "telegram" && to.startsWith("-")) return `group:${to}`;
  if (channel === "discord") return `channel:${to}`;
  return `direct:${to}`;
}

export const sendMethods = {
  send: defineMethod({
    scope: "operator.write",
    params: z
      .object({
        to: z.string().min(1),
        message: z.string().max(MAX_SEND_CHARS).optional(),
        channel: z.string().min(1).max(64).optional(),
        accountId: z.string().optional(),
        replyToId: z.string().optional(),
        threadId: z.string().optional(),
        idempotencyKey: z.string().min(1).max(256),
        mediaUrl: z.string().optional(),
        mediaUrls: z.array(z.string()).optional(),
      })
      .loose(),
    handle: async (p, { gateway }) => {
      const seen = remembered.get(p.idempotencyKey);
      if (seen) return seen;
      if (p.mediaUrl || p.mediaUrls?.length) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          "media is not supported by send yet: send text only",
        );
      }
      if (!p.message?.trim()) throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, "message is empty");
      const running = gateway.channels.channelNames().filter((c) => gateway.channels.adapter(c));
      const channel = p.channel ?? (running.length === 1 ? running[0] : undefined);
      if (!channel) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          running.length === 0
            ? "no channel is running: enable one under channels.*"
            : `name the channel: one of ${running.join(", ")}`,
        );
      }
      const to = normalizeTarget(channel, p.to);
      let messageIds: string[];
      try {
        ({ messageIds } = await gateway.channels.send(
          {
            channel,
            to,
            ...(p.accountId ? { accountId: p.accountId } : {}),
            ...(p.threadId ? { threadId: p.threadId } : {}),
            ...(p.replyToId ? { replyToId: p.replyToId } : {}),
          },
          { text: p.message },
        ));
      } catch (err) {
        throw new GatewayRequestError(ErrorCodes.UNAVAILABLE, (err as Error).message);
      }
      const result = { ok: true, channel, to, messageId: messageIds.at(-1), messageIds };
      remembered.set(p.idempotencyKey, result);
      if (remembered.size > MAX_REMEMBERED_SENDS) remembered.delete(remembered.keys().next().value!);
      return result;
    },
  }),
};
