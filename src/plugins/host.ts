import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AgentRuntime } from "../agents/runtime.js";
import type { AgentTool } from "../agents/tools/types.js";
import type { ChannelFactory } from "../channels/types.js";
import { resolveUserPath } from "../config/paths.js";
import type { OpenClawConfig } from "../config/schema.js";
import { type HttpRoute, sendJson } from "../infra/http.js";
import { createLogger, type Logger } from "../infra/logger.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import type { MethodDefinition } from "../infra/rpc.js";
import { authorizeBearer, BEARER_NEEDS_AUTH_MESSAGE, type ResolvedAuth } from "../infra/shared-secret.js";
import { resolveSessionKey } from "../routing/session-key.js";
import { BUNDLED_PLUGINS } from "./bundled.js";
import type { PluginApi, PluginDefinition, PluginRoute, PluginService } from "./types.js";
import { checkPluginConfig } from "./validate.js";

const log = createLogger("plugins");

/** `register` and each service `start` must finish within this, or the plugin is disabled. */
export const PLUGIN_START_TIMEOUT_MS = 15_000;

export type PluginState = "loaded" | "disabled" | "error";

export interface PluginReport {
  id: string;
  origin: "bundled" | "path";
  /** The file or folder a `plugins.load.paths` plugin came from. */
  source?: string;
  state: PluginState;
  /** Why it is disabled or failed, in one line. */
  reason?: string;
  methods: string[];
  routes: string[];
  tools: string[];
  channels: string[];
}

interface Candidate {
  id: string;
  origin: "bundled" | "path";
  source?: string;
  load(): Promise<PluginDefinition>;
}

/** What one loaded plugin added, so unloading removes exactly that. */
interface Loaded {
  report: PluginReport;
  fingerprint: string;
  undo: (() => void | Promise<void>)[];
}

export interface PluginHostOptions {
  config: () => OpenClawConfig;
  /** Folder of openclaw.json: relative `plugins.load.paths` start here. */
  configDir: () => string;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  runtime: AgentRuntime;
  /** The RPC table the gateway serves (plugins add to it). */
  methods: Map<string, MethodDefinition>;
  addRoute(route: HttpRoute): () => void;
  addChannel(name: string, factory: ChannelFactory): () => void;
  gatewayPort(): number;
  auth(): ResolvedAuth;
  rateLimiter: AuthRateLimiter;
  onPending?(id: string, reason: string): void;
  onSettled?(id: string): void;
}

/**
 * Loads the plugins the config enables, each isolated: one that fails to import,
 * has an invalid config, throws in `register` or in a service start is disabled
 * with a log line naming why, and whatever it had registered is removed again.
 * On reload, only plugins whose settings changed are unloaded and loaded again.
 */
export class PluginHost {
  private readonly loaded = new Map<string, Loaded>();
  private readonly skipped = new Map<string, PluginReport>();
  private readonly tools = new Map<string, AgentTool>();
  /** A new array whenever the tools change, so the runtime knows to rebuild its tool sets. */
  private toolList: readonly AgentTool[] = [];
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PluginHostOptions) {}

  /** Agent tools every loaded plugin registered. */
  agentTools(): readonly AgentTool[] {
    return this.toolList;
  }

  status(): PluginReport[] {
    return [...this.loaded.values()].map((l) => l.report).concat([...this.skipped.values()]);
  }

  /** Loads, unloads and reloads plugins to match the config; calls never overlap. */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncNow())
      .catch((err: Error) => log.error(err.stack ?? err.message));
    return this.syncing;
  }

  async stopAll(): Promise<void> {
    await this.syncing;
    await Promise.all([...this.loaded.keys()].map((id) => this.unload(id)));
  }

  private async syncNow(): Promise<void> {
    const config = this.opts.config();
    const settings = config.plugins ?? {};
    const entries = (settings.entries ?? {}) as Record<string, { enabled?: boolean; config?: unknown }>;
    this.skipped.clear();
    const candidates = await this.discover(config);
    const wanted = new Map<string, { candidate: Candidate; fingerprint: string }>();
    for (const candidate of candidates.values()) {
      const reason = disabledReason(candidate, settings, entries[candidate.id]);
      if (reason) {
        if (candidate.origin === "path" || entries[candidate.id]) {
          this.skipped.set(candidate.id, report(candidate, "disabled", reason));
        }
        continue;
      }
      const fingerprint = JSON.stringify([candidate.source, entries[candidate.id] ?? null]);
      wanted.set(candidate.id, { candidate, fingerprint });
    }
    for (const [id, loaded] of this.loaded) {
      if (wanted.get(id)?.fingerprint !== loaded.fingerprint) await this.unload(id);
    }
    const toLoad = [...wanted.values()].filter(({ candidate }) => !this.loaded.has(candidate.id));
    await Promise.all(toLoad.map(({ candidate, fingerprint }) => this.load(candidate, fingerprint, entries)));
    const names = [...this.loaded.keys()];
    if (toLoad.length > 0 || this.skipped.size > 0) {
      log.info(
        `${names.length} plugin${names.length === 1 ? "" : "s"} loaded${names.length ? `: ${names.join(", ")}` : ""}`,
      );
    }
  }

  /** The bundled plugins plus one per `plugins.load.paths` entry (a file or a folder). */
  private async discover(config: OpenClawConfig): Promise<Map<string, Candidate>> {
    const found = new Map<string, Candidate>();
    for (const [id, bundled] of Object.entries(BUNDLED_PLUGINS)) {
      found.set(id, { id, origin: "bundled", load: bundled.load });
    }
    for (const raw of config.plugins?.load?.paths ?? []) {
      const where = resolveUserPath(raw, this.opts.env, this.opts.configDir());
      try {
        const candidate = await pathCandidate(where);
        if (found.has(candidate.id)) {
          log.error(`plugin ${candidate.id} from ${where} skipped: a plugin with that id is already known`);
          continue;
        }
        found.set(candidate.id, candidate);
      } catch (err) {
        const id = path.basename(where).replace(/\.[cm]?js$/, "");
        const reason = `plugins.load.paths: ${(err as Error).message}`;
        log.error(`plugin ${id} disabled: ${reason}`);
        this.skipped.set(id, report({ id, origin: "path", source: where }, "error", reason));
      }
    }
    return found;
  }

  private async load(
    candidate: Candidate,
    fingerprint: string,
    entries: Record<string, { config?: unknown }>,
  ): Promise<void> {
    const { id } = candidate;
    const entry: Loaded = { report: report(candidate, "loaded"), fingerprint, undo: [] };
    this.opts.onPending?.(`plugin:${id}`, "loading");
    try {
      const def = await withTimeout(candidate.load(), `loading took over ${PLUGIN_START_TIMEOUT_MS} ms`);
      if (!def || typeof def.register !== "function" || typeof def.id !== "string") {
        throw new Error("the module does not export a plugin ({ id, register }) as default or `plugin`");
      }
      if (def.id !== id)
        throw new Error(
          `the module says its id is ${JSON.stringify(def.id)}, expected ${JSON.stringify(id)}`,
        );
      const checked = checkPluginConfig(id, def.configSchema, entries[id]?.config);
      if (!checked.ok) throw new ConfigProblems(checked.problems);
      const services: PluginService[] = [];
      this.loaded.set(id, entry);
      const api = this.api(id, checked.data, entry, services);
      await withTimeout(
        Promise.resolve(def.register(api)),
        `register took over ${PLUGIN_START_TIMEOUT_MS} ms`,
      );
      for (const service of services) {
        await withTimeout(
          Promise.resolve(service.start()),
          `service ${service.id} took over ${PLUGIN_START_TIMEOUT_MS} ms to start`,
        );
        if (service.stop) entry.undo.push(() => service.stop?.());
      }
      log.info(`plugin ${id} loaded${describeAdditions(entry.report)}`);
    } catch (err) {
      const reason =
        err instanceof ConfigProblems ? `invalid config: ${err.problems.join("; ")}` : (err as Error).message;
      log.error(`plugin ${id} disabled: ${reason}`);
      await this.unload(id);
      this.skipped.set(id, report(candidate, "error", reason));
    } finally {
      this.opts.onSettled?.(`plugin:${id}`);
    }
  }

  private async unload(id: string): Promise<void> {
    const entry = this.loaded.get(id);
    if (!entry) return;
    this.loaded.delete(id);
    for (const undo of entry.undo.reverse()) {
      try {
        await undo();
      } catch (err) {
        log.warn(`plugin ${id} stop: ${(err as Error).message}`);
      }
    }
  }

  private api(id: string, config: unknown, entry: Loaded, services: PluginService[]): PluginApi<unknown> {
    const { opts } = this;
    const plog: Logger = createLogger(id);
    const added = entry.report;
    return {
      id,
      config,
      gatewayConfig: opts.config,
      env: opts.env,
      stateDir: opts.stateDir,
      log: plog,
      gatewayPort: opts.gatewayPort,
      registerGatewayMethod: (name, def) => {
        if (opts.methods.has(name)) throw new Error(`RPC method ${name} is already served`);
        opts.methods.set(name, def);
        added.methods.push(name);
        entry.undo.push(() => {
          if (opts.methods.get(name) === def) opts.methods.delete(name);
        });
      },
      registerHttpRoute: (route) => {
        const remove = opts.addRoute(this.guardRoute(id, route));
        added.routes.push(route.path);
        entry.undo.push(remove);
      },
      registerTool: (tool) => {
        if (this.tools.has(tool.name)) throw new Error(`agent tool ${tool.name} is already registered`);
        this.tools.set(tool.name, tool);
        this.toolList = [...this.tools.values()];
        added.tools.push(tool.name);
        entry.undo.push(() => {
          this.tools.delete(tool.name);
          this.toolList = [...this.tools.values()];
        });
      },
      registerChannel: (name, factory) => {
        const remove = opts.addChannel(name, factory);
        added.channels.push(name);
        entry.undo.push(remove);
      },
      registerService: (service) => {
        services.push(service);
      },
      chat: async (req) => {
        const handle = opts.runtime.send({
          sessionKey: req.sessionKey,
          text: req.text,
          origin: { provider: id, ...req.origin },
        });
        const abort = () => opts.runtime.abort(handle.sessionKey, handle.runId);
        req.signal?.addEventListener("abort", abort, { once: true });
        try {
          const outcome = await handle.done;
          return { status: outcome.status, text: outcome.text };
        } finally {
          req.signal?.removeEventListener("abort", abort);
        }
      },
      sessionKey: (rest, agentId) =>
        resolveSessionKey({
          agentId: agentId ?? opts.runtime.defaultAgentId(),
          channel: id,
          peer: { kind: "direct", id: rest },
          dmScope: "per-channel-peer",
        }),
    };
  }

  /** Wraps a plugin route: gateway auth unless the plugin checks requests itself, and errors contained. */
  private guardRoute(id: string, route: PluginRoute): HttpRoute {
    const { opts } = this;
    if (route.auth === "plugin") return route;
    return {
      ...route,
      handle: (req, res, url) => {
        const verdict = authorizeBearer(req, opts.auth(), opts.rateLimiter);
        if (!verdict.ok && verdict.status === 429) {
          const error = { type: "rate_limited", message: "too many failed attempts" };
          sendJson(res, 429, { error }, { "retry-after": String(verdict.retryAfterSeconds) });
          return;
        }
        if (!verdict.ok && verdict.status === 403) {
          sendJson(res, 403, {
            error: { type: "forbidden", message: `plugin ${id}: ${BEARER_NEEDS_AUTH_MESSAGE}` },
          });
          return;
        }
        if (!verdict.ok) {
          const error = { type: "unauthorized", message: `plugin ${id}: missing or wrong bearer token` };
          sendJson(res, 401, { error });
          return;
        }
        return route.handle(req, res, url);
      },
    };
  }
}

class ConfigProblems extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

function report(
  candidate: Pick<Candidate, "id" | "origin" | "source">,
  state: PluginState,
  reason?: string,
): PluginReport {
  return {
    id: candidate.id,
    origin: candidate.origin,
    ...(candidate.source ? { source: candidate.source } : {}),
    state,
    ...(reason ? { reason } : {}),
    methods: [],
    routes: [],
    tools: [],
    channels: [],
  };
}

function describeAdditions(r: PluginReport): string {
  const parts = [
    r.methods.length && `${r.methods.length} method${r.methods.length === 1 ? "" : "s"}`,
    r.routes.length && `routes ${r.routes.join(", ")}`,
    r.tools.length && `tools ${r.tools.join(", ")}`,
    r.channels.length && `channels ${r.channels.join(", ")}`,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/**
 * Why a candidate does not load, or undefined when it does. Bundled plugins load only
 * when their entry says `enabled: true`; plugins from `load.paths` unless `enabled: false`.
 * `plugins.enabled: false` turns all off; `deny` wins over `allow`.
 */
function disabledReason(
  candidate: Candidate,
  settings: NonNullable<OpenClawConfig["plugins"]>,
  entry: { enabled?: boolean; config?: unknown } | undefined,
): string | undefined {
  if (settings.enabled === false) return "plugins.enabled is false";
  if (settings.deny?.includes(candidate.id)) return "listed in plugins.deny";
  if (settings.allow?.length && !settings.allow.includes(candidate.id)) return "not listed in plugins.allow";
  if (entry?.enabled === false) return `plugins.entries.${candidate.id}.enabled is false`;
  const inner = (entry?.config as { enabled?: unknown } | undefined)?.enabled;
  if (inner === false) return `plugins.entries.${candidate.id}.config.enabled is false`;
  if (candidate.origin === "bundled" && entry?.enabled !== true) return "not enabled";
  return undefined;
}

/**
 * A `plugins.load.paths` entry: a .js/.mjs file, or a folder with openclaw.plugin.json
 * (its `id`), package.json (`main`) or index.js. The id is known before any of the
 * plugin's code runs, so allow/deny/enabled are applied without importing it.
 */
async function pathCandidate(where: string): Promise<Candidate> {
  const info = await stat(where).catch(() => undefined);
  if (!info) throw new Error(`${where} does not exist`);
  let file = where;
  let id = path.basename(where).replace(/\.[cm]?js$/, "");
  if (info.isDirectory()) {
    const manifest = await readJson(path.join(where, "openclaw.plugin.json"));
    const pkg = await readJson(path.join(where, "package.json"));
    if (typeof manifest?.id === "string") id = manifest.id;
    else if (typeof pkg?.name === "string") id = pkg.name.replace(/^@[^/]+\//, "");
    const main = typeof pkg?.main === "string" ? pkg.main : undefined;
    const options = [main, "index.js", "index.mjs"].filter((f): f is string => !!f);
    let entryFile: string | undefined;
    for (const option of options) {
      const candidate = path.resolve(where, option);
      if (
        await stat(candidate)
          .then((s) => s.isFile())
          .catch(() => false)
      ) {
        entryFile = candidate;
        break;
      }
    }
    if (!entryFile) throw new Error(`${where} has no entry file (package.json main, index.js or index.mjs)`);
    file = entryFile;
  } else if (!/\.[cm]?js$/.test(where)) {
    throw new Error(`${where} is not a .js or .mjs file`);
  }
  return {
    id,
    origin: "path",
    source: where,
    load: async () => {
      const mod = (await import(pathToFileURL(file).href)) as {
        default?: PluginDefinition;
        plugin?: PluginDefinition;
      };
      return (mod.default ?? mod.plugin) as PluginDefinition;
    },
  };
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), PLUGIN_START_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
