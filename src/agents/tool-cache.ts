import type { ResolvedAgent } from "./agent-config.js";
import { type AgentTool, createToolSet, toolDefinitions } from "./tools/index.js";

const NO_TOOLS: readonly AgentTool[] = [];

export interface ToolSet {
  tools: AgentTool[];
  defs: ReturnType<typeof toolDefinitions>;
}

/**
 * Tools and their JSON Schemas per tool policy, built once per config: building the
 * schemas on every turn would cost more than the turn's own bookkeeping.
 */
export class ToolCache {
  private readonly sets = new Map<string, ToolSet>();
  private pluginTools: readonly AgentTool[] = NO_TOOLS;

  /** `pluginTools`: the tools plugins registered, read on every turn (plugins come and go on reload). */
  constructor(private readonly plugins?: () => readonly AgentTool[]) {}

  /** Forgets every set (a reloaded config may change tool policies). */
  clear(): void {
    this.sets.clear();
  }

  forAgent(agent: ResolvedAgent): ToolSet {
    const pluginTools = this.plugins?.() ?? NO_TOOLS;
    if (pluginTools !== this.pluginTools) {
      // A plugin was loaded or unloaded: its tools (new objects) replace the cached sets.
      this.sets.clear();
      this.pluginTools = pluginTools;
    }
    const key = JSON.stringify(agent.tools);
    let set = this.sets.get(key);
    if (!set) {
      const tools = createToolSet(agent.tools, pluginTools);
      set = { tools, defs: toolDefinitions(tools) };
      this.sets.set(key, set);
    }
    return set;
  }
}
