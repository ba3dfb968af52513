import type { Command } from "commander";

/** Loaded on use, so `openclaw --help` stays instant and the MCP code loads only here. */
const actions = () => import("./mcp-actions.js");
const inspect = () => import("./mcp-inspect.js");
const edits = () => import("./mcp-edit.js");
const oauth = () => import("./mcp-oauth.js");

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `openclaw mcp …`: OpenClaw's subcommands, names and flags (`remove` is our alias of
 * `unset`). They read and write `mcp.servers` in openclaw.json, through the running
 * gateway when there is one; only `add` (unless --no-probe), `probe`, `configure --probe`
 * and `doctor --probe` connect to a server.
 */
export function registerMcpCommands(program: Command): void {
  const mcp = program.command("mcp").description("manage the MCP servers agents take tools from");
  registerInspect(mcp);
  registerEdits(mcp);
  mcp
    .command("list")
    .description("list saved MCP servers (sorted by name)")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await (await actions()).mcpList(flags);
    });
  oauthOptions(
    mcp
      .command("add <name>")
      .description("save an MCP server: stdio (--command, --arg, --cwd, --env) or remote (--url, --header)"),
  )
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

function registerInspect(mcp: Command): void {
  mcp
    .command("show [name]")
    .description("show one saved MCP server, or all of mcp.servers (secrets hidden)")
    .option("--json", "print JSON")
    .action(async (name: string | undefined, flags: { json?: boolean }) => {
      process.exitCode = await (await inspect()).mcpShow(name, flags);
    });
  mcp
    .command("status")
    .description("show each saved server's transport, timeouts and filter without connecting")
    .option("-v, --verbose", "show launch, timeout and filter details")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; verbose?: boolean }) => {
      process.exitCode = await (await inspect()).mcpStatus(flags);
    });
  mcp
    .command("probe [name]")
    .description("connect to enabled saved servers and list their tools and capabilities")
    .option("--json", "print JSON")
    .action(async (name: string | undefined, flags: { json?: boolean }) => {
      process.exitCode = await (await inspect()).mcpProbe(name, flags);
    });
}

function registerEdits(mcp: Command): void {
  mcp
    .command("set <name> <value>")
    .description('save one MCP server from a JSON object, e.g. {"command":"uvx","args":["context7-mcp"]}')
    .action(async (name: string, value: string) => {
      process.exitCode = await (await edits()).mcpSet(name, value);
    });
  mcp
    .command("tools <name>")
    .description("update which of a server's tools the agents get (toolFilter)")
    .option("--include <csv>", "only these MCP tool names (exact or * globs)")
    .option("--exclude <csv>", "hide these MCP tool names (exact or * globs)")
    .option("--clear", "remove the server's tool filter")
    .action(async (name: string, flags: Record<string, unknown>) => {
      process.exitCode = await (await edits()).mcpTools(name, flags);
    });
  const configure = mcp
    .command("configure <name>")
    .description("update enablement, tool filter and timeouts without replacing the server")
    .option("--enable", "enable this saved server")
    .option("--disable", "disable this saved server (it stays saved)")
    .option("--include <csv>", "only these MCP tool names (exact or * globs)")
    .option("--exclude <csv>", "hide these MCP tool names (exact or * globs)")
    .option("--clear-tools", "remove the server's tool filter")
    .option("--timeout <seconds>", "per tool call timeout")
    .option("--connect-timeout <seconds>", "start and tool listing timeout")
    .option("--clear-timeouts", "back to the default timeouts")
    .option("--probe", "connect with the new settings before saving");
  oauthOptions(configure).option("--clear-auth", "remove auth and oauth (back to static headers)");
  // OpenClaw's flags for what we lack: accepted so the command can say what to do instead.
  for (const flag of [
    "--approval <mode>",
    "--client-cert <path>",
    "--client-key <path>",
    "--clear-tls",
    "--parallel",
    "--no-parallel",
  ])
    configure.option(flag, "not supported yet (the command explains what to use instead)");
  configure.action(async (name: string, flags: Record<string, unknown>) => {
    process.exitCode = await (await edits()).mcpConfigure(name, flags);
  });
  mcp
    .command("reload")
    .description("reconnect the running gateway's MCP servers (they re-list their tools)")
    .action(async () => {
      process.exitCode = await (await edits()).mcpReload();
    });
  mcp
    .command("login <name>")
    .description("authorize an OAuth MCP server (prints the URL, waits for the browser's return)")
    .option(
      "--code <code>",
      "finish a sign-in with the code or the redirected URL (browser on another machine)",
    )
    .action(async (name: string, flags: { code?: string }) => {
      process.exitCode = await (await oauth()).mcpLogin(name, flags);
    });
  mcp
    .command("logout <name>")
    .description("clear stored OAuth credentials for an MCP server (the definition stays)")
    .action(async (name: string) => {
      process.exitCode = await (await oauth()).mcpLogout(name);
    });
}

/** OpenClaw's OAuth flags of `add` and `configure`. */
function oauthOptions(command: Command): Command {
  return command
    .option("--auth <mode>", 'remote: "oauth" to sign in with openclaw mcp login')
    .option("--oauth-scope <scope>", "remote: OAuth scopes to ask for (space-separated)")
    .option(
      "--oauth-redirect-url <url>",
      "remote: OAuth redirect (default http://127.0.0.1:8989/oauth/callback)",
    )
    .option(
      "--oauth-client-metadata-url <url>",
      "remote: HTTPS client metadata document used as the client id",
    );
}
