import type { GatewayConfig } from "../config/schema.js";
import type { AuthMode, AuthResult, ResolvedAuth } from "../infra/shared-secret.js";

/**
 * The shared secret clients must present. Precedence: `--token`/`--password`, then
 * `OPENCLAW_GATEWAY_TOKEN`/`OPENCLAW_GATEWAY_PASSWORD` (so rotating a Fly secret takes
 * effect on restart even if the file has an old value), then `gateway.auth.*`.
 */
export function resolveGatewayAuth(
  gateway: GatewayConfig | undefined,
  env: NodeJS.ProcessEnv,
  cli: { token?: string; password?: string } = {},
): ResolvedAuth {
  const token = cli.token || env.OPENCLAW_GATEWAY_TOKEN || gateway?.auth?.token || undefined;
  const password = cli.password || env.OPENCLAW_GATEWAY_PASSWORD || gateway?.auth?.password || undefined;
  const explicit = gateway?.auth?.mode;
  const mode: AuthMode = explicit ?? (password && !token ? "password" : token ? "token" : "none");
  const scopes = gateway?.auth?.scopes;
  return { mode, token, password, ...(scopes ? { scopes } : {}) };
}

export const AUTH_FAILURE_MESSAGES: Record<Exclude<AuthResult, { ok: true }>["reason"], string> = {
  token_missing:
    "unauthorized: gateway token missing (set connect.params.auth.token to this gateway's token)",
  token_mismatch:
    "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or OPENCLAW_GATEWAY_TOKEN)",
  password_missing: "unauthorized: gateway password missing (set connect.params.auth.password)",
  password_mismatch: "unauthorized: gateway password mismatch",
  rate_limited: "unauthorized: too many failed authentication attempts; try again later",
};
