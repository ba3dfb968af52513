/**
 * Replies to WhatsApp through the socket's `sendMessage`: chunked to `textChunkLimit`
 * (4000), files as image or document messages, each send retried with backoff (a send
 * during a reconnect waits for the connection). Typing as `composing` presence.
 */
import type { Logger } from "../../infra/logger.js";
import type { Peer } from "../../routing/session-key.js";
import { chunkText } from "../chunking.js";
import { withChannelRetry } from "../retry.js";
import type { OutboundFile, OutboundMessage } from "../types.js";
import type { WaSocketLike } from "./connection.js";
import type { WhatsAppSettings } from "./index.js";
import { toJid } from "./jid.js";

export interface OutboundDeps {
  /** The socket while connected, else undefined. */
  socket(): WaSocketLike | undefined;
  settings: WhatsAppSettings;
  log: Logger;
  rememberSent(id: string): void;
}

export const jidOf = (target: Peer) => (target.kind === "direct" ? toJid(target.id) : target.id);

export function createSender({ socket, settings, log, rememberSent }: OutboundDeps) {
  async function send(out: OutboundMessage): Promise<{ messageIds: string[] }> {
    const jid = jidOf(out.target);
    const contents: Record<string, unknown>[] = out.text.trim()
      ? chunkText(out.text, { limit: settings.textChunkLimit }).map((text) => ({ text }))
      : [];
    for (const file of out.files ?? []) contents.push(fileContent(file));
    const messageIds: string[] = [];
    for (const [i, content] of contents.entries()) {
      const what = `send message ${i + 1}/${contents.length} to ${jid}`;
      const result = await withRetry(what, async () => {
        const sock = socket();
        if (!sock) throw new NotConnected();
        return sock.sendMessage(jid, content);
      });
      const id = result?.key?.id ?? "";
      if (id) rememberSent(id);
      messageIds.push(id);
    }
    return { messageIds };
  }

  async function sendTyping(target: Peer): Promise<void> {
    try {
      await socket()?.sendPresenceUpdate("composing", jidOf(target));
    } catch (err) {
      // Typing is a courtesy: its failure must not fail the reply.
      log.warn(`typing indicator for ${target.kind} ${target.id} failed: ${(err as Error).message}`);
    }
  }

  const withRetry = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withChannelRetry({ channel: "whatsapp", what, policy: settings.retry, log }, call);

  return { send, sendTyping };
}

class NotConnected extends Error {
  constructor() {
    super("WhatsApp is not connected right now");
  }
}

function fileContent(file: OutboundFile): Record<string, unknown> {
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? "";
  const image = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp" }[ext];
  if (image) return { image: file.data, mimetype: image };
  return { document: file.data, fileName: file.name, mimetype: "application/octet-stream" };
}
