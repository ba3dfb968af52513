import path from "node:path";
import { resolveUserPath } from "../config/paths.js";
import { resolveDefaultAgentId } from "../routing/bindings.js";
import { normalizeAgentId } from "../routing/session-key.js";
import type { ToolPolicy } from "./tools/index.js";
import { WEB_SEARCH_PROVIDERS } from "./tools/web-search.js";

type ModelSetting = string | { primary?: string; fallbacks?: string[] };

/** The slice of `openclaw.json` the agent runtime reads (the full config satisfies it). */
export interface AgentsConfigView {
  agents?: {
    defaults?: {
      model?: ModelSetting;
      workspace?: string;
      maxConcurrent?: number;
      timeoutSeconds?: number;
      contextTokens?: number;
    };
    list?: {
      id: string;
      default?: boolean;
      name?: string;
      workspace?: string;
      model?: ModelSetting;
      tools?: ToolPolicy;
      groupChat?: { mentionPatterns?: string[] };
    }[];
  };
  tools?: ToolPolicy;
  /** Read for the web_search providers' settings (`plugins.entries.<id>.config.webSearch`). */
  plugins?: { entries?: Record<string, { config?: Record<string, unknown> }> };
}

export interface ResolvedAgent {
  id: string;
  name: string;
  isDefault: boolean;
  workspace: string;
  /** Model refs or aliases, primary first; empty when none is configured. */
  models: string[];
  tools: ToolPolicy;
  timeoutSeconds: number;
  /** `agents.defaults.contextTokens`: the window to fit a conversation in (else the model's). */
  contextTokens?: number;
  mentionPatterns: string[];
}

export const DEFAULT_TIMEOUT_SECONDS = 600;
export const DEFAULT_MAX_CONCURRENT = 4;

function modelChain(setting: ModelSetting | undefined, fallback: string[]): string[] {
  if (setting === undefined) return fallback;
  if (typeof setting === "string") return [setting, ...fallback.slice(1)];
  // An agent's {primary, fallbacks} overrides both; `fallbacks: []` turns the global ones off.
  const primary = setting.primary ?? fallback[0];
  return [...(primary ? [primary] : []), ...(setting.fallbacks ?? fallback.slice(1))];
}

/** The agent `agentId` as the runtime needs it, with OpenClaw's defaults filled in. */
export function resolveAgent(config: AgentsConfigView, agentId: string, stateDir: string): ResolvedAgent {
  const id = normalizeAgentId(agentId);
  const defaults = config.agents?.defaults ?? {};
  const list = config.agents?.list ?? [];
  const entry = list.find((a) => normalizeAgentId(a.id) === id);
  const isDefault = resolveDefaultAgentId(list) === id;
  const defaultWorkspace = isDefault
    ? (defaults.workspace ?? path.join(stateDir, "workspace"))
    : path.join(stateDir, `workspace-${id}`);
  const globalChain = modelChain(defaults.model, []);
  return {
    id,
    name: entry?.name ?? id,
    isDefault,
    workspace: resolveUserPath(entry?.workspace ?? defaultWorkspace),
    models: modelChain(entry?.model, globalChain),
    tools: { ...config.tools, ...entry?.tools, searchPlugins: searchPlugins(config) },
    timeoutSeconds: defaults.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    ...(defaults.contextTokens ? { contextTokens: defaults.contextTokens } : {}),
    mentionPatterns: entry?.groupChat?.mentionPatterns ?? [],
  };
}

/** The search providers' plugin settings, where OpenClaw keeps them (see tools/web-search.ts). */
function searchPlugins(config: AgentsConfigView): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const id of WEB_SEARCH_PROVIDERS) {
    const webSearch = config.plugins?.entries?.[id]?.config?.webSearch;
    if (webSearch && typeof webSearch === "object") out[id] = webSearch as Record<string, unknown>;
  }
  return out;
}
