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
