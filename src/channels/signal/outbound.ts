/**
 * Replies to Signal through signal-cli's `send`: chunked to `textChunkLimit`, files as
 * base64 data URIs on the last chunk, each call retried with backoff on transient
 * failures. Typing through `sendTyping`.
 */
import type { Logger } from "../../infra/logger.js";
import type { Peer } from "../../routing/session-key.js";
import { chunkText } from "../chunking.js";
import { backoffMs, withChannelRetry } from "../retry.js";
import type { OutboundFile, OutboundMessage } from "../types.js";
import type { SignalSettings } from "./index.js";
import { isTransient, type SignalRpc } from "./rpc.js";

export interface OutboundDeps {
  rpc: SignalRpc;
  settings: SignalSettings;
  log: Logger;
}

/** Who a call goes to: a group by id, a person by number or uuid. */
export function recipientParams(account: string, target: Peer): Record<string, unknown> {
  if (target.kind !== "direct") return { account, groupId: target.id };
  return { account, recipient: [target.id.replace(/^uuid:/, "")] };
}

/** signal-cli takes attachments as `data:<mime>;filename=<name>;base64,<data>`. */
export function toDataUri(file: OutboundFile): string {
  return `data:${mimeOf(file.name)};filename=${file.name.replace(/[;,]/g, "_")};base64,${file.data.toString("base64")}`;
}

export function createSender({ rpc, settings, log }: OutboundDeps) {
  async function send(out: OutboundMessage): Promise<{ messageIds: string[] }> {
    const chunks = out.text.trim() ? chunkText(out.text, { limit: settings.textChunkLimit }) : [];
    const files = (out.files ?? []).map(toDataUri);
    if (chunks.length === 0 && files.length > 0) chunks.push("");
    const messageIds: string[] = [];
    for (const [i, message] of chunks.entries()) {
      const last = i === chunks.length - 1;
      const params = {
        ...recipientParams(settings.account, out.target),
        message,
        ...(last && files.length > 0 ? { attachments: files } : {}),
      };
      const what = `send message ${i + 1}/${chunks.length} to ${out.target.kind} ${out.target.id}`;
      const result = await withRetry(what, () => rpc.call<{ timestamp?: number }>("send", params));
      messageIds.push(String(result?.timestamp ?? ""));
    }
    return { messageIds };
  }

  async function sendTyping(target: Peer): Promise<void> {
    try {
      await rpc.call("sendTyping", recipientParams(settings.account, target));
    } catch (err) {
      // Typing is a courtesy: its failure must not fail the reply.
      log.warn(`typing indicator for ${target.kind} ${target.id} failed: ${(err as Error).message}`);
    }
  }

  const withRetry = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withChannelRetry(
      {
        channel: "signal",
        what,
        policy: settings.retry,
        log,
        delay: (err, attempt) => (isTransient(err) ? backoffMs(settings.retry, attempt) : undefined),
      },
      call,
    );

  return { send, sendTyping };
}

const MIME_BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  json: "application/json",
  csv: "text/csv",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  mp4: "video/mp4",
};

function mimeOf(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return (ext && MIME_BY_EXT[ext]) || "application/octet-stream";
}
