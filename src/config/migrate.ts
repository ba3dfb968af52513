import { isPlainObject, resolveIncludes } from "./include.js";
import { formatPath } from "./issues.js";
import { isOpenClawKey } from "./openclaw-keys.js";
import { configSchema } from "./schema.js";

type Doc = Record<string, unknown>;

/** Old bind values that were host addresses; the schema takes mode names now. */
const LEGACY_BIND: Record<string, string> = {
  "0.0.0.0": "lan",
  "127.0.0.1": "loopback",
  localhost: "loopback",
};

/**
 * Rewrites keys older OpenClaw versions wrote into their current place, on a copy.
 * Returns one line per change, for `openclaw doctor` to print.
 */
export function migrateLegacyConfig(input: Doc): { document: Doc; changes: string[] } {
  const doc = structuredClone(input);
  const changes: string[] = [];
  const section = (key: string): Doc => {
    if (!isPlainObject(doc[key])) doc[key] = {};
    return doc[key] as Doc;
  };

  const routing = doc.routing;
  if (isPlainObject(routing) && Array.isArray(routing.bindings)) {
    doc.bindings = [...(Array.isArray(doc.bindings) ? doc.bindings : []), ...routing.bindings];
    delete routing.bindings;
    if (Object.keys(routing).length === 0) delete doc.routing;
    changes.push("moved routing.bindings to bindings");
  }

  const agent = doc.agent;
  if (isPlainObject(agent)) {
    const agents = section("agents");
    if (!isPlainObject(agents.defaults)) agents.defaults = {};
    const defaults = agents.defaults as Doc;
    const { model, modelFallbacks, ...rest } = agent;
    if (model !== undefined || modelFallbacks !== undefined) {
      const current = isPlainObject(defaults.model)
        ? defaults.model
        : typeof defaults.model === "string"
          ? { primary: defaults.model }
          : {};
      const legacy = isPlainObject(model) ? model : model !== undefined ? { primary: model } : {};
      defaults.model = {
        ...legacy,
        ...(modelFallbacks !== undefined ? { fallbacks: modelFallbacks } : {}),
        ...current,
      };
      changes.push("moved agent.model to agents.defaults.model.primary");
    }
    for (const [key, value] of Object.entries(rest)) {
      if (defaults[key] === undefined) defaults[key] = value;
      changes.push(`moved agent.${key} to agents.defaults.${key}`);
    }
    delete doc.agent;
  }

  const gateway = doc.gateway;
  if (isPlainObject(gateway)) {
    if (gateway.token !== undefined) {
      if (!isPlainObject(gateway.auth)) gateway.auth = {};
      const auth = gateway.auth as Doc;
      if (auth.token === undefined) auth.token = gateway.token;
      delete gateway.token;
      changes.push("moved gateway.token to gateway.auth.token");
    }
    const reload = gateway.reload;
    if (isPlainObject(reload) && (reload.mode === "hot" || reload.mode === "restart")) {
      changes.push(`gateway.reload.mode "${reload.mode}" is retired: set to "hybrid"`);
      reload.mode = "hybrid";
    }
    if (typeof gateway.bind === "string" && LEGACY_BIND[gateway.bind]) {
      changes.push(
        `gateway.bind "${gateway.bind}" is a host, not a mode: set to "${LEGACY_BIND[gateway.bind]}"`,
      );
      gateway.bind = LEGACY_BIND[gateway.bind];
    }
  }

  if (Array.isArray(doc.bindings)) {
    doc.bindings.forEach((binding, i) => {
      const match = isPlainObject(binding) ? binding.match : undefined;
      if (isPlainObject(match) && match.accountID !== undefined) {
        if (match.accountId === undefined) match.accountId = match.accountID;
        delete match.accountID;
        changes.push(`renamed bindings[${i}].match.accountID to accountId`);
      }
    });
  }
  return { document: doc, changes };
}

/**
 * Removes keys neither our schema nor OpenClaw's knows (the main file only; included files are
 * left alone). A key only OpenClaw knows stays: the same file may still serve OpenClaw.
 */
export function stripUnknownKeys(input: Doc, file: string): { document: Doc; removed: string[] } {
  const doc = structuredClone(input);
  const removed: string[] = [];
  const resolved = resolveIncludes(doc, file, []);
  const result = configSchema.safeParse(resolved);
  if (result.success) return { document: doc, removed };
  for (const issue of result.error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    let parent: unknown = doc;
    for (const key of issue.path)
      parent = isPlainObject(parent) || Array.isArray(parent) ? (parent as Doc)[key as string] : undefined;
    if (!isPlainObject(parent)) continue;
    for (const key of issue.keys) {
      if (key in parent && !isOpenClawKey([...issue.path, key])) {
        delete parent[key];
        removed.push(formatPath([...issue.path, key]));
      }
    }
  }
  return { document: doc, removed };
}
