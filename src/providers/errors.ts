/** A model reference or provider config that cannot be used; the message says what to change. */
export class ModelConfigError extends Error {
  override name = "ModelConfigError";
}

/** No credential for a provider. The message names the variable or profile to set, never a value. */
export class MissingApiKeyError extends Error {
  override name = "MissingApiKeyError";
  constructor(
    readonly provider: string,
    envKeys: readonly string[],
    agentId: string,
  ) {
    const env = envKeys.length ? `set ${envKeys.join(" or ")}, ` : "";
    // A custom provider has no env variable of its own: OpenClaw's way is `${VAR}` in the config.
    const fromEnv = envKeys.length
      ? ""
      : ` (e.g. "\${${envNameFor(provider)}}" to read it from the environment)`;
    super(
      `No API key for provider "${provider}": ${env}add an auth profile "${provider}:default" to ` +
        `agents/${agentId}/agent/auth-profiles.json, or set models.providers.${provider}.apiKey${fromEnv}.`,
    );
  }
}

/** An example variable name for a custom provider's key: `my-proxy` → `MY_PROXY_API_KEY`. */
function envNameFor(provider: string): string {
  return `${provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`;
}
