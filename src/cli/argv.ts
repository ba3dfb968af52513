import type { GatewayRunOptions } from "./gateway/preflight.js";

/**
 * Whether `argv` (process.argv shape) runs the gateway: `openclaw gateway [run] [options]`,
 * not one of its subcommands (`gateway call …`) and not a help request. The entry point
 * uses it to hand secrets off before anything loads, the CLI to load only what running
 * the gateway needs.
 */
export function isGatewayRun(argv: readonly string[]): boolean {
  const [command, sub] = argv.slice(2);
  if (command !== "gateway") return false;
  if (argv.includes("--help") || argv.includes("-h")) return false;
  return sub === undefined || sub === "run" || sub.startsWith("-");
}

/**
 * `openclaw gateway` flags: `--name value` options and plain switches, as the `gateway`
 * command declares them (cli/program.ts; a test holds the two the same).
 */
export const GATEWAY_VALUE_FLAGS = {
  "--port": "port",
  "--bind": "bind",
  "--token": "token",
  "--password": "password",
} as const;
export const GATEWAY_SWITCHES = {
  "--allow-unconfigured": "allowUnconfigured",
  "--force": "force",
  "--verbose": "verbose",
} as const;

/**
 * The options of a gateway run written the plain way (`gateway [run]`, then each known flag
 * at most once, `--flag value` with a value not starting with `-`), as commander would parse
 * them; undefined for anything else (`--port=1`, an unknown or repeated flag, a missing
 * value…), which goes through commander, its messages and its help. Parsing the common
 * start by hand spares loading and building commander on every gateway start (#23).
 */
export function plainGatewayRun(argv: readonly string[]): GatewayRunOptions | undefined {
  if (!isGatewayRun(argv)) return undefined;
  const args = argv.slice(argv[3] === "run" ? 4 : 3);
  const opts: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const valueKey = GATEWAY_VALUE_FLAGS[arg as keyof typeof GATEWAY_VALUE_FLAGS];
    const switchKey = GATEWAY_SWITCHES[arg as keyof typeof GATEWAY_SWITCHES];
    const key = valueKey ?? switchKey;
    if (key === undefined || key in opts) return undefined;
    if (switchKey) {
      opts[key] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith("-")) return undefined;
    opts[key] = value;
  }
  return opts as GatewayRunOptions;
}
