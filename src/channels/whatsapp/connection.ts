/**
 * The live WhatsApp Web connection through Baileys: multi-file auth state under
 * `authDir`, the socket's `connection.update` / `creds.update` / `messages.upsert`
 * events, reconnects with backoff, and the states reconnecting cannot fix (logged out,
 * replaced by another session, QR never scanned). Loaded only when the channel starts.
 */
import { rm } from "node:fs/promises";
import type { Logger } from "../../infra/logger.js";
import { type ConnectionHooks as BaseHooks, createStartGate } from "../kit.js";
import type { ChannelStatus, OutboundMessage } from "../types.js";
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
  const { log } = hooks;
  const gate = createStartGate(hooks);
  const { started, settle } = gate;
  let socket: WaSocketLike | undefined;
  let connected = false;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const sent = new Set<string>();
  let creds: { me?: { id?: string; lid?: string } } = {};
  /** Credential writes, in order; stop() waits for them so a restart finds the link. */
  let saving = Promise.resolve();

  const rememberSent = (id: string) => {
    sent.add(id);
    // Only recent ids matter (our replies echo back within seconds).
    if (sent.size > 500) sent.delete(sent.values().next().value!);
  };
  const sender = createSender({
    socket: () => (connected ? socket : undefined),
    settings,
    log,
    rememberSent,
  });

  const giveUp = (sentence: string, state: ChannelStatus["state"] = "error") => {
    stopped = true;
    connected = false;
    socket?.end(undefined);
    if (gate.fail(sentence, state)) hooks.onGiveUp(sentence);
  };

  const ready = (async () => {
    const baileys = await import("baileys");
    const auth = await baileys.useMultiFileAuthState(settings.authDir);
    creds = auth.state.creds as typeof creds;
    const make: MakeSocket =
      settings.makeSocket ?? ((config) => baileys.makeWASocket(config as never) as unknown as WaSocketLike);
    return { auth, make, browser: baileys.Browsers.ubuntu("Chrome") };
  })();

  async function open(): Promise<void> {
    const { auth, make, browser } = await ready;
    if (stopped) return;
    const s = make({
      auth: auth.state,
      logger: baileysLogger(log),
      browser,
      printQRInTerminal: false,
      // Stay "offline" so the phone keeps getting notifications.
      markOnlineOnConnect: false,
      syncFullHistory: false,
    });
    socket = s;
    s.ev.on("creds.update", (update: Record<string, unknown>) => {
      // Baileys merges the update into creds itself; doing it here too keeps fakes honest.
      Object.assign(auth.state.creds, update);
      saving = saving
        .then(() => auth.saveCreds())
        .catch((err: Error) => log.error(`could not save WhatsApp credentials: ${err.message}`));
    });
    s.ev.on("connection.update", (u: ConnectionUpdate) => {
      if (s === socket && !stopped) onUpdate(u);
    });
    s.ev.on("messages.upsert", (u: { messages: WaMessage[]; type: string }) => {
      if (s === socket && !stopped) onUpsert(u);
    });
  }

  function onUpdate(u: ConnectionUpdate): void {
    if (u.qr) {
      hooks.onQr(u.qr);
      hooks.setStatus({
        state: "connecting",
        connected: false,
        lastError: "waiting for the QR code to be scanned",
      });
      settle();
    }
    if (u.connection === "open") {
      attempt = 0;
      connected = true;
      const self = jidToE164(creds.me?.id) ?? creds.me?.id ?? "unknown";
      log.info(`connected to WhatsApp as ${self}`);
      hooks.setStatus({ state: "ready", connected: true, botName: self, botId: self, lastError: undefined });
      hooks.onLinked(self);
      settle();
      return;
    }
    if (u.connection !== "close") return;
    connected = false;
    const code = statusCode(u.lastDisconnect?.error);
    if (code === Reason.loggedOut) {
      void rm(settings.authDir, { recursive: true, force: true });
      giveUp(
        "WhatsApp logged this device out (it was removed in Linked devices, or the phone stayed offline too long): run `openclaw channels login --channel whatsapp` (or use Link WhatsApp in the Control UI) to link it again.",
      );
      return;
    }
    if (code === Reason.connectionReplaced) {
      giveUp(
        "another WhatsApp Web session with these credentials took over (is a second gateway running on them?): stop it, then restart this gateway.",
      );
      return;
    }
    if (!creds.me?.id) {
      // A login that ended without a scan (the QR codes ran out): nothing to reconnect to.
      giveUp(`the QR code was not scanned in time. ${NOT_LINKED}`, "stopped");
      return;
    }
    // 515 follows a successful scan: WhatsApp wants a fresh connection right away.
    const delay =
      code === Reason.restartRequired
        ? 0
        : Math.min(settings.reconnect.maxMs, settings.reconnect.minMs * 2 ** attempt++);
    const reason = `WhatsApp connection closed${code ? ` (${code})` : ""}; reconnecting in ${Math.round(delay / 100) / 10} s`;
    if (code !== Reason.restartRequired) log.warn(reason);
    hooks.setStatus({ state: "connecting", connected: false, lastError: reason });
    if (code !== Reason.restartRequired) settle();
    retryTimer = setTimeout(() => void open().catch(fail), delay);
  }

  function onUpsert(u: { messages: WaMessage[]; type: string }): void {
    // "append" is history catch-up; only live messages are questions.
    if (u.type !== "notify") return;
    const self = { jid: bareJidOf(creds.me?.id), lid: bareJidOf(creds.me?.lid) };
    const selfE164 = jidToE164(creds.me?.id);
    const selfChat =
      settings.selfChatMode ?? (selfE164 !== undefined && settings.allowFrom.includes(selfE164));
    for (const m of u.messages) {
      const message = toInbound(m, {
        accountId: settings.accountId,
        self,
        selfChat,
        sentByUs: (id) => sent.has(id),
      });
      if (!message) continue;
      Promise.resolve(hooks.onMessage(message)).catch((err: Error) =>
        log.error(`handling WhatsApp message ${message.messageId} failed: ${err.message}`),
      );
    }
  }

  const fail = (err: Error) => giveUp(`WhatsApp could not start: ${err.message}`);
  void open().catch(fail);

  return {
    started,
    send: (out) => sender.send(out),
    sendTyping: (target) => sender.sendTyping(target),
    async stop() {
      stopped = true;
      connected = false;
      clearTimeout(retryTimer);
      settle();
      await ready.catch(() => undefined);
      socket?.end(undefined);
      socket = undefined;
      await saving;
    },
  };
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
