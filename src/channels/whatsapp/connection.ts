/**
 * The live WhatsApp Web connection through Baileys: multi-file auth state under
 * `authDir`, the socket's `connection.update` / `creds.update` / `messages.upsert`
 * events, reconnects with backoff, and the states reconnecting cannot fix (logged out,
 * replaced by another session, QR never scanned). Loaded only when the channel starts.
 */
import { rm } from "node:fs/promises";
import type { Logger } from "../../infra/logger.js";
import { type ConnectionHooks as BaseHooks, createStartGate, type StartGate } from "../kit.js";
import {
  AttachmentTooLargeError,
  type ChannelStatus,
  type InboundMessage,
  type OutboundMessage,
} from "../types.js";
import { toInbound, type WaMessage } from "./inbound.js";
import type { WhatsAppSettings } from "./index.js";
import { bareJid, jidToE164 } from "./jid.js";
import { NOT_LINKED } from "./login.js";
import { createSender } from "./outbound.js";

/** The part of Baileys' socket we use: what a test's fake socket has to provide. */
export interface WaSocketLike {
  ev: { on(event: string, listener: (arg: never) => void): void };
  sendMessage(
    jid: string,
    content: Record<string, unknown>,
  ): Promise<{ key?: { id?: string | null } } | undefined>;
  sendPresenceUpdate(type: "composing" | "paused" | "available", jid?: string): Promise<void>;
  end(error: Error | undefined): void;
}

/** Baileys' `makeWASocket`, injectable so tests drive the adapter with a fake socket. */
export type MakeSocket = (config: Record<string, unknown> & { auth: unknown }) => WaSocketLike;

export interface ConnectionHooks extends BaseHooks {
  onQr(qr: string): void;
  onLinked(self: string): void;
  /** The connection ended for good; the sentence says what the user can do. */
  onGiveUp(sentence: string): void;
}

export interface WhatsAppConnection {
  /** Settles once open, given up, waiting for a QR scan, or after a first failed attempt. */
  started: Promise<void>;
  send(out: OutboundMessage): Promise<{ messageIds: string[] }>;
  sendTyping(target: OutboundMessage["target"]): Promise<void>;
  stop(): Promise<void>;
}

/** Baileys' DisconnectReason values we act on. */
const Reason = { loggedOut: 401, connectionReplaced: 440, restartRequired: 515 } as const;

export function connectWhatsApp(settings: WhatsAppSettings, hooks: ConnectionHooks): WhatsAppConnection {
  const gate = createStartGate(hooks);
  const live: LiveState = {
    connected: false,
    stopped: false,
    attempt: 0,
    sent: new Set(),
    creds: {},
    saving: Promise.resolve(),
  };
  const sender = createSender({
    socket: () => (live.connected ? live.socket : undefined),
    settings,
    log: hooks.log,
    rememberSent: (id) => rememberSent(live.sent, id),
  });
  const ctx: WaContext = { settings, hooks, gate, live, prepared: prepare(settings, live) };
  void open(ctx).catch((err: Error) => failToStart(ctx, err));

  return {
    started: gate.started,
    send: (out) => sender.send(out),
    sendTyping: (target) => sender.sendTyping(target),
    stop: () => stopConnection(ctx),
  };
}

/** What the socket events change; shared by the handlers below and stop(). */
interface LiveState {
  socket?: WaSocketLike;
  connected: boolean;
  stopped: boolean;
  /** Failed reconnects in a row: the backoff's exponent. */
  attempt: number;
  retryTimer?: NodeJS.Timeout;
  /** Ids of messages we sent, to skip their echoes. */
  sent: Set<string>;
  creds: { me?: { id?: string; lid?: string } };
  /** Credential writes, in order; stop() waits for them so a restart finds the link. */
  saving: Promise<void>;
}

interface WaContext {
  settings: WhatsAppSettings;
  hooks: ConnectionHooks;
  gate: StartGate;
  live: LiveState;
  prepared: ReturnType<typeof prepare>;
}

function rememberSent(sent: Set<string>, id: string): void {
  sent.add(id);
  // Only recent ids matter (our replies echo back within seconds).
  if (sent.size > 500) sent.delete(sent.values().next().value!);
}

/** Loads Baileys and the auth state once; every (re)connect reuses them. */
async function prepare(settings: WhatsAppSettings, live: LiveState) {
  const baileys = await import("baileys");
  const auth = await baileys.useMultiFileAuthState(settings.authDir);
  live.creds = auth.state.creds as LiveState["creds"];
  const make: MakeSocket =
    settings.makeSocket ?? ((config) => baileys.makeWASocket(config as never) as unknown as WaSocketLike);
  return { auth, make, browser: baileys.Browsers.ubuntu("Chrome") };
}

function giveUp(ctx: WaContext, sentence: string, state: ChannelStatus["state"] = "error"): void {
  const { live } = ctx;
  live.stopped = true;
  live.connected = false;
  live.socket?.end(undefined);
  if (ctx.gate.fail(sentence, state)) ctx.hooks.onGiveUp(sentence);
}

const failToStart = (ctx: WaContext, err: Error) => giveUp(ctx, `WhatsApp could not start: ${err.message}`);

async function open(ctx: WaContext): Promise<void> {
  const { live } = ctx;
  const { log } = ctx.hooks;
  const { auth, make, browser } = await ctx.prepared;
  if (live.stopped) return;
  const s = make({
    auth: auth.state,
    logger: baileysLogger(log),
    browser,
    printQRInTerminal: false,
    // Stay "offline" so the phone keeps getting notifications.
    markOnlineOnConnect: false,
    syncFullHistory: false,
  });
  live.socket = s;
  s.ev.on("creds.update", (update: Record<string, unknown>) => {
    // Baileys merges the update into creds itself; doing it here too keeps fakes honest.
    Object.assign(auth.state.creds, update);
    live.saving = live.saving
      .then(() => auth.saveCreds())
      .catch((err: Error) => log.error(`could not save WhatsApp credentials: ${err.message}`));
  });
  s.ev.on("connection.update", (u: ConnectionUpdate) => {
    if (s === live.socket && !live.stopped) onUpdate(ctx, u);
  });
  s.ev.on("messages.upsert", (u: { messages: WaMessage[]; type: string }) => {
    if (s === live.socket && !live.stopped) onUpsert(ctx, u);
  });
}

function onUpdate(ctx: WaContext, u: ConnectionUpdate): void {
  if (u.qr) {
    ctx.hooks.onQr(u.qr);
    ctx.hooks.setStatus({
      state: "connecting",
      connected: false,
      lastError: "waiting for the QR code to be scanned",
    });
    ctx.gate.settle();
  }
  if (u.connection === "open") onOpen(ctx);
  else if (u.connection === "close") onClose(ctx, u);
}

function onOpen(ctx: WaContext): void {
  const { live, hooks } = ctx;
  live.attempt = 0;
  live.connected = true;
  const self = jidToE164(live.creds.me?.id) ?? live.creds.me?.id ?? "unknown";
  hooks.log.info(`connected to WhatsApp as ${self}`);
  hooks.setStatus({ state: "ready", connected: true, botName: self, botId: self, lastError: undefined });
  hooks.onLinked(self);
  ctx.gate.settle();
}

/** A closed socket: give up when reconnecting cannot help, else reconnect with backoff. */
function onClose(ctx: WaContext, u: ConnectionUpdate): void {
  const { live, settings } = ctx;
  live.connected = false;
  const code = statusCode(u.lastDisconnect?.error);
  if (code === Reason.loggedOut) {
    void rm(settings.authDir, { recursive: true, force: true });
    giveUp(
      ctx,
      "WhatsApp logged this device out (it was removed in Linked devices, or the phone stayed offline too long): run `openclaw channels login --channel whatsapp` (or use Link WhatsApp in the Control UI) to link it again.",
    );
    return;
  }
  if (code === Reason.connectionReplaced) {
    giveUp(
      ctx,
      "another WhatsApp Web session with these credentials took over (is a second gateway running on them?): stop it, then restart this gateway.",
    );
    return;
  }
  if (!live.creds.me?.id) {
    // A login that ended without a scan (the QR codes ran out): nothing to reconnect to.
    giveUp(ctx, `the QR code was not scanned in time. ${NOT_LINKED}`, "stopped");
    return;
  }
  scheduleReconnect(ctx, code);
}

function scheduleReconnect(ctx: WaContext, code: number | undefined): void {
  const { live, settings, hooks } = ctx;
  // 515 follows a successful scan: WhatsApp wants a fresh connection right away.
  const delay =
    code === Reason.restartRequired
      ? 0
      : Math.min(settings.reconnect.maxMs, settings.reconnect.minMs * 2 ** live.attempt++);
  const reason = `WhatsApp connection closed${code ? ` (${code})` : ""}; reconnecting in ${Math.round(delay / 100) / 10} s`;
  if (code !== Reason.restartRequired) hooks.log.warn(reason);
  hooks.setStatus({ state: "connecting", connected: false, lastError: reason });
  if (code !== Reason.restartRequired) ctx.gate.settle();
  live.retryTimer = setTimeout(() => void open(ctx).catch((err: Error) => failToStart(ctx, err)), delay);
}

function onUpsert(ctx: WaContext, u: { messages: WaMessage[]; type: string }): void {
  const { live, settings, hooks } = ctx;
  // "append" is history catch-up; only live messages are questions.
  if (u.type !== "notify") return;
  const self = { jid: bareJidOf(live.creds.me?.id), lid: bareJidOf(live.creds.me?.lid) };
  const selfE164 = jidToE164(live.creds.me?.id);
  const selfChat = settings.selfChatMode ?? (selfE164 !== undefined && settings.allowFrom.includes(selfE164));
  for (const m of u.messages) {
    const message = toInbound(m, {
      accountId: settings.accountId,
      self,
      selfChat,
      sentByUs: (id) => live.sent.has(id),
    });
    if (!message) continue;
    withAudioDownload(message, m);
    Promise.resolve(hooks.onMessage(message)).catch((err: Error) =>
      hooks.log.error(`handling WhatsApp message ${message.messageId} failed: ${err.message}`),
    );
  }
}

/**
 * WhatsApp media sits encrypted on its servers: an audio attachment gets a `read` that
 * downloads and decrypts it with Baileys (already loaded: we are connected), for
 * transcription. The declared size is checked first, the real one after.
 */
function withAudioDownload(message: InboundMessage, raw: WaMessage): void {
  for (const a of message.attachments) {
    if (!/^audio\//.test(a.contentType ?? "")) continue;
    a.read = async (maxBytes) => {
      if (a.size > maxBytes) throw new AttachmentTooLargeError(maxBytes);
      const { downloadMediaMessage } = await import("baileys");
      const data = await downloadMediaMessage(raw as never, "buffer", {});
      if (data.length > maxBytes) throw new AttachmentTooLargeError(maxBytes);
      return data;
    };
  }
}

async function stopConnection(ctx: WaContext): Promise<void> {
  const { live } = ctx;
  live.stopped = true;
  live.connected = false;
  clearTimeout(live.retryTimer);
  ctx.gate.settle();
  await ctx.prepared.catch(() => undefined);
  live.socket?.end(undefined);
  live.socket = undefined;
  await live.saving;
}

interface ConnectionUpdate {
  connection?: "open" | "connecting" | "close";
  lastDisconnect?: { error?: unknown };
  qr?: string;
}

function statusCode(error: unknown): number | undefined {
  return (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
}

const bareJidOf = (jid: string | undefined) => (jid ? bareJid(jid) : undefined);

/** Baileys logs a lot (pino-shaped); its lines go to our debug level only. */
function baileysLogger(log: Logger) {
  const line = (obj: unknown, msg?: string) =>
    log.debug(`baileys: ${msg ?? (typeof obj === "string" ? obj : JSON.stringify(obj)?.slice(0, 300))}`);
  const logger = {
    level: "debug",
    child: () => logger,
    trace: () => {},
    debug: line,
    info: line,
    warn: line,
    error: line,
  };
  return logger;
}
