/**
 * Replies to Slack: chunked to `textChunkLimit`, sent as mrkdwn (plain text when Slack
 * refuses the formatted chunk), in the thread OpenClaw's rules pick. Retries and 429
 * `Retry-After` waits happen inside the SDK's WebClient (its retryConfig, see connection.ts).
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../infra/logger.js";
import type { Peer } from "../../routing/session-key.js";
import { chunkText } from "../chunking.js";
import type { OutboundMessage } from "../types.js";
import { markdownToMrkdwn, markdownToPlain } from "./format.js";
import type { BoundedMap } from "./inbound.js";
import { replyToModeFor, type SlackSettings } from "./index.js";

/** Slack errors that mean "this text", not "this request": worth one try as plain text. */
const FORMAT_ERRORS = new Set(["msg_too_long", "invalid_blocks", "invalid_attachments"]);

export interface OutboundDeps {
  web: WebClient;
  settings: SlackSettings;
  log: Logger;
  dmChannels: BoundedMap<string, string>;
  dmThreads: BoundedMap<string, string>;
}

export function createSender({ web, settings, log, dmChannels, dmThreads }: OutboundDeps) {
  async function channelIdFor(target: Peer): Promise<string> {
    if (target.kind !== "direct") return target.id;
    const known = dmChannels.get(target.id);
    if (known) return known;
    const opened = await web.conversations.open({ users: target.id });
    const id = opened.channel?.id;
    if (!id) throw new Error(`slack: conversations.open gave no channel for user ${target.id}`);
    dmChannels.set(target.id, id);
    return id;
  }

  /** Where the reply goes: the inbound thread, a DM thread, or a new thread per replyToMode. */
  function threadFor(out: OutboundMessage, channelId: string): string | undefined {
    if (out.threadId) return out.threadId;
    if (!out.replyToMessageId) return undefined;
    const root = dmThreads.get(out.replyToMessageId);
    if (root) return root;
    const chatType = out.target.kind === "direct" ? "direct" : out.target.kind;
    return replyToModeFor(settings, chatType, channelId) === "off" ? undefined : out.replyToMessageId;
  }

  async function send(out: OutboundMessage): Promise<{ messageIds: string[] }> {
    const channel = await channelIdFor(out.target);
    const threadTs = threadFor(out, channel);
    const chunks = out.text.trim()
      ? chunkText(out.text, { limit: settings.textChunkLimit, maxLines: settings.maxLinesPerMessage })
      : [];
    if (out.files?.length) {
      log.warn(`file uploads to Slack are not supported yet; ${out.files.length} file(s) not sent`);
    }
    const messageIds: string[] = [];
    for (const chunk of chunks) {
      const base = {
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: settings.unfurlLinks,
        ...(settings.unfurlMedia !== undefined ? { unfurl_media: settings.unfurlMedia } : {}),
      };
      messageIds.push(await postChunk(base, chunk));
    }
    return { messageIds };
  }

  async function postChunk(base: { channel: string; thread_ts?: string }, chunk: string): Promise<string> {
    try {
      const sent = await web.chat.postMessage({ ...base, text: markdownToMrkdwn(chunk) });
      return sent.ts ?? "";
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code || !FORMAT_ERRORS.has(code)) throw sendError(err, base.channel);
      log.warn(`Slack refused the formatted message (${code}); sending it as plain text`);
      try {
        const sent = await web.chat.postMessage({ ...base, text: markdownToPlain(chunk), mrkdwn: false });
        return sent.ts ?? "";
      } catch (plainErr) {
        throw sendError(plainErr, base.channel);
      }
    }
  }

  function sendError(err: unknown, channel: string): Error {
    const message = `send message to channel ${channel} failed: ${describeSlackError(err)}`;
    log.error(message);
    return new Error(`slack: ${message}`, { cause: err });
  }

  return { send };
}

/** Slack's `error` code of a Web API platform error (`channel_not_found`…), if it is one. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } }).data;
  return typeof data?.error === "string" ? data.error : undefined;
}

export function describeSlackError(err: unknown): string {
  return slackErrorCode(err) ?? (err as Error).message;
}
