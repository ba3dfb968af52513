/**
 * The provider-neutral channel contract: what every chat-app adapter (discord, telegram,
 * …) hands the router, and what the router hands back. The router knows nothing of any
 * chat app beyond these types.
 */
import type { OpenClawConfig } from "../config/schema.js";
import type { HttpRoute } from "../infra/http.js";
import type { Logger } from "../infra/logger.js";
import type { Peer } from "../routing/session-key.js";

export type ChatType = "direct" | "group" | "channel";

export interface InboundAttachment {
  url: string;
  name: string;
  contentType?: string;
  /** Bytes (0 when the app does not say). */
  size: number;
  /** A recorded voice note (Telegram voice, WhatsApp push-to-talk, Discord/Signal voice message). */
  voice?: boolean;
  /** Length of an audio or video attachment, where the app says. */
  durationSeconds?: number;
  /**
   * Downloads the file (audio transcription uses it; `url` may name no fetchable place).
   * Rejects with AttachmentTooLargeError past `maxBytes`, having read no more than that.
   */
  read?(maxBytes: number, signal: AbortSignal): Promise<Buffer>;
}

/** A download stopped at its limit. */
export class AttachmentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`attachment larger than ${maxBytes} bytes`);
    this.name = "AttachmentTooLargeError";
  }
}

export interface InboundMessage {
  /** Channel id (`discord`), as used in bindings and session keys. */
  channel: string;
  accountId: string;
  messageId: string;
  chatType: ChatType;
  /**
   * Who the conversation is with: the sender for a DM (`direct`, user id), else the
   * chat the message was posted in (for a thread: the thread itself).
   */
  peer: Peer;
  /** For a thread: the channel it belongs to (a thread inherits its parent's binding). */
  parentPeer?: Peer;
  guildId?: string;
  /** The chat's name where the app has one (Discord channel name; a thread's parent channel). */
  chatName?: string;
  threadId?: string;
  sender: { id: string; name: string; isBot: boolean };
  text: string;
  /** A real @mention of the bot user or of one of its roles (not @everyone, not a pattern). */
  mentionsBot: boolean;
  attachments: InboundAttachment[];
  /** The message this one replies to, if any. */
  replyToMessageId?: string;
  /** Epoch milliseconds. */
  timestamp: number;
}

export interface OutboundFile {
  name: string;
  data: Buffer;
}

export interface OutboundMessage {
  /** Usually the inbound `peer`: a DM goes to the user, anything else to the chat. */
  target: Peer;
  text: string;
  /** Reply to this message (honoured per the channel's `replyToMode`). */
  replyToMessageId?: string;
  /** The inbound `threadId` where the thread is not a chat of its own (Telegram forum topics). */
  threadId?: string;
  files?: OutboundFile[];
}

export type ChannelState = "stopped" | "connecting" | "ready" | "error";

export interface ChannelStatus {
  state: ChannelState;
  connected: boolean;
  botName?: string;
  botId?: string;
  guildCount?: number;
  /** Why the channel is not connected, in one sentence a user can act on. */
  lastError?: string;
}

export interface ChannelAdapter {
  readonly id: string;
  /**
   * Connects. Resolves once connected, once the channel gave up (state `error`, e.g. a
   * rejected token), or after a first failed attempt (state `connecting`: it keeps
   * trying in the background). Never rejects for remote failures: the gateway stays up.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ChannelStatus;
  /** Sends one reply (split into as many chat messages as needed); rejects only after retries. */
  send(out: OutboundMessage): Promise<{ messageIds: string[] }>;
  /** Shows "typing…" in the target chat (for a few seconds; repeat while working). */
  sendTyping: SendTyping;
  /** Channels linked by scanning a QR code (WhatsApp) offer this; the rest have no login. */
  login?: ChannelLogin;
}

/** Where a QR login stands: a code to show, linked, or why it ended. */
export interface ChannelLoginUpdate {
  connected: boolean;
  /** The QR code's text, to render for the user to scan (it rotates every ~20 s). */
  qr?: string;
  message: string;
}

export interface ChannelLogin {
  /** Starts linking (`force`: drop the current link first); resolves with the first QR or the outcome. */
  start(opts: { force?: boolean; timeoutMs?: number }): Promise<ChannelLoginUpdate>;
  /** Waits for the next change after the QR `after`: a new QR, linked, or failure (or the timeout). */
  wait(opts: { after?: string; timeoutMs?: number }): Promise<ChannelLoginUpdate>;
}

/** `threadId` as in OutboundMessage: apps whose threads are chats of their own ignore it. */
export type SendTyping = (target: Peer, threadId?: string) => Promise<void>;

/** What every adapter factory takes besides its own settings. */
export interface ChannelAdapterHooks {
  /** Called for every message the bot should see (never its own). */
  onMessage(message: InboundMessage): void | Promise<void>;
}

/**
 * What a channel factory gets: its config section, already parsed by the channel's zod
 * schema (built-in channels; a plugin's channel gets the raw section and checks it
 * itself), and where to hand inbound messages.
 */
export interface ChannelFactoryContext<Section = Record<string, unknown>> {
  config: OpenClawConfig;
  /** `channels.<name>` of the config (`{}` for a plugin channel without a section). */
  section: Section;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  log: Logger;
  onMessage(adapter: ChannelAdapter, message: InboundMessage): void;
  /** Serves a route on the gateway's HTTP port (webhooks); returns the function that removes it. */
  registerRoute(route: HttpRoute): () => void;
}

/**
 * Builds the adapter from config. Throws with a sentence the user can act on (missing
 * token…) when it cannot: the channel manager logs it and reports the channel failed.
 * Undefined means "nothing to run" and is not an error.
 */
export type ChannelFactory<Section = Record<string, unknown>> = (
  ctx: ChannelFactoryContext<Section>,
) => Promise<ChannelAdapter | undefined>;
