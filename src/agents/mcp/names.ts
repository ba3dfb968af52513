import { createHash } from "node:crypto";
import { globMatches } from "../tools/glob.js";

/**
 * Model providers accept tool names of at most 64 characters from [a-zA-Z0-9_-]
 * (OpenAI and Anthropic both; Gemini allows fewer characters but as many).
 */
export const MAX_TOOL_NAME_LENGTH = 64;
/** Longest server prefix, so the MCP tool's own name keeps most of the 64 characters. */
const MAX_SERVER_PREFIX_LENGTH = 24;
/** Between the server prefix and the tool's name (OpenClaw's `docs__search`). */
export const SERVER_SEPARATOR = "__";

const UNSAFE = /[^A-Za-z0-9_-]/g;

/**
 * The provider-safe prefix for a server name, as OpenClaw derives it: characters
 * outside [A-Za-z0-9_-] become `-`, lower case, `mcp-` in front of a name that does
 * not start with a letter ("Outlook Graph" → `outlook-graph`).
 */
export function serverPrefix(server: string): string {
  let prefix = server.replace(UNSAFE, "-").toLowerCase();
  if (!/^[a-z]/.test(prefix)) prefix = `mcp-${prefix}`;
  return prefix.slice(0, MAX_SERVER_PREFIX_LENGTH);
}

const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 6);

/**
 * Agent tool names for each server's MCP tools: `<prefix>__<tool>`, unique, valid for
 * every provider. Two servers with the same prefix get `-2`, `-3`…; a name too long or
 * a clash after sanitising keeps its start and ends in a hash of the original.
 */
export function qualifyToolNames(
  servers: ReadonlyMap<string, readonly string[]>,
): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const prefixes = new Set<string>();
  const taken = new Set<string>();
  for (const server of [...servers.keys()].sort()) {
    let prefix = serverPrefix(server);
    for (let n = 2; prefixes.has(prefix); n++) prefix = `${serverPrefix(server).slice(0, 20)}-${n}`;
    prefixes.add(prefix);
    const names = new Map<string, string>();
    for (const tool of servers.get(server) ?? []) {
      let name = `${prefix}${SERVER_SEPARATOR}${tool.replace(UNSAFE, "-")}`;
      if (name.length > MAX_TOOL_NAME_LENGTH || taken.has(name)) {
        const hash = shortHash(`${server}\u0000${tool}`);
        name = `${name.slice(0, MAX_TOOL_NAME_LENGTH - hash.length - 1)}-${hash}`;
      }
      taken.add(name);
      names.set(tool, name);
    }
    out.set(server, names);
  }
  return out;
}

/** `toolFilter`: include (when given) then exclude, by the server's own tool names. */
export function passesToolFilter(
  tool: string,
  filter: { include?: readonly string[] | undefined; exclude?: readonly string[] | undefined } | undefined,
): boolean {
  if (filter?.include && !filter.include.some((p) => globMatches(p, tool))) return false;
  return !filter?.exclude?.some((p) => globMatches(p, tool));
}
