import type { AgentTool } from "../agents/tools/types.js";
import type { OpenClawConfig } from "../config/schema.js";
import { createLogger } from "../infra/logger.js";
import { type Candidate, disabledReason, discoverPlugins } from "./discovery.js";
import { createPluginApi, type Registration, type RegistrationTargets } from "./registration.js";
import { describeAdditions, type PluginReport, report } from "./report.js";
import { checkPluginConfig } from "./validate.js";

export type { PluginReport, PluginState } from "./report.js";

const log = createLogger("plugins");

/** `register` and each service `start` must finish within this, or the plugin is disabled. */
export const PLUGIN_START_TIMEOUT_MS = 15_000;

/** What one loaded plugin added, so unloading removes exactly that. */
interface Loaded extends Registration {
  fingerprint: string;
}

type PluginEntries = Record<string, { enabled?: boolean; config?: unknown }>;

export interface PluginHostOptions extends RegistrationTargets {
  /** Folder of openclaw.json: relative `plugins.load.paths` start here. */
  configDir: () => string;
  onPending?(id: string, reason: string): void;
  onSettled?(id: string): void;
}

/**
 * Loads the plugins the config enables, each isolated: one that fails to import,
 * has an invalid config, throws in `register` or in a service start is disabled
 * with a log line naming why, and whatever it had registered is removed again.
 * On reload, only plugins whose settings changed are unloaded and loaded again.
 * Finding plugins is in discovery.ts, what they may register in registration.ts.
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
    const entries = (config.plugins?.entries ?? {}) as PluginEntries;
    this.skipped.clear();
    const wanted = await this.wanted(config, entries);
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

  /**
   * The plugins the config enables, each with a fingerprint of its settings (a change
   * reloads it); the ones it names but does not enable are reported as skipped.
   */
  private async wanted(
    config: OpenClawConfig,
    entries: PluginEntries,
  ): Promise<Map<string, { candidate: Candidate; fingerprint: string }>> {
    const settings = config.plugins ?? {};
    const { candidates, failed } = await discoverPlugins(config, this.opts.env, this.opts.configDir());
    for (const failure of failed) this.skipped.set(failure.id, failure);
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
    return wanted;
  }

  private async load(candidate: Candidate, fingerprint: string, entries: PluginEntries): Promise<void> {
    const { id } = candidate;
    const entry: Loaded = { report: report(candidate, "loaded"), fingerprint, undo: [], services: [] };
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
      this.loaded.set(id, entry);
      const api = createPluginApi(id, checked.data, entry, this.opts, (tool) => this.addTool(tool));
      await withTimeout(
        Promise.resolve(def.register(api)),
        `register took over ${PLUGIN_START_TIMEOUT_MS} ms`,
      );
      for (const service of entry.services) {
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

  private addTool(tool: AgentTool): () => void {
    if (this.tools.has(tool.name)) throw new Error(`agent tool ${tool.name} is already registered`);
    this.tools.set(tool.name, tool);
    this.toolList = [...this.tools.values()];
    return () => {
      this.tools.delete(tool.name);
      this.toolList = [...this.tools.values()];
    };
  }
}

class ConfigProblems extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
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
