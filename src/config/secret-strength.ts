/** How strong a gateway or webhook secret must be: shared by the config schema and the gateway start. */

/**
 * Shortest secret (gateway token/password off loopback, Telegram webhook secret) we accept:
 * 16 random characters is at least 64 bits from a hex generator, out of reach of online
 * guessing behind the auth rate limit; anything shorter is typed by hand and guessable.
 */
export const MIN_SECRET_LENGTH = 16;
/** What every weak-secret message tells the user to run. */
export const SECRET_GENERATOR_HINT = "generate one with `openssl rand -hex 32`";

/** Why `secret` is too weak, or undefined; surrounding whitespace does not count. */
export function weakSecretReason(secret: string): string | undefined {
  const length = secret.trim().length;
  if (length === 0) return "is empty or only whitespace";
  if (length < MIN_SECRET_LENGTH) {
    return `is ${length} character${length === 1 ? "" : "s"} long; at least ${MIN_SECRET_LENGTH} are needed`;
  }
  return undefined;
}
