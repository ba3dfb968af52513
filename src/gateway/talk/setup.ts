import { createAuthProfileStore } from "../../providers/auth-profiles.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import type { TalkRealtimeConfig } from "./realtime.js";
import { canonical, unavailable } from "./voice-sessions.js";

/** The realtime providers served here (OpenClaw's ids). */
export const PROVIDERS = ["openai", "google"] as const;
export type Provider = (typeof PROVIDERS)[number];
export const served = (id: string | undefined): id is Provider => PROVIDERS.includes(id as Provider);

/**
 * The provider's key, in OpenClaw's order: `talk.realtime.providers.<id>.apiKey`, then the
 * agent's credentials for it (an auth profile, then the env: OPENAI_API_KEY; GEMINI_API_KEY
 * or GOOGLE_API_KEY; then `models.providers.<id>.apiKey`).
 */
export function realtimeKey(
  gateway: GatewayContext,
  realtime: TalkRealtimeConfig,
  provider: Provider,
  agentId: string,
) {
  const configured = realtime.providers?.[provider]?.apiKey?.trim();
  if (configured) return configured;
  try {
    const profiles = createAuthProfileStore({ stateDir: gateway.stateDir, agentId });
    return gateway.agents.registry().credentials(provider, profiles)[0]?.key;
  } catch {
    return undefined;
  }
}

const NOT_SET_UP =
  'Talk is not set up: set talk.realtime.provider to "openai" with an OpenAI key (talk.realtime.providers.openai.apiKey, or OPENAI_API_KEY), or to "google" with a Gemini key (talk.realtime.providers.google.apiKey, or GEMINI_API_KEY)';

/** What a new call needs from config: the provider, its key, the chat's canonical key; refused with a fix-it message. */
export function resolveTalk(gateway: GatewayContext, rawKey: string, asked: string | undefined) {
  const config = gateway.config().config;
  const realtime = (config.talk?.realtime ?? {}) as TalkRealtimeConfig;
  const provider = realtime.provider;
  if (!served(provider)) throw unavailable(NOT_SET_UP, "TALK_NOT_CONFIGURED");
  if (asked && asked !== provider) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `Talk is set up for "${provider}", not "${asked}"`,
    );
  }
  const key = canonical(gateway, rawKey);
  const agentId = gateway.agents.agentFor(key).id;
  const apiKey = realtimeKey(gateway, realtime, provider, agentId);
  if (!apiKey) throw unavailable(NOT_SET_UP, "TALK_NOT_CONFIGURED");
  return { config, realtime, provider, key, apiKey };
}
