/** Reporting the OpenClaw-only keys a config has (./openclaw-compat.ts finds them). */

/** Appended to the name of each such key wherever it is reported (log, `config validate`, `doctor`). */
export const OPENCLAW_ONLY_NOTE = "accepted for OpenClaw compatibility, not supported yet";

/**
 * Reports each OpenClaw-only key once per process (start, then only keys a reload adds):
 * one line naming the key, never its value.
 */
/** Keys already reported by this process: a config reload names only the new ones. */
export const reportedOpenClawOnly = new Set<string>();

export function reportOpenClawOnly(
  keys: readonly string[],
  reported: Set<string>,
  warn: (msg: string) => void,
): void {
  for (const key of keys) {
    if (reported.has(key)) continue;
    reported.add(key);
    warn(`config key ${key}: ${OPENCLAW_ONLY_NOTE}`);
  }
}
