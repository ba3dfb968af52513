import path from "node:path";
import type { ChannelFactoryContext } from "../registry.js";
import type { ChannelAdapter } from "../types.js";
import { createWhatsAppChannel, type WhatsAppChannelOptions } from "./index.js";

/**
 * `channels.whatsapp` → the adapter; the linked session under `<state>/credentials/whatsapp/default/`.
 * `transport.makeSocket` replaces Baileys' socket (tests run the gateway on a fake one).
 */
export async function createWhatsAppFromConfig(
  ctx: ChannelFactoryContext,
  transport: Pick<WhatsAppChannelOptions, "makeSocket"> = {},
): Promise<ChannelAdapter | undefined> {
  const s = ctx.section;
  const accountId = "default";
  const authDir =
    typeof s.authDir === "string" && s.authDir
      ? path.resolve(ctx.stateDir, s.authDir)
      : path.join(ctx.stateDir, "credentials", "whatsapp", accountId);
  const adapter: ChannelAdapter = createWhatsAppChannel({
    authDir,
    accountId,
    allowFrom: s.allowFrom as (string | number)[] | undefined,
    selfChatMode: s.selfChatMode as boolean | undefined,
    textChunkLimit: s.textChunkLimit as number | undefined,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
    ...transport,
  });
  return adapter;
}
