/**
 * A public HTTPS origin for a gateway that has none (Fly.io's private deployment, a home
 * server behind NAT), so telephony providers (Twilio, Telnyx) can reach the voice-call
 * webhook. `plugins.entries["voice-call"].config.tunnel.provider` picks one: ngrok through
 * its official library, or Tailscale Serve / Funnel through the `tailscale` CLI.
 */
import { type ExecFileException, execFile } from "node:child_process";
import type * as NgrokLibrary from "@ngrok/ngrok";
import { childProcessEnv } from "../../infra/secrets.js";

/** `tailscale` is OpenClaw's older name for `tailscale-funnel`. */
export type TunnelProvider = "none" | "ngrok" | "tailscale-serve" | "tailscale-funnel" | "tailscale";

export interface TunnelOptions {
  provider: TunnelProvider;
  /** The gateway's local port. */
  port: number;
  /** The gateway's local host; default 127.0.0.1. */
  host?: string;
  /** The webhook path, e.g. `/voice/webhook`: Tailscale publishes this path only. */
  path: string;
  /** Falls back to NGROK_AUTHTOKEN. */
  ngrokAuthToken?: string;
  /** A reserved ngrok domain; falls back to NGROK_DOMAIN. */
  ngrokDomain?: string;
  /** Read for NGROK_* and PATH (where `tailscale` is looked up). */
  env: NodeJS.ProcessEnv;
  log: { info(msg: string): void; warn(msg: string): void };
  /** Aborts start-up (a `tailscale` command is killed). */
  signal?: AbortSignal;
}

export interface Tunnel {
  provider: "ngrok" | "tailscale-serve" | "tailscale-funnel";
  /** The public origin, `https://host` without a trailing slash: append the webhook path. */
  publicUrl: string;
  /** Withdraws the tunnel; logs a warning instead of failing, since it runs at shutdown. */
  close(): Promise<void>;
}

/** The tunnel could not be opened; the message says what to change and never holds a secret. */
export class TunnelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TunnelError";
  }
}

/** The part of `@ngrok/ngrok` used here. */
export interface NgrokModule {
  forward(config: { addr: string; authtoken: string; domain?: string }): Promise<{
    url(): string | null;
    close(): Promise<void>;
  }>;
}

/** Seams for tests. */
export interface TunnelDeps {
  loadNgrok?: () => Promise<NgrokModule>;
  /** How long one `tailscale` command may run (Funnel can wait for a tailnet admin); 30 s. */
  tailscaleTimeoutMs?: number;
}

/** Opens the configured tunnel to the gateway; undefined for provider `none`. */
export async function startTunnel(opts: TunnelOptions, deps: TunnelDeps = {}): Promise<Tunnel | undefined> {
  opts.signal?.throwIfAborted();
  const address = hostPort(opts.host ?? "127.0.0.1", opts.port);
  switch (opts.provider) {
    case "none":
      return undefined;
    case "ngrok":
      return startNgrok(opts, address, deps.loadNgrok ?? loadNgrok);
    case "tailscale-serve":
      return startTailscale("serve", opts, address, deps.tailscaleTimeoutMs ?? 30_000);
    case "tailscale":
    case "tailscale-funnel":
      return startTailscale("funnel", opts, address, deps.tailscaleTimeoutMs ?? 30_000);
    default:
      throw new TunnelError(
        `unknown tunnel.provider "${String(opts.provider)}": use none, ngrok, tailscale-serve or tailscale-funnel`,
      );
  }
}

// ngrok

/**
 * A variable, not a literal: esbuild would bundle a literal specifier and fail on the
 * library's native `.node` binary. Node resolves it from node_modules at run time.
 */
const NGROK_PACKAGE = "@ngrok/ngrok";

/** Loads the official ngrok library, a native module, on first use only. */
export async function loadNgrok(): Promise<NgrokModule> {
  const mod = (await import(NGROK_PACKAGE)) as typeof NgrokLibrary & { default?: typeof NgrokLibrary };
  return typeof mod.forward === "function" ? mod : mod.default!;
}

async function startNgrok(
  opts: TunnelOptions,
  address: string,
  load: () => Promise<NgrokModule>,
): Promise<Tunnel> {
  const authtoken = opts.ngrokAuthToken || opts.env.NGROK_AUTHTOKEN;
  if (!authtoken) {
    throw new TunnelError(
      'tunnel.provider is ngrok but no ngrok authtoken is set: set NGROK_AUTHTOKEN (fly secrets set NGROK_AUTHTOKEN=…) or plugins.entries["voice-call"].config.tunnel.ngrokAuthToken',
    );
  }
  const domain = opts.ngrokDomain || opts.env.NGROK_DOMAIN || undefined;
  let ngrok: NgrokModule;
  try {
    ngrok = await load();
  } catch (cause) {
    throw new TunnelError(
      `the ngrok library (@ngrok/ngrok) could not be loaded on ${process.platform}-${process.arch} (${messageOf(cause)}): install it with its prebuilt binary for this platform, or choose tunnel.provider tailscale-funnel`,
      { cause },
    );
  }
  let listener: Awaited<ReturnType<NgrokModule["forward"]>>;
  try {
    listener = await ngrok.forward({ addr: address, authtoken, ...(domain ? { domain } : {}) });
  } catch (cause) {
    // No `cause`: ngrok's own error may quote the authtoken.
    throw new TunnelError(
      `ngrok could not open a tunnel${domain ? ` on ${domain}` : ""}: ${scrub(messageOf(cause), authtoken)}`,
    );
  }
  const close = once(async () => {
    try {
      await listener.close();
    } catch (err) {
      opts.log.warn(`tunnel: closing the ngrok tunnel failed: ${scrub(messageOf(err), authtoken)}`);
    }
  });
  const url = listener.url();
  if (opts.signal?.aborted || !url) {
    await close();
    opts.signal?.throwIfAborted();
    throw new TunnelError("ngrok opened a tunnel but reported no public URL");
  }
  const publicUrl = url.replace(/\/+$/, "");
  opts.log.info(`tunnel: ngrok forwarding ${publicUrl} -> http://${address}`);
  return { provider: "ngrok", publicUrl, close };
}

// Tailscale

/** The `tailscale` arguments that publish `path` (to `target`), or withdraw it with `off`. */
export function tailscaleServeArgs(mode: "serve" | "funnel", path: string, target: string): string[] {
  // Flags before the target: Go's flag parsing stops at the first positional argument.
  return target === "off" ? [mode, "--set-path", path, "off"] : [mode, "--bg", "--set-path", path, target];
}

async function startTailscale(
  mode: "serve" | "funnel",
  opts: TunnelOptions,
  address: string,
  timeoutMs: number,
): Promise<Tunnel> {
  const run = (args: string[], signal?: AbortSignal) => runTailscale(args, opts.env, timeoutMs, signal);
  const publicUrl = `https://${await tailnetDnsName(await run(["status", "--json"], opts.signal))}`;
  const path = opts.path.startsWith("/") ? opts.path : `/${opts.path}`;
  const target = `http://${address}${path}`;
  const said = await run(tailscaleServeArgs(mode, path, target), opts.signal);
  // When Funnel is not enabled for the tailnet, the CLI may explain (with a link) and exit 0.
  if (!said.includes(`${publicUrl}${path}`)) {
    opts.log.warn(`tunnel: tailscale ${mode} did not confirm ${publicUrl}${path}: ${said.trim()}`);
  }
  const scope = mode === "serve" ? " (tailnet only: Twilio and Telnyx cannot reach it)" : "";
  opts.log.info(`tunnel: tailscale ${mode} ${publicUrl}${path} -> ${target}${scope}`);
  return {
    provider: `tailscale-${mode}`,
    publicUrl,
    // Without opts.signal: it is likely aborted by the time the gateway shuts down.
    close: once(async () => {
      try {
        await run(tailscaleServeArgs(mode, path, "off"));
      } catch (err) {
        opts.log.warn(`tunnel: could not turn tailscale ${mode} off for ${path}: ${messageOf(err)}`);
      }
    }),
  };
}

/** This machine's MagicDNS name from `tailscale status --json`, without the trailing dot. */
function tailnetDnsName(statusJson: string): string {
  let status: { BackendState?: string; Self?: { DNSName?: string } };
  try {
    status = JSON.parse(statusJson);
  } catch {
    throw new TunnelError("`tailscale status --json` did not print JSON: update Tailscale to 1.52 or later");
  }
  const state = status.BackendState;
  if (state === "NeedsLogin" || state === "NoState") {
    throw new TunnelError(`tailscale is not logged in (state ${state}): run \`tailscale up\``);
  }
  if (state !== "Running") {
    throw new TunnelError(`tailscale is not running (state ${state}): run \`tailscale up\``);
  }
  const dnsName = status.Self?.DNSName?.replace(/\.$/, "");
  if (!dnsName) {
    throw new TunnelError(
      "tailscale reports no DNS name for this machine: enable MagicDNS and HTTPS certificates for the tailnet (https://tailscale.com/kb/1153/enabling-https)",
    );
  }
  return dnsName;
}

/** Runs `tailscale` (no shell) and resolves with its stdout. */
function runTailscale(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "tailscale",
      args,
      // No gateway secrets in its environment (readable via /proc by the exec tool's commands).
      { env: childProcessEnv(env), timeout: timeoutMs, signal, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if (signal?.aborted) return reject(signal.reason);
        reject(tailscaleFailure(args, err, stdout.trim(), stderr.trim(), timeoutMs));
      },
    );
  });
}

function tailscaleFailure(
  args: string[],
  err: ExecFileException,
  stdout: string,
  stderr: string,
  timeoutMs: number,
): TunnelError {
  if (err.code === "ENOENT") {
    return new TunnelError(
      "tailscale CLI not found on PATH: install Tailscale (https://tailscale.com/download) or choose tunnel.provider ngrok",
    );
  }
  const command = `\`tailscale ${args.join(" ")}\``;
  const output = stderr || stdout;
  if (err.killed) {
    // Serve and Funnel wait while the tailnet lacks HTTPS or Funnel; the CLI prints a link.
    return new TunnelError(
      `${command} did not finish within ${timeoutMs / 1000} s${output ? `: ${output}` : ""}`,
    );
  }
  const hint = /access denied/i.test(output)
    ? " (run `sudo tailscale set --operator=$USER` once, as the gateway's user)"
    : "";
  return new TunnelError(
    `${command} failed (exit ${err.code ?? err.signal}): ${output || err.message}${hint}`,
  );
}

// helpers

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function scrub(text: string, secret: string): string {
  return text.split(secret).join("***");
}
