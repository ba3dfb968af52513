import { z } from "zod";
import { type AgentTool, defineTool, text } from "./types.js";

/** Matches tool_search returns by default and at most: enough to choose from, few tokens. */
const DEFAULT_SEARCH_RESULTS = 8;
const MAX_SEARCH_RESULTS = 25;
/** A description in search results is cut here; tool_describe gives it whole. */
const SEARCH_DESCRIPTION_CHARS = 200;

/** How well `tool` matches the query's words: name hits count more than description hits. */
function score(tool: AgentTool, words: readonly string[]): number {
  const name = tool.name.toLowerCase();
  const description = tool.description.toLowerCase();
  let total = 0;
  for (const word of words) {
    if (name.includes(word)) total += 3;
    if (description.includes(word)) total += 1;
  }
  return total;
}

/**
 * OpenClaw's structured Tool Search over `catalog` (tools kept out of the model's list):
 * `tool_search` finds tools by words, `tool_describe` gives one tool's full description
 * and JSON Schema, `tool_call` runs it. The catalog is already filtered by the agent's
 * tool policy, so these reach nothing the policy denies.
 */
export function createToolSearchTools(catalog: readonly AgentTool[]): AgentTool[] {
  const byName = new Map(catalog.map((tool) => [tool.name, tool]));
  const unknown = (name: string) =>
    text(`no tool named ${name} in the catalog; use tool_search to find the exact name`, true);
  return [
    defineTool({
      name: "tool_search",
      group: "mcp",
      description: `Search ${catalog.length} more tools (from MCP servers) by what they do. Returns names and short descriptions; then tool_describe one and tool_call it.`,
      params: z.strictObject({
        query: z.string().min(1).describe("words describing the task, e.g. 'create github issue'"),
        limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).optional(),
      }),
      async execute({ query, limit }) {
        const words = query
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .filter(Boolean);
        const hits = catalog
          .map((tool) => ({ tool, score: score(tool, words) }))
          .filter((hit) => hit.score > 0)
          .sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name))
          .slice(0, limit ?? DEFAULT_SEARCH_RESULTS)
          .map(({ tool }) => ({
            name: tool.name,
            description: tool.description.slice(0, SEARCH_DESCRIPTION_CHARS),
          }));
        return text(JSON.stringify({ tools: hits }));
      },
    }),
    defineTool({
      name: "tool_describe",
      group: "mcp",
      description: "Show one catalog tool's full description and the JSON Schema of its arguments.",
      params: z.strictObject({ name: z.string().min(1) }),
      async execute({ name }) {
        const tool = byName.get(name);
        if (!tool) return unknown(name);
        const parameters = tool.inputSchema ?? z.toJSONSchema(tool.params, { io: "input" });
        return text(JSON.stringify({ name, description: tool.description, parameters }));
      },
    }),
    defineTool({
      name: "tool_call",
      group: "mcp",
      description: "Call a catalog tool found with tool_search, with arguments matching its schema.",
      params: z.strictObject({
        name: z.string().min(1),
        arguments: z.record(z.string(), z.unknown()).optional(),
      }),
      async execute({ name, arguments: args }, ctx) {
        const tool = byName.get(name);
        if (!tool) return unknown(name);
        const parsed = tool.params.safeParse(args ?? {});
        if (!parsed.success) return text(`invalid arguments for ${name}: ${parsed.error.message}`, true);
        return tool.execute(parsed.data, ctx);
      },
    }),
  ];
}
