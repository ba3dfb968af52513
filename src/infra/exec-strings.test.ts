import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";

/**
 * Each case runs clearExecStrings in a fresh Node (it rewrites the memory of the process
 * it runs in) and reads that process's /proc/<pid>/environ and cmdline from here, as
 * another process of the same user would.
 */

const MODULE = new URL("./exec-strings.ts", import.meta.url).href;
const TOKEN = "child-token-4e8a2c6b";
const OPTION_SECRET = "option-secret-9d1f3b";
/** The child imports the .ts module itself: Node 22.12–22.17 strip types only when asked. */
const NODE_FLAGS = process.features.typescript ? [] : ["--experimental-strip-types", "--no-warnings"];

/** The child: clears CHILD_TOKEN and `--secret <value>`, reports, then waits for stdin to end. */
const CHILD = `
import { clearExecStrings } from ${JSON.stringify(MODULE)};
const names = Object.keys(process.env).filter((n) => n.endsWith("_TOKEN"));
const keepArgs = (argv) => argv.map((a, i) => a !== "--secret" && argv[i - 1] !== "--secret");
const paths = process.env.CHILD_MEM
  ? { stat: "/proc/self/stat", mem: process.env.CHILD_MEM, environ: "/proc/self/environ", cmdline: "/proc/self/cmdline" }
  : undefined;
const values = [...names.map((n) => process.env[n]), process.argv[process.argv.indexOf("--secret") + 1]];
const reason = clearExecStrings({ envNames: names, keepArgs, values }, process.env, paths);
const env = Object.fromEntries(names.map((n) => [n, process.env[n]]));
process.stdout.write(JSON.stringify({ reason: reason ?? null, env, title: process.title }) + "\\n");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
`;

interface Report {
  reason: string | null;
  env: Record<string, string>;
  title: string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.stdin?.end();
});

async function runChild(
  env: Record<string, string>,
): Promise<{ report: Report; environ: string[]; cmdline: string[] }> {
  const args = [
    ...NODE_FLAGS,
    "--input-type=module",
    "-e",
    CHILD,
    "--",
    "--secret",
    OPTION_SECRET,
    "--keep-me",
  ];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  const split = (file: string) => readFileSync(`/proc/${child.pid}/${file}`, "utf8").split("\0");
  return {
    report: JSON.parse(line.toString()) as Report,
    environ: split("environ"),
    cmdline: split("cmdline"),
  };
}

describe.runIf(process.platform === "linux")("clearExecStrings", () => {
  it("removes the secrets from /proc/<pid>/environ and cmdline; process.env and the title keep working", async () => {
    const { report, environ, cmdline } = await runChild({ CHILD_TOKEN: TOKEN, KEPT: "still-here" });
    expect(report.reason).toBeNull();
    expect(report.env).toEqual({ CHILD_TOKEN: TOKEN });
    expect(report.title).toBe(process.execPath);
    expect(environ).toContain("KEPT=still-here");
    expect(environ.join("\n")).not.toContain(TOKEN);
    expect(environ.some((e) => e.startsWith("CHILD_TOKEN"))).toBe(false);
    // The kept arguments, packed in order; the rest of the area is zeros.
    const shown = cmdline.filter((a) => a !== "");
    expect(shown).toEqual([
      process.execPath,
      ...NODE_FLAGS,
      "--input-type=module",
      "-e",
      CHILD,
      "--",
      "--keep-me",
    ]);
    expect(cmdline.join(" ")).not.toContain(OPTION_SECRET);
  });

  it("does not fail on a secret's value that a kept variable also holds (it stays visible anyway)", async () => {
    const bundle = "/etc/ssl/certs/ca-certificates.crt";
    const { report, environ } = await runChild({ SHARED_TOKEN: bundle, SSL_CERT_FILE: bundle });
    expect(report.reason).toBeNull();
    expect(environ).toContain(`SSL_CERT_FILE=${bundle}`);
    expect(environ.some((e) => e.startsWith("SHARED_TOKEN"))).toBe(false);
  });

  it("reports why, without the secret, and changes nothing when /proc/self/mem cannot be opened", async () => {
    const { report, environ, cmdline } = await runChild({
      CHILD_TOKEN: TOKEN,
      CHILD_MEM: "/nonexistent/mem",
    });
    expect(report.reason).toBe("/nonexistent/mem: ENOENT");
    expect(report.env).toEqual({ CHILD_TOKEN: TOKEN });
    // Untouched: the caller falls back to re-executing.
    expect(environ).toContain(`CHILD_TOKEN=${TOKEN}`);
    expect(cmdline).toContain(OPTION_SECRET);
  });
});
