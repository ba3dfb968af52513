import type { z } from "zod";
import type { MemoryIndex } from "../../memory/index.js";
import type { OutboundPort, OutboundTarget } from "../outbound.js";

export interface ToolText {
  type: "text";
  text: string;
}

/** What a tool hands back to the model; `isError` marks a refusal or failure the model should see. */
export interface ToolResult {
  content: ToolText[];
  isError?: boolean;
}

export interface ToolContext {
  /** The agent's workspace: cwd for exec, the root file tools are confined to. */
  workspace: string;
  agentId: string;
  sessionKey: string;
  signal: AbortSignal;
  /** The chat apps (the `message` tool); absent when no channel is wired. */
  outbound?: OutboundPort;
  /** Where this turn's reply goes, when the message came from a chat app. */
  replyTo?: OutboundTarget;
  /** Session facts for `session_status`. */
  sessionStatus?: () => Record<string, unknown>;
  /** The agent's memory index (memory_search); absent when memory search is off. */
  memory?: () => MemoryIndex;
  /** Skills: the folders of eligible skills (the read tool may read there) and a skill's env for exec. */
  skills?: SkillAccess;
}

export interface SkillAccess {
  /** Real paths of the eligible skills' folders. */
  dirs(): readonly string[];
  /** The env `skills.entries.<name>` gives that skill's commands; undefined for an unknown or ineligible skill. */
  env(name: string): Record<string, string> | undefined;
}

export interface AgentTool<P = unknown> {
  name: string;
  /** Tool group (`group:fs`, …) for `tools.allow` / `tools.deny` and profiles. */
  group: "fs" | "runtime" | "web" | "messaging" | "sessions" | "memory" | "automation" | "plugins" | "mcp";
  description: string;
  params: z.ZodType<P>;
  /** The JSON Schema the model sees, when it comes from elsewhere (an MCP server) rather than `params`. */
  inputSchema?: Record<string, unknown>;
  /**
   * Kept out of the model's tool list and reached through tool_search / tool_describe /
   * tool_call instead (MCP servers with many tools).
   */
  deferred?: boolean;
  execute(params: P, ctx: ToolContext): Promise<ToolResult>;
}

export function defineTool<P>(tool: AgentTool<P>): AgentTool<unknown> {
  return tool as AgentTool<unknown>;
}

export const text = (t: string, isError = false): ToolResult => ({
  content: [{ type: "text", text: t }],
  ...(isError ? { isError } : {}),
});

/** A refusal the model can read and act on (wrong path, too big, not allowed). */
export class ToolRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolRefusal";
  }
}
