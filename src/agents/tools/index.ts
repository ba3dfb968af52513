import { z } from "zod";
import type { WebSearchSettings } from "../../config/schema/media.js";
import { createLogger } from "../../infra/logger.js";
import { execTool } from "./exec-tool.js";
import { editTool, readTool, writeTool } from "./fs-tools.js";
import { globMatches } from "./glob.js";
import { memoryGetTool, memorySearchTool } from "./memory-tools.js";
import { messageTool, sessionStatusTool } from "./session-tools.js";
import { createToolSearchTools } from "./tool-search.js";
import { type AgentTool, type ToolContext, ToolRefusal, type ToolResult, text } from "./types.js";
import { createWebFetchTool } from "./web-fetch.js";
import { createWebSearchTool, resolveSearchProvider, type SearchPluginConfigs } from "./web-search.js";

export type { AgentTool, ToolContext, ToolResult } from "./types.js";

const log = createLogger("tools");

export const TOOL_PROFILES = ["minimal", "coding", "messaging", "full"] as const;
export type ToolProfile = (typeof TOOL_PROFILES)[number];

export interface ToolPolicy {
  profile?: ToolProfile;
  allow?: readonly string[];
  deny?: readonly string[];
  web?: { fetch?: { allowPrivateNetwork?: boolean }; search?: WebSearchSettings };
  /**
   * `plugins.entries.<id>.config.webSearch` of the search providers (brave, searxng),
   * put here by resolveAgent: where OpenClaw keeps their key and base URL.
   */
  searchPlugins?: SearchPluginConfigs;
}

const PROFILE_GROUPS: Record<ToolProfile, readonly string[]> = {
  minimal: ["session_status"],
  // MCP tools are in coding and messaging as in OpenClaw (its `bundle-mcp`); minimal hides them.
  coding: ["group:fs", "group:runtime", "group:sessions", "group:memory", "group:web", "group:mcp"],
  messaging: ["group:messaging", "group:sessions", "group:mcp"],
  full: ["*"],
};

function matches(tool: AgentTool, patterns: readonly string[]): boolean {
  return patterns.some(
    (p) =>
      p === "*" ||
      p === tool.name ||
      p === `group:${tool.group}` ||
      (p === "bash" && tool.name === "exec") ||
      // OpenClaw's names for MCP tools: the `bundle-mcp` plugin, among `group:plugins`.
      (tool.group === "mcp" && (p === "bundle-mcp" || p === "group:plugins")) ||
      globMatches(p, tool.name),
  );
}

/**
 * The tools an agent may use: the profile's set (default `full`), plus `tools.allow`,
 * minus `tools.deny` (deny wins). Names, `group:<name>` and `*` are accepted.
 * Tools from plugins are in `group:plugins`: in the `full` profile, or allowed by name.
 * `web_search` is in the set only when a search provider is configured (`env` holds BRAVE_API_KEY…).
 * Allowed tools marked `deferred` (MCP servers in tool-search mode) are replaced by
 * tool_search / tool_describe / tool_call over them, so policy applies to those too.
 */
export function createToolSet(
  policy: ToolPolicy = {},
  pluginTools: readonly AgentTool[] = [],
  env: NodeJS.ProcessEnv = process.env,
): AgentTool[] {
  const search = { settings: policy.web?.search, plugins: policy.searchPlugins };
  const all = [
    readTool,
    writeTool,
    editTool,
    execTool,
    // Only the known switch: tools.web.fetch is a loose config object, its other keys are not ours.
    createWebFetchTool({ allowPrivateNetwork: policy.web?.fetch?.allowPrivateNetwork === true }),
    // Offered once a provider is configured (or chosen): a model never sees a search it cannot run.
    ...(resolveSearchProvider(search, env) ? [createWebSearchTool(search, env)] : []),
    messageTool,
    sessionStatusTool,
    memorySearchTool,
    memoryGetTool,
    ...pluginTools,
  ];
  const base = PROFILE_GROUPS[policy.profile ?? "full"];
  const allowed = all.filter(
    (tool) => (matches(tool, base) || matches(tool, policy.allow ?? [])) && !matches(tool, policy.deny ?? []),
  );
  const deferred = allowed.filter((tool) => tool.deferred);
  if (deferred.length === 0) return allowed;
  return [...allowed.filter((tool) => !tool.deferred), ...createToolSearchTools(deferred)];
}

/** Tool descriptions for a model request (parameters as JSON Schema). */
export function toolDefinitions(tools: readonly AgentTool[]) {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.inputSchema ?? (z.toJSONSchema(tool.params, { io: "input" }) as Record<string, unknown>),
  }));
}

/**
 * Runs one tool call from the model. Arguments are validated first; a refusal or a
 * failure comes back as an error result the model can read, never as a throw.
 */
export async function runTool(
  tools: readonly AgentTool[],
  name: string,
  args: unknown,
  ctx: ToolContext,
): Promise<ToolResult> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return text(`unknown or disallowed tool: ${name}`, true);
  const parsed = tool.params.safeParse(args ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(args)"}: ${i.message}`)
      .join("; ");
    return text(`invalid arguments for ${name}: ${problems}`, true);
  }
  try {
    return await tool.execute(parsed.data, ctx);
  } catch (err) {
    if (err instanceof ToolRefusal) return text(`${name} refused: ${err.message}`, true);
    log.warn(`tool ${name} failed: ${(err as Error).message}`);
    return text(`${name} failed: ${(err as Error).message}`, true);
  }
}
