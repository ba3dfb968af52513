/**
 * A stand-in `tailscale` executable for the voice-call tunnel tests, run with Node's type
 * stripping (`node tailscale-cli.ts …`) behind a `tailscale` shell script. It knows
 * `status --json` and `serve|funnel [--bg] --set-path PATH TARGET|off`, printing what
 * Tailscale 1.52+ prints. Set in its environment:
 * - FAKE_TAILSCALE_ARGV: a file each run appends its argv to, as one JSON line;
 * - FAKE_TAILSCALE_STATE: the BackendState (default Running);
 * - FAKE_TAILSCALE_FAIL: a run whose argv (joined by spaces) contains this exits 1, printing
 *   FAKE_TAILSCALE_STDERR;
 * - FAKE_TAILSCALE_HANG: a run whose argv contains this prints how to enable Funnel and waits
 *   forever, as the CLI does while it waits for a tailnet admin;
 * - FAKE_TAILSCALE_FUNNEL_OFF=1: Funnel is not enabled for the tailnet: funnel explains, exits 0.
 */
import { appendFileSync } from "node:fs";

const DNS_NAME = "gateway.tail1234.ts.net.";
const FUNNEL_NOT_ENABLED =
  "\nFunnel is not enabled on your tailnet.\nTo enable, visit:\n\n         https://login.tailscale.com/f/funnel?node=n123\n\n";
const args = process.argv.slice(2);
const joined = args.join(" ");
const env = process.env;
if (env.FAKE_TAILSCALE_ARGV) appendFileSync(env.FAKE_TAILSCALE_ARGV, `${JSON.stringify(args)}\n`);

if (env.FAKE_TAILSCALE_HANG && joined.includes(env.FAKE_TAILSCALE_HANG)) {
  process.stdout.write(FUNNEL_NOT_ENABLED);
  setInterval(() => {}, 60_000);
} else if (env.FAKE_TAILSCALE_FAIL && joined.includes(env.FAKE_TAILSCALE_FAIL)) {
  process.stderr.write(`${env.FAKE_TAILSCALE_STDERR ?? "error"}\n`);
  process.exit(1);
} else if (joined === "status --json") {
  const state = env.FAKE_TAILSCALE_STATE ?? "Running";
  const self = state === "Running" ? { DNSName: DNS_NAME, HostName: "gateway", Online: true } : {};
  process.stdout.write(
    `${JSON.stringify({ Version: "1.90.0", BackendState: state, Self: self }, null, 2)}\n`,
  );
} else if ((args[0] === "serve" || args[0] === "funnel") && args.at(-1) !== "off") {
  const host = DNS_NAME.slice(0, -1);
  if (args[0] === "funnel" && env.FAKE_TAILSCALE_FUNNEL_OFF) {
    process.stdout.write(FUNNEL_NOT_ENABLED);
  } else {
    const mount = args[args.indexOf("--set-path") + 1];
    const where = args[0] === "funnel" ? "Available on the internet:" : "Available within your tailnet:";
    const name = args[0] === "funnel" ? "Funnel" : "Serve";
    process.stdout.write(
      `${where}\n\nhttps://${host}${mount}\n|-- proxy ${args.at(-1)}\n\n${name} started and running in the background.\nTo disable the proxy, run: tailscale ${args[0]} --https=443 off\n`,
    );
  }
} else if (args.at(-1) === "off") {
  // Turning a handler off prints nothing.
} else {
  process.stderr.write(`fake tailscale: unexpected arguments: ${joined}\n`);
  process.exit(2);
}
