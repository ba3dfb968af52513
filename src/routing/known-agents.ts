import { DEFAULT_AGENT_ID, normalizeAgentId } from "./agent-id.js";

/**
 * The one check that an agent id or session key from outside (WS methods, the OpenAI
 * endpoint, the CLI, plugins) names an agent that exists. Without it, `agent:ghost:x`
 * ran as an agent nobody configured, with the global tools instead of the per-agent
 * policy (`agents.list[].tools.deny`) the operator set.
 */

export interface AgentListEntry {
  id: string;
  default?: boolean;
}

/** `agents.list[]` entry with `default: true`, else the first entry, else `main`. */
export function resolveDefaultAgentId(agents: readonly AgentListEntry[] | undefined): string {
  const chosen = agents?.find((a) => a.default) ?? agents?.[0];
  return normalizeAgentId(chosen?.id ?? DEFAULT_AGENT_ID);
}

/** An agent id that is not in `agents.list` (or not `main` when there is no list). */
export class UnknownAgentError extends Error {
  constructor(
    readonly agentId: string,
    readonly known: readonly string[],
  ) {
    super(
      `unknown agent "${agentId}" (known: ${known.join(", ")}); use one of those ids or add it to agents.list`,
    );
    this.name = "UnknownAgentError";
  }
}

/** A session key that is neither a plain name nor `agent:<id>:<rest>`. */
export class InvalidSessionKeyError extends Error {
  constructor(readonly sessionKey: string) {
    super(
      `invalid session key "${sessionKey.slice(0, 80)}": use a plain name (e.g. "main") or agent:<agentId>:<name>`,
    );
    this.name = "InvalidSessionKeyError";
  }
}

/**
 * The agents that exist: the ids in `agents.list`, or only `main` when there is no
 * list (agent-config resolves every agent from that list; without one, the runtime
 * only ever creates the default agent's sessions).
 */
export function knownAgentIds(agents: readonly AgentListEntry[] | undefined): string[] {
  if (!agents?.length) return [DEFAULT_AGENT_ID];
  return [...new Set(agents.map((a) => normalizeAgentId(a.id)))];
}

/** `raw` normalized, if it names a known agent; else UnknownAgentError. */
export function resolveKnownAgentId(agents: readonly AgentListEntry[] | undefined, raw: string): string {
  const id = normalizeAgentId(raw);
  const known = knownAgentIds(agents);
  if (!known.includes(id)) throw new UnknownAgentError(id, known);
  return id;
}
