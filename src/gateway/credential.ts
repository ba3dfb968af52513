import { createHash } from "node:crypto";
import { MIN_SECRET_LENGTH, SECRET_GENERATOR_HINT, weakSecretReason } from "../config/secret-strength.js";
import { OPERATOR_SCOPES, type OperatorScope } from "../infra/rpc.js";
import type { ResolvedAuth } from "../infra/shared-secret.js";

/**
 * What a credential is worth: the scopes it can grant, whether it is strong enough to
 * leave loopback, and an identity to tell when it was rotated.
 */

/**
 * The scopes a connection gets: what it asked for, cut to what its credential allows
 * (`gateway.auth.scopes`, default every operator scope). A client never widens its own
 * grant by asking, and an empty request gets nothing (OpenClaw: scopes are default-deny).
 */
export function grantScopes(
  auth: ResolvedAuth,
  requested: readonly string[] | undefined,
): { granted: Set<OperatorScope>; refused: string[] } {
  const ceiling: readonly OperatorScope[] = auth.scopes ?? OPERATOR_SCOPES;
  const granted = new Set<OperatorScope>();
  const refused: string[] = [];
  for (const scope of requested ?? []) {
    if (ceiling.includes(scope as OperatorScope)) granted.add(scope as OperatorScope);
    else refused.push(scope);
  }
  return { granted, refused };
}

/**
 * Identifies the credential a connection proved (and the scopes it may hold), without
 * keeping the secret: when it differs after a config change, the connection's
 * credential was rotated, removed or narrowed.
 */
export function credentialFingerprint(auth: ResolvedAuth): string {
  const secret = auth.mode === "token" ? auth.token : auth.mode === "password" ? auth.password : "";
  const scopes = [...(auth.scopes ?? OPERATOR_SCOPES)].sort().join(",");
  return createHash("sha256")
    .update(`${auth.mode}\0${secret ?? ""}\0${scopes}`)
    .digest("hex");
}

/** Close reason for connections whose credential stopped being the gateway's. */
export const CREDENTIAL_CHANGED_REASON = "gateway credential changed; reconnect with the new token";

/** Why the secret `auth` uses is too weak to leave loopback; undefined when it is fine (or there is none). */
export function weakGatewaySecret(auth: ResolvedAuth): string | undefined {
  if (auth.mode === "none") return undefined;
  const secret = auth.mode === "token" ? auth.token : auth.password;
  return secret === undefined ? "is missing" : weakSecretReason(secret);
}

/** Where the secret in use came from, in `resolveGatewayAuth`'s order: the flag, the env var, the file. */
export function gatewaySecretSource(
  mode: "token" | "password",
  cli: { token?: string; password?: string },
  env: NodeJS.ProcessEnv,
): string {
  if (cli[mode]) return `--${mode}`;
  const variable = mode === "token" ? "OPENCLAW_GATEWAY_TOKEN" : "OPENCLAW_GATEWAY_PASSWORD";
  return env[variable] ? variable : `gateway.auth.${mode}`;
}

interface SecretContext {
  bind: string;
  cli: { token?: string; password?: string };
  env: NodeJS.ProcessEnv;
}

/**
 * At start: a weak secret on a gateway reachable beyond loopback is a refusal (lines for
 * the log); on loopback only a warning, since only this machine can try it.
 */
export function checkStartSecret(
  auth: ResolvedAuth,
  where: SecretContext & { beyondLoopback: boolean },
): { refusal?: string[]; warning?: string } {
  const weak = weakGatewaySecret(auth);
  if (!weak || auth.mode === "none") return {};
  const source = gatewaySecretSource(auth.mode, where.cli, where.env);
  if (!where.beyondLoopback) {
    return { warning: `the gateway ${auth.mode} (${source}) ${weak}: fine on loopback, refused beyond it` };
  }
  return {
    refusal: [
      `Refusing to bind gateway to ${where.bind} with a weak ${auth.mode}: ${source} ${weak}.`,
      `Use at least ${MIN_SECRET_LENGTH} random characters; ${SECRET_GENERATOR_HINT}`,
      "(on Fly.io: `fly secrets set OPENCLAW_GATEWAY_TOKEN=$(openssl rand -hex 32)`).",
    ],
  };
}

/**
 * While running beyond loopback: the problem with the secret a config edit would put in
 * force (one line naming the key), if any. Edits that fail this are refused before they
 * are written (config.* RPC) or skipped (hand edits), so the running secret stays strong.
 */
export function liveSecretProblems(auth: ResolvedAuth, where: SecretContext): string[] {
  const reason = weakGatewaySecret(auth);
  if (!reason || auth.mode === "none") return [];
  const source = gatewaySecretSource(auth.mode, where.cli, where.env);
  return [
    `${source}: ${reason} while this gateway listens beyond loopback (bind=${where.bind}); ${SECRET_GENERATOR_HINT}`,
  ];
}

/** `operator.admin` grants everything; `operator.write` also grants read-scoped methods. */
export function hasScope(granted: ReadonlySet<OperatorScope>, needed: OperatorScope): boolean {
  if (granted.has("operator.admin") || granted.has(needed)) return true;
  return needed === "operator.read" && granted.has("operator.write");
}
