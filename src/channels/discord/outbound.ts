/**
 * Replies to Discord: chunked to the message limits, reply-to per `replyToMode`, files
 * as attachments, each REST call retried with backoff on transient failures. Rate limits
 * (429) are waited out inside the library and never count as failures here.
 */
import type { AllowedMentionsTypes, API, RESTPostAPIChannelMessageJSONBody } from "@discordjs/core";
import type { Logger } from "../../infra/logger.js";
import type { Peer } from "../../routing/session-key.js";
import { chunkText } from "../chunking.js";
import { backoffMs, withChannelRetry } from "../retry.js";
import type { OutboundFile, OutboundMessage } from "../types.js";
import type { DiscordSettings } from "./index.js";

/** Discord accepts at most 10 attachments per message. */
const MAX_FILES_PER_MESSAGE = 10;

export interface OutboundDeps {
  api: API;
  settings: DiscordSettings;
  log: Logger;
  /** DM channel ids by user id, learned from inbound DMs and created on demand. */
  dmChannels: Map<string, string>;
}

export function createSender({ api, settings, log, dmChannels }: OutboundDeps) {
  async function channelIdFor(target: Peer): Promise<string> {
    if (target.kind !== "direct") return target.id;
    const known = dmChannels.get(target.id);
    if (known) return known;
    const dm = await withRetry(`open a DM with user ${target.id}`, () => api.users.createDM(target.id));
    dmChannels.set(target.id, dm.id);
    return dm.id;
  }

  async function send(out: OutboundMessage): Promise<{ messageIds: string[] }> {
    const channelId = await channelIdFor(out.target);
    const messages = planMessages(out, settings);
    const messageIds: string[] = [];
    for (const [i, message] of messages.entries()) {
      const replying =
        out.replyToMessageId !== undefined &&
        (settings.replyToMode === "all" || (settings.replyToMode === "first" && i === 0));
      const body: RESTPostAPIChannelMessageJSONBody = {
        ...(message.content ? { content: message.content } : {}),
        // Model output must never ping @everyone or roles; users stay mentionable.
        allowed_mentions: { parse: ["users" as AllowedMentionsTypes.User] },
        ...(replying
          ? { message_reference: { message_id: out.replyToMessageId!, fail_if_not_exists: false } }
          : {}),
      };
      const what = `send message ${i + 1}/${messages.length} to channel ${channelId}`;
      const sent = await withRetry(what, () =>
        api.channels.createMessage(channelId, { ...body, files: message.files }),
      );
      messageIds.push(sent.id);
    }
    return { messageIds };
  }

  async function sendTyping(target: Peer): Promise<void> {
    try {
      await api.channels.showTyping(await channelIdFor(target));
    } catch (err) {
      // Typing is a courtesy: its failure must not fail the reply.
      log.warn(`typing indicator for ${target.kind} ${target.id} failed: ${describe(err)}`);
    }
  }

  const withRetry = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withChannelRetry(
      {
        channel: "discord",
        what,
        policy: settings.retry,
        log,
        describe,
        delay: (err, attempt) => (isTransient(err) ? backoffMs(settings.retry, attempt) : undefined),
      },
      call,
    );

  return { send, sendTyping };
}

/** The chat messages one reply becomes: text chunks, files riding on the last one. */
export function planMessages(
  out: Pick<OutboundMessage, "text" | "files">,
  settings: Pick<DiscordSettings, "textChunkLimit" | "maxLinesPerMessage">,
): { content?: string; files: OutboundFile[] }[] {
  const chunks = out.text.trim()
    ? chunkText(out.text, { limit: settings.textChunkLimit, maxLines: settings.maxLinesPerMessage })
    : [];
  const messages: { content?: string; files: OutboundFile[] }[] = chunks.map((content) => ({
    content,
    files: [],
  }));
  const files = out.files ?? [];
  for (let i = 0; i < files.length; i += MAX_FILES_PER_MESSAGE) {
    const group = files.slice(i, i + MAX_FILES_PER_MESSAGE);
    const last = messages.at(-1);
    if (i === 0 && last) last.files = group;
    else messages.push({ files: group });
  }
  return messages;
}

/** Server errors and network failures are worth another try; 4xx answers are not. */
function isTransient(err: unknown): boolean {
  const status = (err as { status?: unknown }).status;
  return typeof status !== "number" || status >= 500;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" ? `${status} ${err.message}` : err.message;
}
