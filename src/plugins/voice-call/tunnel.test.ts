/**
 * Voice-call tunnels. Tailscale runs as a stand-in `tailscale` executable
 * (test/fakes/tailscale-cli.ts) first on PATH; ngrok is a fake module behind the `loadNgrok`
 * seam, except for the checks that the real library loads, from source and once bundled.
 */
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it, vi } from "vitest";
import { buildOptions } from "../../../scripts/build-options.mjs";
import { tempDir } from "../../../test/helpers/cli.js";
import { writeFakeExecutable } from "../../../test/helpers/fake-executable.js";
import {
  loadNgrok,
  type NgrokModule,
  startTunnel,
  type TunnelDeps,
  TunnelError,
  type TunnelOptions,
  tailscaleServeArgs,
} from "./tunnel.js";

const REPO = path.resolve(import.meta.dirname, "../../..");
const FAKE_TAILSCALE = path.join(REPO, "test/fakes/tailscale-cli.ts");
const PUBLIC = "https://gateway.tail1234.ts.net";

function recordingLog() {
  return { info: vi.fn<(m: string) => void>(), warn: vi.fn<(m: string) => void>() };
}

function options(
  overrides: Partial<Omit<TunnelOptions, "log">>,
): TunnelOptions & { log: ReturnType<typeof recordingLog> } {
  return { provider: "none", port: 3000, path: "/voice/webhook", env: {}, log: recordingLog(), ...overrides };
}

describe("tunnel provider none", () => {
  it("opens no tunnel", async () => {
    expect(await startTunnel(options({ provider: "none" }))).toBeUndefined();
  });
});

describe("tailscaleServeArgs", () => {
  it.each([
    [
      "funnel",
      "http://127.0.0.1:3000/voice/webhook",
      ["funnel", "--bg", "--set-path", "/voice/webhook", "http://127.0.0.1:3000/voice/webhook"],
    ],
    [
      "serve",
      "http://127.0.0.1:3000/voice/webhook",
      ["serve", "--bg", "--set-path", "/voice/webhook", "http://127.0.0.1:3000/voice/webhook"],
    ],
    ["funnel", "off", ["funnel", "--set-path", "/voice/webhook", "off"]],
    ["serve", "off", ["serve", "--set-path", "/voice/webhook", "off"]],
  ] as const)("tailscale %s → %s", (mode, target, expected) => {
    expect(tailscaleServeArgs(mode, "/voice/webhook", target)).toEqual(expected);
  });
});

describe("tailscale tunnels", () => {
  /** A PATH holding only the fake `tailscale`, and the file its runs are recorded in. */
  function fakeTailscale(fakeEnv: Record<string, string> = {}) {
    const dir = tempDir("fake-tailscale-");
    writeFakeExecutable(dir, "tailscale", FAKE_TAILSCALE);
    const argvFile = path.join(dir, "argv.jsonl");
    const env = { PATH: dir, FAKE_TAILSCALE_ARGV: argvFile, ...fakeEnv };
    const runs = (): string[][] =>
      readFileSync(argvFile, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as string[]);
    return { env, runs };
  }

  it.each([
    ["tailscale-funnel", "funnel"],
    ["tailscale", "funnel"],
    ["tailscale-serve", "serve"],
  ] as const)(
    "%s publishes the webhook path with `tailscale %s` on the machine's DNS name",
    async (provider, mode) => {
      const { env, runs } = fakeTailscale();
      const opts = options({ provider, env });
      const tunnel = await startTunnel(opts);
      expect(tunnel).toMatchObject({ provider: `tailscale-${mode}`, publicUrl: PUBLIC });
      expect(runs()).toEqual([
        ["status", "--json"],
        [mode, "--bg", "--set-path", "/voice/webhook", "http://127.0.0.1:3000/voice/webhook"],
      ]);
      expect(opts.log.info).toHaveBeenCalledWith(
        expect.stringMatching(
          new RegExp(
            `^tunnel: tailscale ${mode} ${PUBLIC}/voice/webhook -> http://127\\.0\\.0\\.1:3000/voice/webhook`,
          ),
        ),
      );
      expect(opts.log.warn).not.toHaveBeenCalled();
    },
  );

  it("close() turns the path off, once", async () => {
    const { env, runs } = fakeTailscale();
    const tunnel = await startTunnel(options({ provider: "tailscale-funnel", env }));
    await Promise.all([tunnel!.close(), tunnel!.close()]);
    await tunnel!.close();
    expect(runs().slice(2)).toEqual([["funnel", "--set-path", "/voice/webhook", "off"]]);
  });

  it("close() warns, and still resolves, when turning off fails", async () => {
    const { env } = fakeTailscale({ FAKE_TAILSCALE_FAIL: "off", FAKE_TAILSCALE_STDERR: "no handler" });
    const opts = options({ provider: "tailscale-serve", env });
    const tunnel = await startTunnel(opts);
    await tunnel!.close();
    expect(opts.log.warn).toHaveBeenCalledWith(
      "tunnel: could not turn tailscale serve off for /voice/webhook: `tailscale serve --set-path /voice/webhook off` failed (exit 1): no handler",
    );
  });

  it.each(["NeedsLogin", "NoState"])("refuses when tailscale is logged out (%s)", async (state) => {
    const { env, runs } = fakeTailscale({ FAKE_TAILSCALE_STATE: state });
    const started = startTunnel(options({ provider: "tailscale-funnel", env }));
    await expect(started).rejects.toThrow(TunnelError);
    await expect(started).rejects.toThrow(
      `tailscale is not logged in (state ${state}): run \`tailscale up\``,
    );
    expect(runs()).toEqual([["status", "--json"]]);
  });

  it("refuses when tailscale is stopped", async () => {
    const { env } = fakeTailscale({ FAKE_TAILSCALE_STATE: "Stopped" });
    await expect(startTunnel(options({ provider: "tailscale-funnel", env }))).rejects.toThrow(
      "tailscale is not running (state Stopped): run `tailscale up`",
    );
  });

  it("surfaces the CLI's stderr, trimmed, when a command fails", async () => {
    const { env } = fakeTailscale({
      FAKE_TAILSCALE_FAIL: "funnel",
      FAKE_TAILSCALE_STDERR: '  Funnel not available; "funnel" node attribute not set.  \n',
    });
    await expect(startTunnel(options({ provider: "tailscale-funnel", env }))).rejects.toThrow(
      new TunnelError(
        '`tailscale funnel --bg --set-path /voice/webhook http://127.0.0.1:3000/voice/webhook` failed (exit 1): Funnel not available; "funnel" node attribute not set.',
      ),
    );
  });

  it("says how to let a non-root gateway change the serve config", async () => {
    const { env } = fakeTailscale({
      FAKE_TAILSCALE_FAIL: "serve",
      FAKE_TAILSCALE_STDERR: "Access denied: serve config denied",
    });
    await expect(startTunnel(options({ provider: "tailscale-serve", env }))).rejects.toThrow(
      /Access denied: serve config denied \(run `sudo tailscale set --operator=\$USER` once/,
    );
  });

  it("says how to install Tailscale when the CLI is not on PATH", async () => {
    const env = { PATH: tempDir("no-tailscale-") };
    await expect(startTunnel(options({ provider: "tailscale-funnel", env }))).rejects.toThrow(
      new TunnelError(
        "tailscale CLI not found on PATH: install Tailscale (https://tailscale.com/download) or choose tunnel.provider ngrok",
      ),
    );
  });

  it("gives up on a command that waits too long, with what it printed", async () => {
    const { env } = fakeTailscale({ FAKE_TAILSCALE_HANG: "funnel" });
    const deps: TunnelDeps = { tailscaleTimeoutMs: 2000 };
    const err = await startTunnel(options({ provider: "tailscale-funnel", env }), deps).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as Error).message).toMatch(
      /^`tailscale funnel --bg --set-path \/voice\/webhook http:\/\/127\.0\.0\.1:3000\/voice\/webhook` did not finish within 2 s: Funnel is not enabled on your tailnet\.\nTo enable, visit:\s+https:\/\/login\.tailscale\.com\/f\/funnel\?node=n123$/,
    );
  });

  it("warns with the CLI's explanation when Funnel is not enabled for the tailnet", async () => {
    const { env } = fakeTailscale({ FAKE_TAILSCALE_FUNNEL_OFF: "1" });
    const opts = options({ provider: "tailscale-funnel", env });
    await startTunnel(opts);
    expect(opts.log.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        `tunnel: tailscale funnel did not confirm ${PUBLIC}/voice/webhook: Funnel is not enabled on your tailnet.`,
      ),
    );
    expect(opts.log.warn.mock.calls[0]?.[0]).toContain("https://login.tailscale.com/f/funnel?node=n123");
  });
});

describe("ngrok tunnels", () => {
  function fakeNgrok(url: string | null = "https://abc123.ngrok.app") {
    const close = vi.fn(async () => {});
    const forward = vi.fn<NgrokModule["forward"]>(async () => ({ url: () => url, close }));
    const loadNgrok = vi.fn(async (): Promise<NgrokModule> => ({ forward }));
    return { forward, close, loadNgrok };
  }

  it("forwards to the gateway with the authtoken and domain from the environment", async () => {
    const ngrok = fakeNgrok("https://voice.example.ngrok.app/");
    const opts = options({
      provider: "ngrok",
      env: { NGROK_AUTHTOKEN: "tok_from_env_123", NGROK_DOMAIN: "voice.example.ngrok.app" },
    });
    const tunnel = await startTunnel(opts, { loadNgrok: ngrok.loadNgrok });
    expect(ngrok.forward).toHaveBeenCalledWith({
      addr: "127.0.0.1:3000",
      authtoken: "tok_from_env_123",
      domain: "voice.example.ngrok.app",
    });
    expect(tunnel).toMatchObject({ provider: "ngrok", publicUrl: "https://voice.example.ngrok.app" });
    expect(opts.log.info).toHaveBeenCalledWith(
      "tunnel: ngrok forwarding https://voice.example.ngrok.app -> http://127.0.0.1:3000",
    );
    await Promise.all([tunnel!.close(), tunnel!.close()]);
    expect(ngrok.close).toHaveBeenCalledTimes(1);
  });

  it("prefers the config's authtoken and domain, and sends no domain when none is set", async () => {
    const ngrok = fakeNgrok();
    const env = { NGROK_AUTHTOKEN: "tok_from_env_123", NGROK_DOMAIN: "env.ngrok.app" };
    const deps = { loadNgrok: ngrok.loadNgrok };
    await startTunnel(
      options({ provider: "ngrok", env, ngrokAuthToken: "tok_cfg_456", ngrokDomain: "cfg.ngrok.app" }),
      deps,
    );
    await startTunnel(options({ provider: "ngrok", env: { NGROK_AUTHTOKEN: "tok_from_env_123" } }), deps);
    await startTunnel(
      options({ provider: "ngrok", env: {}, ngrokAuthToken: "tok", host: "::1", port: 8080 }),
      deps,
    );
    expect(ngrok.forward.mock.calls.map(([config]) => config)).toEqual([
      { addr: "127.0.0.1:3000", authtoken: "tok_cfg_456", domain: "cfg.ngrok.app" },
      { addr: "127.0.0.1:3000", authtoken: "tok_from_env_123" },
      { addr: "[::1]:8080", authtoken: "tok" },
    ]);
  });

  it("says how to set the authtoken when there is none, without loading ngrok", async () => {
    const ngrok = fakeNgrok();
    await expect(startTunnel(options({ provider: "ngrok" }), { loadNgrok: ngrok.loadNgrok })).rejects.toThrow(
      new TunnelError(
        'tunnel.provider is ngrok but no ngrok authtoken is set: set NGROK_AUTHTOKEN (fly secrets set NGROK_AUTHTOKEN=…) or plugins.entries["voice-call"].config.tunnel.ngrokAuthToken',
      ),
    );
    expect(ngrok.loadNgrok).not.toHaveBeenCalled();
  });

  it("names the platform when the library cannot load", async () => {
    const loadNgrok = async (): Promise<NgrokModule> => {
      throw new Error("Cannot find module '@ngrok/ngrok-linux-arm64-musl'");
    };
    const started = startTunnel(options({ provider: "ngrok", ngrokAuthToken: "tok_123456" }), { loadNgrok });
    await expect(started).rejects.toThrow(TunnelError);
    await expect(started).rejects.toThrow(
      `the ngrok library (@ngrok/ngrok) could not be loaded on ${process.platform}-${process.arch} (Cannot find module '@ngrok/ngrok-linux-arm64-musl')`,
    );
  });

  it("passes on ngrok's refusal without the authtoken", async () => {
    const ngrok = fakeNgrok();
    ngrok.forward.mockRejectedValueOnce(
      new Error(
        "failed to connect session: authentication failed: The authtoken you specified does not look like a proper ngrok tunnel authtoken.\nYour authtoken: tok_secret_789\n\nERR_NGROK_105",
      ),
    );
    const started = startTunnel(options({ provider: "ngrok", env: { NGROK_AUTHTOKEN: "tok_secret_789" } }), {
      loadNgrok: ngrok.loadNgrok,
    });
    const err = (await started.catch((e: unknown) => e)) as TunnelError;
    expect(err).toBeInstanceOf(TunnelError);
    expect(err.message).toMatch(
      /^ngrok could not open a tunnel: failed to connect session: authentication failed/,
    );
    expect(err.message).toContain("Your authtoken: ***");
    expect(err.message).toContain("ERR_NGROK_105");
    expect(`${err.message}${String(err.cause)}${err.stack}`).not.toContain("tok_secret_789");
  });

  it("closes the tunnel again when ngrok reports no URL", async () => {
    const ngrok = fakeNgrok(null);
    const opts = options({ provider: "ngrok", ngrokAuthToken: "tok_123456" });
    await expect(startTunnel(opts, { loadNgrok: ngrok.loadNgrok })).rejects.toThrow(
      new TunnelError("ngrok opened a tunnel but reported no public URL"),
    );
    expect(ngrok.close).toHaveBeenCalledTimes(1);
  });

  it("closes the tunnel again when start-up was aborted while connecting", async () => {
    const ngrok = fakeNgrok();
    const aborter = new AbortController();
    ngrok.forward.mockImplementationOnce(async () => {
      aborter.abort(new Error("gateway stopping"));
      return { url: () => "https://abc123.ngrok.app", close: ngrok.close };
    });
    const opts = options({ provider: "ngrok", ngrokAuthToken: "tok_123456", signal: aborter.signal });
    await expect(startTunnel(opts, { loadNgrok: ngrok.loadNgrok })).rejects.toThrow("gateway stopping");
    expect(ngrok.close).toHaveBeenCalledTimes(1);
  });

  it("loads the real @ngrok/ngrok library here (no connection)", async () => {
    const ngrok = await loadNgrok();
    expect(typeof ngrok.forward).toBe("function");
  });

  it("keeps the library out of the production bundle, which still loads it from node_modules", async () => {
    const outdir = tempDir("tunnel-bundle-");
    try {
      const result = await build({
        ...buildOptions,
        entryPoints: { tunnel: path.join(REPO, "src/plugins/voice-call/tunnel.ts") },
        outdir,
        sourcemap: false,
        metafile: true,
      });
      const inputs = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs));
      expect(inputs.filter((i) => i.includes("@ngrok"))).toEqual([]);
      writeFileSync(path.join(outdir, "package.json"), '{"type":"module"}');
      symlinkSync(path.join(REPO, "node_modules"), path.join(outdir, "node_modules"), "dir");
      const bundled = (await import(pathToFileURL(path.join(outdir, "tunnel.js")).href)) as {
        loadNgrok: typeof loadNgrok;
      };
      expect(typeof (await bundled.loadNgrok()).forward).toBe("function");
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
