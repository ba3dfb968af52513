import { spawn } from "node:child_process";
import { z } from "zod";
import { childProcessEnv } from "../../infra/secrets.js";
import { defineTool, ToolRefusal, text } from "./types.js";

const DEFAULT_TIMEOUT_SEC = 120;
const MAX_TIMEOUT_SEC = 1800;
/** Output kept per call: the head and the tail, with the middle elided. */
export const EXEC_OUTPUT_CAP = 64 * 1024;

/**
 * Runs `sh -c` in the workspace (the agent's working directory; like OpenClaw, a
 * working directory and not a sandbox). The command's environment holds none of the
 * gateway's secrets (and since the gateway clears them from its start strings, see
 * infra/env-handoff.ts, neither does its parent's /proc/<pid>/environ). The whole
 * process group is killed on timeout or abort; output beyond the cap keeps its first and last parts.
 */
export const execTool = defineTool({
  name: "exec",
  group: "runtime",
  description:
    "Run a shell command in the workspace and return its exit code and output. " +
    "When following a skill, pass its name as `skill` so the command gets that skill's configured environment.",
  params: z.strictObject({
    command: z.string().min(1),
    timeoutSec: z.number().int().min(1).max(MAX_TIMEOUT_SEC).optional(),
    skill: z.string().min(1).max(128).optional(),
  }),
  execute({ command, timeoutSec, skill }, ctx) {
    const limitMs = (timeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000;
    // `skills.entries.<name>.env` / `apiKey`: added on purpose after the scrub, for this run only.
    const skillEnv = skill === undefined ? {} : ctx.skills?.env(skill);
    if (!skillEnv) return Promise.reject(new ToolRefusal(`no eligible skill named ${skill}`));
    return new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", command], {
        cwd: ctx.workspace,
        detached: true, // own process group, so a timeout kills its children too
        stdio: ["ignore", "pipe", "pipe"],
        // No gateway secrets: see childProcessEnv (names, URL credentials, known values).
        env: { ...childProcessEnv(), ...skillEnv },
      });
      const output = new CappedOutput(EXEC_OUTPUT_CAP);
      child.stdout.on("data", (d: Buffer) => output.push(d));
      child.stderr.on("data", (d: Buffer) => output.push(d));
      let ended: string | undefined;
      const kill = (why: string) => {
        ended = why;
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => kill(`timed out after ${limitMs / 1000} s`), limitMs);
      const onAbort = () => kill("aborted");
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      child.on("error", (err) => {
        clearTimeout(timer);
        resolve(text(`failed to start: ${err.message}`, true));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onAbort);
        const status = ended ? `killed: ${ended}` : signal ? `killed by ${signal}` : `exit code ${code}`;
        resolve(text(`${status}\n${output.toString()}`, ended !== undefined || code !== 0));
      });
    });
  },
});

class CappedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer = Buffer.alloc(0);
  private dropped = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    const half = this.cap / 2;
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    const joined = Buffer.concat([this.tail, chunk]);
    const keep = joined.subarray(Math.max(0, joined.length - half));
    this.dropped += joined.length - keep.length;
    this.tail = Buffer.from(keep);
  }

  toString(): string {
    const middle = this.dropped > 0 ? `\n[... ${this.dropped} bytes of output elided ...]\n` : "";
    return Buffer.concat(this.head).toString("utf8") + middle + this.tail.toString("utf8");
  }
}
