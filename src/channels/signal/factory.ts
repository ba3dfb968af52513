import type { ChannelSection } from "../registry.js";
import type { ChannelAdapter, ChannelFactoryContext } from "../types.js";
import { createSignalChannel } from "./index.js";

/** `channels.signal` → the adapter; needs `account`, then `httpUrl` or a signal-cli to start. */
export async function createSignalFromConfig(
  ctx: ChannelFactoryContext<ChannelSection<"signal">>,
): Promise<ChannelAdapter> {
  const s = ctx.section;
  if (!s.account) {
    throw new Error(
      "signal is configured but has no account: set channels.signal.account to the bot's number, e.g. +15551234567",
    );
  }
  const adapter: ChannelAdapter = createSignalChannel({
    account: s.account,
    httpUrl: s.httpUrl,
    cliPath: s.cliPath,
    textChunkLimit: s.textChunkLimit,
    retry: s.retry,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
  });
  return adapter;
}
