/** A model reference or provider config that cannot be used; the message says what to change. */
export class ModelConfigError extends Error {
  override name = "ModelConfigError";
}

/** No credential for a provider. The message names the variable or profile to set, never a value. */
export class MissingApiKeyError extends Error {
  override name = "MissingApiKeyError";
  constructor(
    readonly provider: string,
    envKeys: string[],
    agentId: string,
  ) {
    const env = envKeys.length ? `set ${envKeys.join(" or ")}, ` : "";
    super(
      `No API key for provider "${provider}": ${env}add an auth profile "${provider}:default" to ` +
        `agents/${agentId}/agent/auth-profiles.json, or set models.providers.${provider}.apiKey.`,
    );
  }
}
