/**
 * The agents' one way out to the chat apps. The channel layer implements it
 * (ChannelManager); agents never see an adapter. Replies to replayed messages and the
 * `message` tool both go through it, with the thread and the message replied to.
 */

/** Where a message goes in a chat app. */
export interface OutboundTarget {
  /** Channel id (`discord`, `telegram`). */
  channel: string;
  /** The channel account the conversation came in on (absent: the default account). */
  accountId?: string;
  /** `direct:<userId>` for a DM, `group:<id>` or `channel:<id>` for a chat. */
  to: string;
  /** A thread inside the chat that is not a chat of its own (a Telegram forum topic). */
  threadId?: string;
  /** The chat-app message this one answers (honoured per the channel's `replyToMode`). */
  replyToId?: string;
}

export interface OutboundPort {
  /** Sends one message (split as the chat app needs); rejects when it cannot be delivered. */
  send(target: OutboundTarget, message: { text: string }): Promise<{ messageIds: string[] }>;
}

/**
 * The target a journaled message from before `replyTo` was recorded answers: the
 * session origin's `lastChannel` + `lastTo` (no thread, no reply-to were kept then).
 */
export function targetFromOrigin(origin: Record<string, unknown> | undefined): OutboundTarget | undefined {
  const channel = origin?.lastChannel ?? origin?.channel;
  const to = origin?.lastTo;
  if (typeof channel !== "string" || typeof to !== "string" || !channel || !to) return undefined;
  return { channel, to };
}
