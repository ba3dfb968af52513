/**
 * Replies to Telegram: chunked to 4096 characters, sent as Telegram HTML (plain text
 * when Telegram rejects the markup), reply-to per `replyToMode`, files as documents.
 * Each call is retried: 429s after Telegram's `retry_after`, 5xx and network failures
 * with exponential backoff; other 4xx fail at once. Failures are logged, never dropped.
 */
import type { Api } from "grammy/web";
import type { Logger } from "../../infra/logger.js";
import type { Peer } from "../../routing/session-key.js";
import { chunkText } from "../chunking.js";
import { withChannelRetry } from "../retry.js";
import type { OutboundMessage } from "../types.js";
import { markdownToTelegramHtml } from "./format.js";
import type { TelegramSettings } from "./index.js";

export interface OutboundDeps {
  api: Api;
  settings: TelegramSettings;
  log: Logger;
  /** grammY's InputFile (built by the connection, which loads the library). */
  inputFile(data: Buffer, name: string): unknown;
}

/** The shape of grammY's GrammyError (the Bot API said no). */
interface ApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

const isApiError = (err: unknown): err is ApiError =>
  typeof (err as ApiError | undefined)?.error_code === "number";

const isMarkupRejected = (err: unknown): err is ApiError =>
  isApiError(err) && err.error_code === 400 && /can't parse entities/i.test(err.description);

export function createSender({ api, settings, log, inputFile }: OutboundDeps) {
  async function send(out: OutboundMessage): Promise<{ messageIds: string[] }> {
    const chatId = out.target.id;
    const chunks = out.text.trim()
      ? chunkText(out.text, { limit: settings.textChunkLimit, maxLines: settings.maxLinesPerMessage })
      : [];
    const messageIds: string[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const what = `send message ${i + 1}/${chunks.length} to chat ${chatId}`;
      const sent = await sendChunk(what, chatId, chunk, replyExtras(out, i, settings.replyToMode));
      messageIds.push(String(sent.message_id));
    }
    for (const [i, file] of (out.files ?? []).entries()) {
      const what = `send file ${file.name} to chat ${chatId}`;
      const extra = replyExtras(out, chunks.length + i, settings.replyToMode);
      const sent = await withRetry(what, () =>
        api.sendDocument(chatId, inputFile(file.data, file.name) as never, extra),
      );
      messageIds.push(String(sent.message_id));
    }
    return { messageIds };
  }

  async function sendChunk(
    what: string,
    chatId: string,
    chunk: string,
    extra: ReturnType<typeof replyExtras>,
  ) {
    let plain = false;
    return withRetry(what, async () => {
      if (!plain) {
        try {
          return await api.sendMessage(chatId, markdownToTelegramHtml(chunk), {
            ...extra,
            parse_mode: "HTML",
          });
        } catch (err) {
          if (!isMarkupRejected(err)) throw err;
          // Our HTML was wrong for Telegram: the words matter more than the styling.
          log.warn(`${what}: Telegram rejected the HTML (${err.description}); sending it as plain text`);
          plain = true;
        }
      }
      return api.sendMessage(chatId, chunk, extra);
    });
  }

  async function sendTyping(target: Peer, threadId?: string): Promise<void> {
    try {
      await api.sendChatAction(target.id, "typing", threadId ? { message_thread_id: Number(threadId) } : {});
    } catch (err) {
      // Typing is a courtesy: its failure must not fail the reply.
      log.warn(`typing indicator for ${target.kind} ${target.id} failed: ${describe(err)}`);
    }
  }

  const withRetry = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withChannelRetry(
      {
        channel: "telegram",
        what,
        policy: settings.retry,
        log,
        describe,
        delay: (err, attempt) =>
          retryDelay(err, attempt, settings.retry.minDelayMs, settings.retry.maxDelayMs),
      },
      call,
    );

  return { send, sendTyping };
}

/** Reply-to and topic of the `index`-th message of a reply. */
function replyExtras(out: OutboundMessage, index: number, replyToMode: TelegramSettings["replyToMode"]) {
  const replying =
    out.replyToMessageId !== undefined && (replyToMode === "all" || (replyToMode === "first" && index === 0));
  return {
    ...(out.threadId ? { message_thread_id: Number(out.threadId) } : {}),
    ...(replying
      ? {
          reply_parameters: { message_id: Number(out.replyToMessageId), allow_sending_without_reply: true },
        }
      : {}),
  };
}

/** Ms to wait before another try, or undefined when another try cannot help. */
function retryDelay(
  err: unknown,
  attempt: number,
  minDelayMs: number,
  maxDelayMs: number,
): number | undefined {
  const backoff = Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 1));
  if (!isApiError(err)) return backoff; // network failure (grammY's HttpError)
  if (err.error_code === 429) {
    const after = err.parameters?.retry_after;
    return typeof after === "number" ? after * 1000 : backoff;
  }
  return err.error_code >= 500 ? backoff : undefined;
}

function describe(err: unknown): string {
  if (isApiError(err)) return `${err.error_code} ${err.description}`;
  return err instanceof Error ? err.message : String(err);
}
