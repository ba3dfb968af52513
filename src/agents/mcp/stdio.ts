import { type ChildProcess, spawn } from "node:child_process";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * Longest JSON-RPC line a server may write: a bigger one (a tool dumping a database)
 * desynchronises the stream, so the connection is closed and restarted, which fails
 * only the calls in flight. Results the model sees are cut far below this.
 */
export const MCP_STDIO_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** After stdin closes and SIGTERM, how long a server has to exit before its group gets SIGKILL. */
export const MCP_STOP_GRACE_MS = 2000;
/** Stderr kept per line for the log: servers print stack traces, not novels. */
const STDERR_LINE_CHARS = 2000;

export interface StdioParams {
  command: string;
  args: readonly string[];
  cwd?: string | undefined;
  env: Record<string, string>;
  onStderr(line: string): void;
}

/**
 * The SDK's stdio transport, but with the process in its own group (stopping it kills
 * whatever it started too: `npx` → node, `uvx` → python), an environment that is
 * exactly the one given (the SDK's adds the gateway's SHELL, USER, TERM…), and a prompt
 * stop: SIGTERM with stdin closed, SIGKILL to the group after a grace period.
 * Lines that are not JSON-RPC are skipped and reported through `onerror`.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer({ maxBufferSize: MCP_STDIO_MAX_MESSAGE_BYTES });
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly params: StdioParams) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.params.command, [...this.params.args], {
        cwd: this.params.cwd,
        env: this.params.env,
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        shell: false,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once("close", () => done()));
      child.once("error", (err) => {
        reject(err);
        this.onerror?.(err);
      });
      child.once("spawn", () => resolve());
      child.once("close", () => {
        this.child = undefined;
        // A crashed server's own children must not outlive it.
        killGroup(child, "SIGKILL");
        this.onclose?.();
      });
      child.stdin?.on("error", (err) => this.onerror?.(err));
      child.stdout?.on("data", (chunk: Buffer) => this.read(chunk));
      let partial = "";
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (text: string) => {
        const lines = (partial + text).split("\n");
        partial = (lines.pop() ?? "").slice(-STDERR_LINE_CHARS);
        for (const line of lines) if (line.trim()) this.params.onStderr(line.slice(0, STDERR_LINE_CHARS));
      });
    });
  }

  private read(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch (err) {
      this.onerror?.(err as Error);
      void this.close();
      return;
    }
    for (;;) {
      try {
        const message = this.buffer.readMessage();
        if (message === null) return;
        this.onmessage?.(message);
      } catch (err) {
        this.onerror?.(new Error(`server wrote a line that is not JSON-RPC: ${(err as Error).message}`));
      }
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) return Promise.reject(new Error("the server process is not running"));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", () => resolve());
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    this.buffer.clear();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const group = (signal: NodeJS.Signals) => killGroup(child, signal);
    child.stdin?.end();
    group("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), MCP_STOP_GRACE_MS);
    });
    if ((await Promise.race([this.exited, grace])) === "timeout") {
      group("SIGKILL");
      await this.exited;
    }
    clearTimeout(timer);
    // Grandchildren that outlived the leader: the group signal reaches them too.
    group("SIGKILL");
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
