/**
 * The phone providers of the voice-call plugin, chosen by `config.provider`. Each
 * maps its API onto the one contract in types.ts; the call manager speaks only that.
 */
import { createTelnyxProvider, type TelnyxConfig } from "./telnyx.js";
import { createTwilioProvider, type TwilioConfig } from "./twilio.js";
import type { VoiceProvider } from "./types.js";

export { VoiceApiError, VoiceTransportError } from "./api.js";
export { statusCallbackUrl } from "./twilio.js";
export type * from "./types.js";

/** The provider part of `plugins.entries["voice-call"].config`. */
export interface VoiceProviderConfig {
  provider?: string;
  twilio?: TwilioConfig;
  telnyx?: TelnyxConfig;
}

export interface VoiceProviderOptions {
  /** The provider's REST API root (tests point it at a fake). */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

export function createVoiceProvider(
  config: VoiceProviderConfig,
  options: VoiceProviderOptions = {},
): VoiceProvider {
  switch (config.provider) {
    case "twilio":
      return createTwilioProvider(config.twilio ?? {}, options);
    case "telnyx":
      return createTelnyxProvider(config.telnyx ?? {}, options);
    default:
      throw new Error(
        `plugins.entries["voice-call"].config.provider is ${config.provider ? `"${config.provider}", which is not supported` : "missing"}: set it to "twilio" or "telnyx"`,
      );
  }
}
