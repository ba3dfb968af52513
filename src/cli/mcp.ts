import type { Command } from "commander";

/** Loaded on use, so `openclaw --help` stays instant and the MCP code loads only here. */
const actions = () => import("./mcp-actions.js");

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `openclaw mcp list|add|remove|doctor` (OpenClaw's names and flags; `unset` is OpenClaw's
 * name for remove). They read and write `mcp.servers` in openclaw.json, through the running
 * gateway when there is one; only `add` (unless --no-probe) and `doctor --probe` connect.
 */
export function registerMcpCommands(program: Command): void {
  const mcp = program.command("mcp").description("manage the MCP servers agents take tools from");
  mcp
    .command("list")
    .description("list saved MCP servers (sorted by name)")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await (await actions()).mcpList(flags);
    });
  mcp
    .command("add <name>")
    .description("save an MCP server: stdio (--command, --arg, --cwd, --env) or remote (--url, --header)")
    .option("--command <command>", "stdio: executable to start")
    .option("--arg <arg>", "stdio: one argument (repeat for more)", collect)
    .option("--cwd <dir>", "stdio: working directory")
    .option("--env <KEY=VALUE>", "stdio: one environment variable (repeat for more)", collect)
    .option("--url <url>", "remote server URL")
    .option("--transport <transport>", "stdio, sse or streamable-http")
    .option("--header <Name: value>", "remote: one HTTP header (repeat for more)", collect)
    .option("--include <csv>", "only these tool names (exact or * globs)")
    .option("--exclude <csv>", "hide these tool names (exact or * globs)")
    .option("--timeout <seconds>", "per tool call timeout")
    .option("--connect-timeout <seconds>", "start and tool listing timeout")
    .option("--tool-search", "reach its tools through tool_search / tool_describe / tool_call")
    .option("--disabled", "save it without connecting it")
    .option("--no-probe", "save without connecting first")
    .option("--json", "print JSON")
    .action(async (name: string, flags: Record<string, unknown>) => {
      process.exitCode = await (await actions()).mcpAdd(name, flags);
    });
  for (const verb of ["remove", "unset"]) {
    mcp
      .command(`${verb} <name>`)
      .description("remove a saved MCP server (its process stops at once in a running gateway)")
      .action(async (name: string) => {
        process.exitCode = await (await actions()).mcpRemove(name);
      });
  }
  mcp
    .command("doctor [name]")
    .description("check saved servers for setup problems; --probe also connects and lists tools")
    .option("--probe", "connect to each enabled server")
    .option("--json", "print JSON")
    .action(async (name: string | undefined, flags: { probe?: boolean; json?: boolean }) => {
      process.exitCode = await (await actions()).mcpDoctor(name, flags);
    });
}
