import path from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerConfig } from "../../config/schema/mcp.js";
import { mcpTransportOf } from "../../config/schema/mcp.js";
import type { Logger } from "../../infra/logger.js";
import { redactText } from "../../infra/redact.js";
import { stdioServerEnv } from "./env.js";
import { passesToolFilter } from "./names.js";
import type { McpServerCapabilityInfo, McpSession, McpToolInfo, TransportSpec } from "./sdk.js";

/** Loaded only for a server with `auth: "oauth"`. */
const loadOAuth = () => import("./oauth.js");

/** Starting a server and listing its tools: `npx -y` may download the package first. */
export const MCP_DEFAULT_CONNECTION_TIMEOUT_MS = 30_000;
/** One tool call (the SDK's own default): a hung server costs one tool error after this. */
export const MCP_DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** First wait before restarting a server that died or could not start; doubles each time. */
export const MCP_RESTART_BASE_MS = 1000;
/** Longest wait between restarts: a server that is down for good is retried once a minute. */
export const MCP_RESTART_MAX_MS = 60_000;
/** A session that lived this long was healthy: the next restart starts from the base wait again. */
const MCP_STABLE_SESSION_MS = 30_000;

export type McpServerState = "starting" | "ready" | "restarting" | "stopped";

export interface McpServerStatus {
  name: string;
  transport: string;
  enabled: boolean;
  state: McpServerState | "disabled";
  tools: number;
  restarts: number;
  error?: string;
  pid?: number;
}

/** The transport a definition describes, with the stdio env built from the gateway's. */
export function transportSpec(
  server: McpServerConfig,
  opts: { env: NodeJS.ProcessEnv; baseDir: string; onStderr(line: string): void; log?: Logger; name: string },
): TransportSpec {
  const transport = mcpTransportOf(server);
  if (transport !== "stdio") {
    const headers = { ...server.headers };
    // OpenClaw: with auth "oauth" a static Authorization header is ignored (the SDK's would lose to it).
    if (server.auth === "oauth") {
      for (const key of Object.keys(headers)) if (key.toLowerCase() === "authorization") delete headers[key];
    }
    return { kind: transport, url: server.url ?? "", headers };
  }
  const { env, dropped } = stdioServerEnv(opts.env, server.env);
  if (dropped.length) {
    opts.log?.warn(`mcp ${opts.name}: env ${dropped.join(", ")} dropped (they change how programs start)`);
  }
  const cwd = server.cwd ?? server.workingDirectory;
  return {
    kind: "stdio",
    command: server.command ?? "",
    args: server.args ?? [],
    cwd: cwd === undefined ? undefined : path.resolve(opts.baseDir, cwd),
    env,
    onStderr: opts.onStderr,
  };
}

/**
 * One configured MCP server: connects, lists its tools (cached until it reconnects),
 * calls them with a timeout, and restarts with a growing wait when the session dies.
 * Failures never throw out of `call`: they come back as one tool error.
 */
export class McpServerConnection {
  private session: McpSession | undefined;
  private state: McpServerState = "stopped";
  private discovered: McpToolInfo[] = [];
  /** Tools the server lists that `toolFilter` hides (`openclaw mcp probe` reports the count). */
  private hidden = 0;
  private offered: McpServerCapabilityInfo | undefined;
  private lastError: string | undefined;
  private restarts = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private generation = 0;
  /** Aborts the connection attempt in progress (stop during start-up). */
  private connecting: AbortController | undefined;
  /** `auth: "oauth"` without usable credentials: no retry loop, only after `openclaw mcp login`. */
  private needsLogin = false;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
    private readonly deps: {
      env: NodeJS.ProcessEnv;
      baseDir: string;
      /** Where `auth: "oauth"` credentials live (<state>/credentials/mcp-oauth). */
      stateDir?: string | undefined;
      log: Logger;
      /** The tool list changed (connected, reconnected with other tools). */
      onToolsChanged(): void;
    },
  ) {}

  get connectionTimeoutMs(): number {
    return this.config.connectionTimeoutMs ?? MCP_DEFAULT_CONNECTION_TIMEOUT_MS;
  }

  /** Tools that pass the server's `toolFilter`, from the last successful listing. */
  tools(): readonly McpToolInfo[] {
    return this.discovered;
  }

  /** How many listed tools `toolFilter` hides, from the last successful listing. */
  hiddenTools(): number {
    return this.hidden;
  }

  /** What the server offered when it last connected (undefined before the first connection). */
  capabilities(): McpServerCapabilityInfo | undefined {
    return this.offered;
  }

  /** Starts connecting unless already connected or connecting; resolves when this attempt ends. */
  start(): Promise<void> {
    if (this.state === "ready") return Promise.resolve();
    if (this.attempt) return this.attempt;
    clearTimeout(this.timer);
    this.state = "starting";
    const generation = ++this.generation;
    this.attempt = this.connect(generation).finally(() => {
      if (generation === this.generation) this.attempt = undefined;
    });
    return this.attempt;
  }

  private async connect(generation: number): Promise<void> {
    const { log } = this.deps;
    const startedAt = Date.now();
    let session: McpSession | undefined;
    const controller = new AbortController();
    this.connecting = controller;
    controller.signal.addEventListener("abort", () => void session?.close(), { once: true });
    try {
      const sdk = await import("./sdk.js");
      const spec = transportSpec(this.config, {
        ...this.deps,
        name: this.name,
        onStderr: (line) => log.debug(`mcp ${this.name} stderr: ${line}`),
      });
      session = await sdk.openSession(await this.withOAuth(spec), {
        timeoutMs: this.connectionTimeoutMs,
        signal: controller.signal,
        onError: (err) => log.debug(`mcp ${this.name}: ${err.message}`),
      });
      const tools = await session.listTools(this.connectionTimeoutMs, controller.signal);
      if (generation !== this.generation) {
        await session.close();
        return;
      }
      const live = session;
      this.session = live;
      live.onClosed(() => this.lost(live, startedAt));
      this.discovered = tools.filter((t) => passesToolFilter(t.name, this.config.toolFilter));
      this.hidden = tools.length - this.discovered.length;
      this.offered = live.capabilities;
      this.state = "ready";
      this.lastError = undefined;
      this.needsLogin = false;
      log.info(`mcp ${this.name}: connected, ${this.discovered.length} tools`);
      this.deps.onToolsChanged();
    } catch (err) {
      await session?.close();
      if (generation !== this.generation) return;
      // Shown in mcp.status and the log: a URL's query or userinfo may hold a token.
      this.lastError = redactText((err as Error).message);
      log.warn(`mcp ${this.name}: could not start: ${this.lastError}`);
      if ((err as Error).name === "McpAuthorizationRequiredError") {
        this.needsLogin = true;
        this.state = "stopped";
      } else this.scheduleRestart();
    }
  }

  /**
   * `auth: "oauth"`: the SDK's provider over the stored credentials. Without tokens it
   * fails here, before any request: the gateway never starts a sign-in on its own.
   */
  private async withOAuth(spec: TransportSpec): Promise<TransportSpec> {
    if (spec.kind === "stdio" || this.config.auth !== "oauth") return spec;
    const { McpAuthorizationRequiredError, McpOAuthProvider, oauthStoreFor } = await loadOAuth();
    const store = this.deps.stateDir ? oauthStoreFor(this.name, this.config, this.deps.stateDir) : undefined;
    const record = await store?.read();
    if (!store || !record?.tokens) throw new McpAuthorizationRequiredError(this.name);
    if (record.requiresAuthorization) {
      throw new McpAuthorizationRequiredError(this.name, "needs OAuth authorization again");
    }
    const authProvider = new McpOAuthProvider(store, {
      name: this.name,
      oauth: this.config.oauth,
      mode: "runtime",
    });
    return { ...spec, authProvider };
  }

  /**
   * A server that waited for `openclaw mcp login` connects once credentials are stored
   * (checked before each turn: one small file read, no network).
   */
  async retryIfSignedIn(): Promise<void> {
    if (!this.needsLogin || this.attempt || !this.deps.stateDir) return;
    const { oauthStoreFor } = await loadOAuth();
    const record = await oauthStoreFor(this.name, this.config, this.deps.stateDir)?.read();
    if (record?.tokens && !record.requiresAuthorization) await this.start();
  }

  /** The session ended without being asked to: restart after the backoff. */
  private lost(session: McpSession, startedAt: number): void {
    if (this.session !== session) return;
    this.session = undefined;
    if (Date.now() - startedAt >= MCP_STABLE_SESSION_MS) this.failures = 0;
    this.lastError = "the server closed the connection";
    this.deps.log.warn(`mcp ${this.name}: connection lost; restarting`);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    this.state = "restarting";
    const wait = Math.min(MCP_RESTART_MAX_MS, MCP_RESTART_BASE_MS * 2 ** this.failures);
    this.failures++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.restarts++;
      void this.start();
    }, wait);
    this.timer.unref();
  }

  /** Calls one tool; throws an Error whose message the model reads as the tool error. */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    if (this.state === "starting" && this.attempt) await this.attempt;
    if (!this.session && this.needsLogin) await this.retryIfSignedIn();
    const session = this.session;
    if (!session) {
      if (this.needsLogin && this.lastError) throw new Error(this.lastError);
      throw new Error(`MCP server ${this.name} is not connected (${this.lastError ?? this.state})`);
    }
    try {
      return await session.callTool(tool, args, {
        timeoutMs: this.config.requestTimeoutMs ?? MCP_DEFAULT_REQUEST_TIMEOUT_MS,
        signal,
      });
    } catch (err) {
      throw await this.authFailure(err);
    }
  }

  /** A 401 the SDK could not cure (no refresh token, refused) as the one-line fix. */
  private async authFailure(err: unknown): Promise<unknown> {
    if (this.config.auth !== "oauth" || !(err instanceof Error)) return err;
    if (err.name === "McpAuthorizationRequiredError") return err;
    if (!(await import("./sdk.js")).isUnauthorized(err)) return err;
    const { McpAuthorizationRequiredError } = await loadOAuth();
    return new McpAuthorizationRequiredError(this.name, "refused the stored OAuth credentials");
  }

  status(): McpServerStatus {
    return {
      name: this.name,
      transport: mcpTransportOf(this.config),
      enabled: true,
      state: this.state,
      tools: this.discovered.length,
      restarts: this.restarts,
      ...(this.lastError ? { error: this.lastError } : {}),
      ...(this.session?.pid ? { pid: this.session.pid } : {}),
    };
  }

  /** Stops for good: no restart, the process (and its group) ended. */
  async stop(): Promise<void> {
    this.generation++;
    clearTimeout(this.timer);
    this.connecting?.abort();
    this.state = "stopped";
    const session = this.session;
    this.session = undefined;
    await this.attempt?.catch(() => {});
    await session?.close();
  }
}
