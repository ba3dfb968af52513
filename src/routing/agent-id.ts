/** Agent ids as OpenClaw normalizes them (src/routing/session-key.ts there). */

export const DEFAULT_AGENT_ID = "main";

/** `^[a-z0-9][a-z0-9_-]{0,63}$`: other characters become `-`; empty becomes `main`. */
export function normalizeAgentId(raw: string | undefined): string {
  const cleaned = (raw ?? "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, 64);
  return cleaned || DEFAULT_AGENT_ID;
}
