import path from "node:path";
import type { ChannelSection } from "../registry.js";
import type { ChannelAdapter, ChannelFactoryContext } from "../types.js";
import { createWhatsAppChannel, type WhatsAppChannelOptions } from "./index.js";

/**
 * `channels.whatsapp` → the adapter; the linked session under `<state>/credentials/whatsapp/default/`.
 * `transport.makeSocket` replaces Baileys' socket (tests run the gateway on a fake one).
 */
export async function createWhatsAppFromConfig(
  ctx: ChannelFactoryContext<ChannelSection<"whatsapp">>,
  transport: Pick<WhatsAppChannelOptions, "makeSocket"> = {},
): Promise<ChannelAdapter> {
  const s = ctx.section;
  const accountId = "default";
  const authDir = s.authDir
    ? path.resolve(ctx.stateDir, s.authDir)
    : path.join(ctx.stateDir, "credentials", "whatsapp", accountId);
  const adapter: ChannelAdapter = createWhatsAppChannel({
    authDir,
    accountId,
    allowFrom: s.allowFrom,
    selfChatMode: s.selfChatMode,
    textChunkLimit: s.textChunkLimit,
    retry: s.retry,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
    ...transport,
  });
  return adapter;
}
