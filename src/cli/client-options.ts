import type { Command } from "commander";

/** The options every command that talks to a running gateway takes. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "gateway WebSocket URL (default: the local gateway)")
    .option("--token <token>", "gateway token (default: OPENCLAW_GATEWAY_TOKEN or gateway.auth.token)")
    .option("--password <password>", "gateway password")
    .option("--timeout <ms>", "how long to wait for the gateway", "10000");
}
