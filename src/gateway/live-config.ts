import type { ConfigSnapshot } from "../config/load.js";
import { reportedOpenClawOnly, reportOpenClawOnly } from "../config/openclaw-only.js";
import { resolveLogDir, resolveUserPath } from "../config/paths.js";
import type { ReloadPlan } from "../config/reload.js";
import { configureLogging, envLogThreshold, type Logger, registerSecret } from "../infra/logger.js";
import { type AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../infra/rate-limit.js";
import type { ResolvedAuth } from "../infra/shared-secret.js";
import { resolveGatewayAuth } from "./auth.js";
import { credentialFingerprint } from "./credential.js";

export interface LiveConfigState {
  snapshot: ConfigSnapshot;
  auth: ResolvedAuth;
}

/**
 * What the running gateway does with a new config snapshot: swap it in, re-resolve
 * the shared secret (token rotation is live and closes the connections that proved the
 * old one; an auth *mode* change waits for a restart, since clients connected under the
 * old mode), re-apply logging and the auth rate limit. Settings in the plan's `restart`
 * list stay as started.
 */
export function gatewayConfigApplier(deps: {
  current: LiveConfigState;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  cli: { token?: string; password?: string; verbose?: boolean };
  rateLimiter: AuthRateLimiter;
  log: Logger;
  /** Called with the new credential's fingerprint when the secret (or its scopes) changed. */
  onCredentialChanged(fingerprint: string): void;
}): (next: ConfigSnapshot, plan: ReloadPlan) => void {
  return (next) => {
    const { current, env, cli } = deps;
    const auth = resolveGatewayAuth(next.config.gateway, env, cli);
    registerSecret(auth.token);
    registerSecret(auth.password);
    if (auth.mode === current.auth.mode) {
      const before = credentialFingerprint(current.auth);
      current.auth = auth;
      const after = credentialFingerprint(auth);
      // Connections proved the old secret, not the new one: they must prove the new one.
      if (after !== before) deps.onCredentialChanged(after);
    }
    current.snapshot = next;
    reportOpenClawOnly(next.openClawOnly, reportedOpenClawOnly, (msg) => deps.log.warn(msg));
    deps.rateLimiter.configure({ ...DEFAULT_RATE_LIMIT, ...next.config.gateway?.auth?.rateLimit });
    const logging = next.config.logging;
    configureLogging({
      fileLevel: envLogThreshold(env) ?? logging?.level ?? "info",
      consoleLevel: cli.verbose ? "debug" : (envLogThreshold(env) ?? logging?.consoleLevel ?? "info"),
      ...(logging?.file
        ? { file: resolveUserPath(logging.file, env) }
        : { dir: resolveLogDir(deps.stateDir) }),
    });
  };
}
