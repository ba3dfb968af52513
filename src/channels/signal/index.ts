/**
 * The Signal channel, through signal-cli's JSON-RPC HTTP daemon. This module is light on
 * purpose: the connection (and the daemon supervisor) load when `start()` runs.
 */
import { createLogger } from "../../infra/logger.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { ChannelAdapter, ChannelAdapterHooks } from "../types.js";
import { defaultAttachmentsDir } from "./inbound.js";

export interface SignalChannelOptions extends ChannelAdapterHooks {
  /** The bot's Signal number in E.164 (`channels.signal.account`). */
  account: string;
  accountId?: string;
  /** A running `signal-cli daemon --http` (`channels.signal.httpUrl`); else one is started. */
  httpUrl?: string;
  /** The signal-cli executable for the managed daemon (`channels.signal.cliPath`). */
  cliPath?: string;
  textChunkLimit?: number;
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number };
  /** Event-stream reconnect delays (tests shorten them). */
  reconnect?: { minMs?: number; maxMs?: number };
  /** Managed-daemon restart delays (tests shorten them). */
  daemonBackoff?: { minMs: number; maxMs: number };
  attachmentsDir?: string;
}

/** Options after defaults and validation. */
export interface SignalSettings {
  account: string;
  accountId: string;
  httpUrl?: string;
  cliPath: string;
  textChunkLimit: number;
  retry: { attempts: number; minDelayMs: number; maxDelayMs: number };
  reconnect: { minMs: number; maxMs: number };
  daemonBackoff?: { minMs: number; maxMs: number };
  attachmentsDir: string;
}

export function createSignalChannel(options: SignalChannelOptions): ChannelAdapter {
  const settings = resolveSettings(options);
  const log = createLogger("signal");
  return createLazyAdapter("signal", async (setStatus) => {
    const { connectSignal } = await import("./connection.js");
    return connectSignal(settings, { log, onMessage: options.onMessage, setStatus });
  });
}

function resolveSettings(options: SignalChannelOptions): SignalSettings {
  const account = options.account?.trim();
  if (!account || !/^\+[1-9]\d{6,14}$/.test(account)) {
    throw new Error(
      `signal: channels.signal.account must be the bot's number in E.164 form, e.g. +15551234567 (got ${JSON.stringify(options.account)})`,
    );
  }
  const limit = options.textChunkLimit ?? 4000;
  if (!Number.isInteger(limit) || limit < 20) {
    throw new Error(`signal: textChunkLimit must be an integer of at least 20 (got ${limit})`);
  }
  const httpUrl = options.httpUrl?.replace(/\/+$/, "");
  if (httpUrl !== undefined && !/^https?:\/\//.test(httpUrl)) {
    throw new Error(`signal: httpUrl must be an http(s) URL such as http://127.0.0.1:8080 (got ${httpUrl})`);
  }
  return {
    account,
    accountId: options.accountId ?? "default",
    ...(httpUrl ? { httpUrl } : {}),
    cliPath: options.cliPath ?? "signal-cli",
    textChunkLimit: limit,
    retry: {
      attempts: Math.max(1, options.retry?.attempts ?? 3),
      minDelayMs: options.retry?.minDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    },
    reconnect: { minMs: options.reconnect?.minMs ?? 1000, maxMs: options.reconnect?.maxMs ?? 30_000 },
    ...(options.daemonBackoff ? { daemonBackoff: options.daemonBackoff } : {}),
    attachmentsDir: options.attachmentsDir ?? defaultAttachmentsDir(),
  };
}
