import { configEnvVars } from "./load.js";
import type { OpenClawConfig } from "./schema.js";

/**
 * Where credentials come from, in one place. OpenClaw's rule: an environment
 * variable wins over the same secret in openclaw.json, so rotating a Fly secret
 * (`fly secrets set …`) takes effect without editing the file. Env tokens apply to a
 * channel's default account only; named accounts carry their own token. Model provider
 * keys have their own table in providers/env-api-keys.ts.
 */

/** Env variable for each channel's default-account token, and the config key it overrides. */
export const channelTokenSources = {
  discord: { env: "DISCORD_BOT_TOKEN", key: "token" },
  telegram: { env: "TELEGRAM_BOT_TOKEN", key: "botToken" },
  slack: { env: "SLACK_BOT_TOKEN", key: "botToken" },
} as const;

/** Other channel credentials with an env fallback (default account only, like the tokens above). */
export const channelSecretSources = {
  slackApp: { channel: "slack", env: "SLACK_APP_TOKEN", key: "appToken" },
} as const;

export type TokenChannel = keyof typeof channelTokenSources;

export interface ResolvedSecret {
  value: string | undefined;
  /** Where it came from, for logs and doctor (never the value itself). */
  source: string | undefined;
}

/** The process environment, with the config's `env` section filling gaps (never overriding). */
function effectiveEnv(config: OpenClawConfig, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...configEnvVars(config), ...Object.fromEntries(Object.entries(env).filter(([, v]) => v)) };
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== "";
}

/**
 * A channel account's bot token: for the default account `DISCORD_BOT_TOKEN` /
 * `TELEGRAM_BOT_TOKEN` / `SLACK_BOT_TOKEN` first, then the config (`accounts.<id>` for named accounts).
 */
export function resolveChannelToken(
  config: OpenClawConfig,
  channel: TokenChannel,
  env: NodeJS.ProcessEnv = process.env,
  accountId = "default",
): ResolvedSecret {
  return resolveChannelSecret(config, { channel, ...channelTokenSources[channel] }, env, accountId);
}

/** A channel credential (`channelSecretSources`): env first for the default account, then the config. */
export function resolveChannelSecret(
  config: OpenClawConfig,
  source: { channel: string; env: string; key: string },
  env: NodeJS.ProcessEnv = process.env,
  accountId = "default",
): ResolvedSecret {
  const { channel, env: envName, key } = source;
  env = effectiveEnv(config, env);
  const section = (config.channels as Record<string, unknown> | undefined)?.[channel] as
    | Record<string, unknown>
    | undefined;
  const accounts = section?.accounts as Record<string, Record<string, unknown>> | undefined;
  const isDefault = accountId === "default";
  if (isDefault && present(env[envName])) return { value: env[envName], source: `env ${envName}` };
  const fromAccount = accounts?.[accountId]?.[key];
  if (typeof fromAccount === "string" && present(fromAccount)) {
    return { value: fromAccount, source: `channels.${channel}.accounts.${accountId}.${key}` };
  }
  const fromSection = section?.[key];
  if (isDefault && typeof fromSection === "string" && present(fromSection)) {
    return { value: fromSection, source: `channels.${channel}.${key}` };
  }
  return { value: undefined, source: undefined };
}
