/**
 * The Signal channel, through signal-cli's JSON-RPC HTTP daemon. This module is light on
 * purpose: the connection (and the daemon supervisor) load when `start()` runs.
 */
import { createLogger } from "../../infra/logger.js";
import { resolveRetry } from "../kit.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { RetryPolicy } from "../retry.js";
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
  /** At least 20; checked by the config schema (channels.signal), not here. */
  textChunkLimit?: number;
  retry?: Partial<RetryPolicy>;
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
  retry: RetryPolicy;
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
  if (!account) {
    throw new Error("signal: no account; set channels.signal.account to the bot's number, e.g. +15551234567");
  }
  const httpUrl = options.httpUrl?.replace(/\/+$/, "");
  return {
    account,
    accountId: options.accountId ?? "default",
    ...(httpUrl ? { httpUrl } : {}),
    cliPath: options.cliPath ?? "signal-cli",
    // Signal accepts longer texts, but clients fold anything past ~4000 characters.
    textChunkLimit: options.textChunkLimit ?? 4000,
    retry: resolveRetry(options.retry),
    reconnect: { minMs: options.reconnect?.minMs ?? 1000, maxMs: options.reconnect?.maxMs ?? 30_000 },
    ...(options.daemonBackoff ? { daemonBackoff: options.daemonBackoff } : {}),
    attachmentsDir: options.attachmentsDir ?? defaultAttachmentsDir(),
  };
}
