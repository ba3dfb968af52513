/**
 * The WhatsApp channel: a linked device (WhatsApp Web) through Baileys. This module is
 * light on purpose: Baileys loads only when a linked session exists and the channel
 * starts, or when a QR login begins. As in OpenClaw, the channel connects only when
 * `authDir` holds a linked session; until then it reports how to link one.
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { createLogger } from "../../infra/logger.js";
import { resolveRetry } from "../kit.js";
import type { RetryPolicy } from "../retry.js";
import type { ChannelAdapter, ChannelAdapterHooks, ChannelLogin, ChannelStatus } from "../types.js";
import type { MakeSocket, WhatsAppConnection } from "./connection.js";
import { normalizeE164 } from "./jid.js";
import { LoginWatch, NOT_LINKED } from "./login.js";

export interface WhatsAppChannelOptions extends ChannelAdapterHooks {
  /** Baileys multi-file auth state: `<state>/credentials/whatsapp/<accountId>/`. */
  authDir: string;
  accountId?: string;
  /** `channels.whatsapp.allowFrom` (E.164): our own number here turns self-chat mode on. */
  allowFrom?: readonly (string | number)[];
  /** Forces self-chat mode on or off (`channels.whatsapp.selfChatMode`). */
  selfChatMode?: boolean;
  /** At least 20; checked by the config schema (channels.whatsapp), not here. */
  textChunkLimit?: number;
  retry?: Partial<RetryPolicy>;
  reconnect?: { minMs?: number; maxMs?: number };
  /** Replaces Baileys' `makeWASocket` (tests pass a fake socket factory). */
  makeSocket?: MakeSocket;
}

/** Options after defaults and validation. */
export interface WhatsAppSettings {
  authDir: string;
  accountId: string;
  allowFrom: string[];
  selfChatMode?: boolean;
  textChunkLimit: number;
  retry: RetryPolicy;
  reconnect: { minMs: number; maxMs: number };
  makeSocket?: MakeSocket;
}

/** Whether `authDir` holds a linked session (Baileys writes `me` once the QR was scanned). */
export async function hasLinkedSession(authDir: string): Promise<boolean> {
  try {
    const creds = JSON.parse(await readFile(path.join(authDir, "creds.json"), "utf8")) as {
      me?: { id?: string };
    };
    return typeof creds.me?.id === "string";
  } catch {
    return false;
  }
}

export function createWhatsAppChannel(
  options: WhatsAppChannelOptions,
): ChannelAdapter & { login: ChannelLogin } {
  const settings = resolveSettings(options);
  const log = createLogger("whatsapp");
  const status: ChannelStatus = { state: "stopped", connected: false };
  const watch = new LoginWatch();
  let connection: WhatsAppConnection | undefined;

  async function connect(): Promise<void> {
    Object.assign(status, { state: "connecting", connected: false, lastError: undefined });
    const { connectWhatsApp } = await import("./connection.js");
    const current = connectWhatsApp(settings, {
      log,
      onMessage: options.onMessage,
      setStatus: (patch) => {
        if (connection === current) Object.assign(status, patch);
      },
      onQr: (qr) => watch.onQr(qr),
      onLinked: (self) => watch.onLinked(self),
      onGiveUp: (sentence) => {
        watch.onGiveUp(sentence);
        if (connection === current) connection = undefined;
      },
    });
    connection = current;
    await current.started;
  }

  async function disconnect(): Promise<void> {
    const closing = connection;
    connection = undefined;
    await closing?.stop();
  }

  const connected = () => {
    if (!connection)
      throw new Error(`whatsapp channel is not connected: ${status.lastError ?? "start it first"}`);
    return connection;
  };

  const login: ChannelLogin = {
    async start({ force, timeoutMs }) {
      if (force) {
        await disconnect();
        await rm(settings.authDir, { recursive: true, force: true });
      }
      if (connection && status.state === "ready") {
        return { connected: true, message: `already linked as ${status.botName}; use --force to link again` };
      }
      if (!connection) {
        watch.reset();
        await connect();
      }
      return watch.next(undefined, timeoutMs ?? 30_000);
    },
    wait: ({ after, timeoutMs }) => watch.next(after, timeoutMs ?? 120_000),
  };

  return {
    id: "whatsapp",
    async start() {
      if (connection) return;
      if (!(await hasLinkedSession(settings.authDir))) {
        log.info(`${NOT_LINKED} (credentials: ${settings.authDir})`);
        Object.assign(status, { state: "stopped", connected: false, lastError: NOT_LINKED });
        return;
      }
      await connect();
    },
    async stop() {
      await disconnect();
      Object.assign(status, { state: "stopped", connected: false });
    },
    status: () => ({ ...status }),
    send: (out) => connected().send(out),
    sendTyping: (target) => connected().sendTyping(target),
    login,
  };
}

function resolveSettings(options: WhatsAppChannelOptions): WhatsAppSettings {
  if (!options.authDir) throw new Error("whatsapp: authDir is required (where the linked session is kept)");
  return {
    authDir: options.authDir,
    accountId: options.accountId ?? "default",
    allowFrom: (options.allowFrom ?? []).map((e) => normalizeE164(String(e))),
    ...(options.selfChatMode !== undefined ? { selfChatMode: options.selfChatMode } : {}),
    // WhatsApp accepts longer texts; phones fold anything past ~4000 characters.
    textChunkLimit: options.textChunkLimit ?? 4000,
    retry: resolveRetry(options.retry),
    reconnect: { minMs: options.reconnect?.minMs ?? 1000, maxMs: options.reconnect?.maxMs ?? 60_000 },
    ...(options.makeSocket ? { makeSocket: options.makeSocket } : {}),
  };
}
