import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type AgentTool, defineTool, type ToolResult } from "../tools/types.js";
import type { McpServerConnection } from "./connection.js";
import type { McpToolInfo } from "./sdk.js";

/**
 * Text the model gets from one MCP tool call: like exec's output cap, 64 KiB keeps a
 * useful result (a page, a query's rows) and keeps one call from eating the context.
 */
export const MCP_RESULT_MAX_CHARS = 64 * 1024;
/** A server's tool description is cut here: descriptions are untrusted and cost prompt tokens. */
const MCP_DESCRIPTION_MAX_CHARS = 1024;

/** MCP arguments are one JSON object; the server validates them against its own schema. */
const mcpArguments = z.record(z.string(), z.unknown());

/** The schema the model sees: the server's, as long as it describes an object. */
function modelSchema(info: McpToolInfo): Record<string, unknown> {
  const schema = info.inputSchema as Record<string, unknown> | undefined;
  if (schema && schema.type === "object") return schema;
  return { type: "object", properties: {}, additionalProperties: true };
}

/** One content block as text: images and audio are named, not inlined (the result is text only). */
function blockText(block: CallToolResult["content"][number]): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return `[${block.type} ${block.mimeType}, ${Math.round((block.data.length * 3) / 4)} bytes, not shown]`;
    case "resource":
      return "text" in block.resource ? block.resource.text : `[resource ${block.resource.uri}, binary]`;
    case "resource_link":
      return `[resource ${block.uri}${block.name ? ` (${block.name})` : ""}]`;
    default:
      return "";
  }
}

/** An MCP result as the tool result the model reads, cut to `MCP_RESULT_MAX_CHARS`. */
export function toToolResult(result: CallToolResult): ToolResult {
  let out = (result.content ?? []).map(blockText).filter(Boolean).join("\n");
  if (!out && result.structuredContent !== undefined) out = JSON.stringify(result.structuredContent);
  if (out.length > MCP_RESULT_MAX_CHARS) {
    const dropped = out.length - MCP_RESULT_MAX_CHARS;
    out = `${out.slice(0, MCP_RESULT_MAX_CHARS)}\n[... ${dropped} more characters cut: the result is over ${MCP_RESULT_MAX_CHARS}]`;
  }
  return {
    content: [{ type: "text", text: out || "(no output)" }],
    ...(result.isError ? { isError: true } : {}),
  };
}

/** Agent tools for one server's discovered tools, under their qualified names. */
export function agentToolsFor(
  connection: McpServerConnection,
  names: ReadonlyMap<string, string>,
): AgentTool[] {
  const deferred = connection.config.toolSearch === true;
  return connection.tools().map((info) =>
    defineTool({
      name: names.get(info.name) ?? info.name,
      group: "mcp",
      description: `[MCP ${connection.name}] ${(info.description ?? info.name).slice(0, MCP_DESCRIPTION_MAX_CHARS)}`,
      params: mcpArguments,
      inputSchema: modelSchema(info),
      ...(deferred ? { deferred } : {}),
      async execute(args, ctx) {
        return toToolResult(await connection.call(info.name, args, ctx.signal));
      },
    }),
  );
}
