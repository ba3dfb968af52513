import type { McpServerConfig } from "../../config/schema/mcp.js";
import { mcpTransportOf } from "../../config/schema/mcp.js";
import { createLogger, type Logger } from "../../infra/logger.js";
import type { AgentTool } from "../tools/types.js";
import { McpServerConnection, type McpServerStatus } from "./connection.js";
import { qualifyToolNames } from "./names.js";
import { McpBrowserSignIns } from "./oauth-browser.js";
import { agentToolsFor } from "./tools.js";

export type { McpServerStatus } from "./connection.js";

const NO_TOOLS: readonly AgentTool[] = [];

export interface McpConfigView {
  mcp?: { servers?: Record<string, McpServerConfig> | undefined } | undefined;
}

/**
 * The gateway's MCP servers: one connection per enabled `mcp.servers` entry, kept in
 * step with the config (added servers start, changed ones restart, removed ones stop),
 * and their tools as agent tools. Nothing is loaded or started until `sync` sees a
 * server, which the gateway calls once it listens.
 */
export class McpManager {
  private readonly connections = new Map<string, McpServerConnection>();
  private disabled: string[] = [];
  private cachedTools: readonly AgentTool[] = NO_TOOLS;
  private stale = false;
  private readonly log: Logger;
  /** Sign-ins started from the Control UI (mcp.authLogin) and waiting for the browser. */
  readonly signIns: McpBrowserSignIns | undefined;

  constructor(
    private readonly opts: {
      env: NodeJS.ProcessEnv;
      /** Relative `cwd`s resolve against this (the config file's folder). */
      baseDir: () => string;
      /** Where `auth: "oauth"` servers' credentials are (`openclaw mcp login` stores them there). */
      stateDir?: string;
      log?: Logger;
    },
  ) {
    this.log = opts.log ?? createLogger("mcp");
    this.signIns = opts.stateDir ? new McpBrowserSignIns(opts.stateDir) : undefined;
  }

  /** Brings the running servers in line with `config.mcp.servers`. */
  sync(config: McpConfigView): void {
    const servers = config.mcp?.servers ?? {};
    const wanted = new Map(Object.entries(servers).filter(([, s]) => s.enabled !== false));
    this.disabled = Object.keys(servers).filter((name) => !wanted.has(name));
    for (const [name, connection] of this.connections) {
      const next = wanted.get(name);
      if (next && JSON.stringify(next) === JSON.stringify(connection.config)) continue;
      this.connections.delete(name);
      this.log.info(`mcp ${name}: ${next ? "changed, restarting" : "removed or disabled, stopping"}`);
      void connection.stop();
      this.stale = true;
    }
    for (const [name, server] of wanted) {
      if (!this.connections.has(name)) void this.open(name, server);
    }
  }

  private open(name: string, server: McpServerConfig): Promise<void> {
    const connection = new McpServerConnection(name, server, {
      env: this.opts.env,
      baseDir: this.opts.baseDir(),
      stateDir: this.opts.stateDir,
      log: this.log,
      onToolsChanged: () => {
        this.stale = true;
      },
    });
    this.connections.set(name, connection);
    this.stale = true;
    return connection.start();
  }

  /**
   * A server's OAuth credentials were saved or removed (Control UI sign-in or sign-out):
   * its connection starts again with them, so its state and tools follow at once.
   * Resolves when that attempt has connected or failed.
   */
  async credentialsChanged(name: string): Promise<void> {
    const connection = this.connections.get(name);
    if (!connection) return;
    this.connections.delete(name);
    await connection.stop();
    if (!this.connections.has(name)) await this.open(name, connection.config);
  }

  /**
   * Waits for servers still connecting (each at most its connection timeout), so a
   * turn right after start or an edit already sees their tools.
   */
  async ready(): Promise<void> {
    if (this.connections.size === 0) return;
    await Promise.all(
      [...this.connections.values()].map((c) =>
        c.status().state === "starting" ? c.start() : c.retryIfSignedIn(),
      ),
    );
  }

  /** Every server's tools as agent tools; the same array until something changes (the tool cache keys on it). */
  tools(): readonly AgentTool[] {
    if (!this.stale) return this.cachedTools;
    this.stale = false;
    const connections = [...this.connections.values()];
    const names = qualifyToolNames(new Map(connections.map((c) => [c.name, c.tools().map((t) => t.name)])));
    const tools = connections.flatMap((c) => agentToolsFor(c, names.get(c.name) ?? new Map()));
    this.cachedTools = tools.length ? tools : NO_TOOLS;
    return this.cachedTools;
  }

  /** For the Control UI and `openclaw mcp`: every configured server, connected or not. */
  status(config: McpConfigView): McpServerStatus[] {
    const servers = config.mcp?.servers ?? {};
    return Object.keys(servers)
      .sort()
      .map(
        (name) =>
          this.connections.get(name)?.status() ?? {
            name,
            transport: mcpTransportOf(servers[name]!),
            enabled: servers[name]!.enabled !== false,
            state: this.disabled.includes(name) ? ("disabled" as const) : ("stopped" as const),
            tools: 0,
            restarts: 0,
          },
      );
  }

  /**
   * `openclaw mcp reload`: ends every connection, then connects the enabled servers
   * again from `config`, so each one re-lists its tools (a server updated in place).
   * Resolves once they are connected or have failed; returns how many were started.
   */
  async reload(config: McpConfigView): Promise<number> {
    await this.stop();
    this.sync(config);
    await this.ready();
    return this.connections.size;
  }

  /** Stops every server and its processes (gateway shutdown). */
  async stop(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    this.stale = true;
    await Promise.all(all.map((c) => c.stop()));
  }
}
