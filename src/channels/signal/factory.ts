import type { ChannelFactoryContext } from "../registry.js";
import type { ChannelAdapter } from "../types.js";
import { createSignalChannel } from "./index.js";

/** `channels.signal` → the adapter; needs `account`, then `httpUrl` or a signal-cli to start. */
export async function createSignalFromConfig(
  ctx: ChannelFactoryContext,
): Promise<ChannelAdapter | undefined> {
  const s = ctx.section;
  if (typeof s.account !== "string" || !s.account) {
    ctx.log.error(
      "signal is configured but has no account: set channels.signal.account to the bot's number, e.g. +15551234567",
    );
    return undefined;
  }
  const adapter: ChannelAdapter = createSignalChannel({
    account: s.account,
    httpUrl: s.httpUrl as string | undefined,
    cliPath: s.cliPath as string | undefined,
    textChunkLimit: s.textChunkLimit as number | undefined,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
  });
  return adapter;
}
