import { type FSWatcher, watch } from "node:fs";
import path from "node:path";
import type { Logger } from "../infra/logger.js";
import { isPlainObject } from "./include.js";
import { ConfigError, type ConfigSnapshot, hashConfigText, readConfigFile } from "./read.js";
import { formatPath } from "./value-text.js";

/** Settle time after the last file event: editors and atomic renames fire several. */
export const RELOAD_DEBOUNCE_MS = 200;

/**
 * Settings read once at start (the listening socket, auth mode, HTTP routes): changing
 * them takes a restart. Everything else is read from the current snapshot on use.
 */
const RESTART_PATHS = [
  "gateway.mode",
  "gateway.port",
  "gateway.bind",
  "gateway.customBindHost",
  "gateway.auth.mode",
  "gateway.controlUi.enabled",
  "gateway.controlUi.basePath",
  "gateway.tailscale",
  "gateway.http",
  "gateway.reload",
];

export interface ReloadPlan {
  /** Changed paths the gateway applied without a restart. */
  live: string[];
  /** Changed paths that take effect on the next start. */
  restart: string[];
}

/** Leaf-ish paths whose values differ (lists compare whole; meta is bookkeeping). */
export function diffConfigPaths(before: unknown, after: unknown, at: string[] = []): string[] {
  // An added or removed section lists its leaves, so the plan can tell which need a restart.
  if (before === undefined && isPlainObject(after)) before = {};
  if (after === undefined && isPlainObject(before)) after = {};
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys]
      .filter((key) => !(at.length === 0 && key === "meta"))
      .flatMap((key) => diffConfigPaths(before[key], after[key], [...at, key]));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [formatPath(at)];
}

export function planReload(before: unknown, after: unknown): ReloadPlan {
  const changed = diffConfigPaths(before, after);
  const needsRestart = (p: string) => RESTART_PATHS.some((r) => p === r || p.startsWith(`${r}.`));
  return { live: changed.filter((p) => !needsRestart(p)), restart: changed.filter(needsRestart) };
}

export interface ConfigReloaderOptions {
  initial: ConfigSnapshot;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Makes `next` the running config (called before it becomes `current()`). */
  apply(next: ConfigSnapshot, plan: ReloadPlan): void;
  /** What the running gateway cannot accept in `next` beyond the schema (a weak live secret). */
  check?(next: ConfigSnapshot): string[];
}

export interface ConfigReloader {
  current(): ConfigSnapshot;
  readonly env: NodeJS.ProcessEnv;
  /** Problems the running gateway has with `next`; edits pass it to `writeConfig`. */
  check(next: ConfigSnapshot): string[];
  /** Switches to a snapshot already validated and written (config.set…); logs the plan. */
  publish(next: ConfigSnapshot, source: string): ReloadPlan;
  /** Starts watching the file unless `gateway.reload.mode` is "off". */
  watch(): void;
  isWatching(): boolean;
  close(): void;
}

/**
 * Owns the running config snapshot. Writes through RPC publish directly; hand edits
 * arrive through a watcher on the config's folder (a watch on the file itself is lost
 * when an editor or our atomic write renames a new file over it). An invalid edit is
 * logged and skipped: the last good config keeps running.
 */
// Near 90 lines as one closure on purpose: publish, check and schedule are each short and
// share the snapshot, the debounce timer and the last invalid hash; split apart they would
// pass that mutable state back and forth.
export function createConfigReloader(opts: ConfigReloaderOptions): ConfigReloader {
  let snapshot = opts.initial;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading = Promise.resolve();
  let lastInvalidHash: string | undefined;
  const { log } = opts;
  const file = opts.initial.path;

  const publish = (next: ConfigSnapshot, source: string): ReloadPlan => {
    const plan = planReload(snapshot.config, next.config);
    opts.apply(next, plan);
    snapshot = next;
    if (plan.live.length === 0 && plan.restart.length === 0) {
      log.info(`config reloaded from ${source}: no effective change`);
      return plan;
    }
    if (plan.live.length > 0) log.info(`config applied live (${source}): ${plan.live.join(", ")}`);
    if (plan.restart.length > 0) {
      log.warn(`config change needs a gateway restart to take effect: ${plan.restart.join(", ")}`);
    }
    return plan;
  };

  const check = async () => {
    let text: string | undefined;
    let next: ConfigSnapshot;
    try {
      text = await readConfigFile(file);
      if (text === undefined) {
        log.warn(`config file ${file} was removed; keeping the last good config`);
        return;
      }
      // Validation (zod) loads on the first reload, not with the gateway (#23).
      const { snapshotFromText } = await import("./load.js");
      next = snapshotFromText(file, text, opts.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // Editors fire several events per save: report one bad version once.
      const seen = text === undefined ? err.message : hashConfigText(text);
      if (seen === lastInvalidHash) return;
      lastInvalidHash = seen;
      log.error(
        `config reload skipped (invalid config): ${err.problems.join("; ")}; keeping the last good config`,
        { problems: err.problems },
      );
      return;
    }
    if (next.hash === snapshot.hash) return; // Our own write, already published.
    const problems = opts.check?.(next) ?? [];
    if (problems.length > 0) {
      if (hashConfigText(text) === lastInvalidHash) return;
      lastInvalidHash = hashConfigText(text);
      log.error(`config reload skipped: ${problems.join("; ")}; keeping the last good config`, { problems });
      return;
    }
    publish(next, "file change");
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reading = reading
        .then(check)
        .catch((err) => log.error(`config reload failed: ${(err as Error).message}`));
    }, RELOAD_DEBOUNCE_MS);
    timer.unref();
  };

  return {
    current: () => snapshot,
    env: opts.env,
    check: (next) => opts.check?.(next) ?? [],
    publish,
    watch() {
      if (watcher || snapshot.config.gateway?.reload?.mode === "off") return;
      const name = path.basename(file);
      watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) schedule();
      });
      watcher.on("error", (err) => log.warn(`config watcher stopped: ${err.message}`));
    },
    isWatching: () => watcher !== undefined,
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
