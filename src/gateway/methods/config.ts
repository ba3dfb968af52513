import { z } from "zod";
import { applyMergePatch } from "../../config/edit.js";
import {
  ConfigError,
  type ConfigSnapshot,
  hashConfigText,
  parseConfigDocument,
  readConfigFile,
} from "../../config/load.js";
import { ConfigConflictError, writeConfig } from "../../config/write.js";
import {
  REDACTED,
  RedactedValueError,
  redactConfig,
  redactText,
  restoreRedacted,
} from "../../infra/redact.js";
import { checkBundledPlugins } from "../../plugins/validate.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { defineMethod } from "./types.js";

/**
 * `config.*`: read and edit openclaw.json through the gateway, which validates,
 * writes (backups, atomic, 0600) and applies the new snapshot at once. Every edit
 * names the `baseHash` it started from; a stale one is a CONFLICT, never a lost change.
 *
 * Secrets come back as "__OPENCLAW_REDACTED__" (infra/redact.ts says which: secret
 * keys, header and env maps, URL credentials and query values, known secret values);
 * sending a redacted value back unchanged in an edit keeps the stored one.
 * `raw` (the file's text) is returned only when it holds no secret in clear text.
 */

const baseHash = z.string().describe("hash from config.get: the file this edit starts from");

/** The file as it is on disk now (it may differ from the running snapshot after a bad hand edit). */
async function readDisk(
  file: string,
): Promise<{ raw: string; hash: string; document?: Record<string, unknown> }> {
  let raw: string;
  try {
    // Size-checked: a hand-edited file over the limit is refused, not sent back whole.
    raw = (await readConfigFile(file)) ?? "";
  } catch (err) {
    toRequestError(err);
  }
  try {
    return { raw, hash: hashConfigText(raw), document: parseConfigDocument(file, raw) };
  } catch {
    return { raw, hash: hashConfigText(raw) };
  }
}

function toRequestError(err: unknown): never {
  if (err instanceof ConfigConflictError) {
    throw new GatewayRequestError(ErrorCodes.CONFLICT, err.message, { details: { hash: err.currentHash } });
  }
  if (err instanceof RedactedValueError) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, err.message);
  }
  if (err instanceof ConfigError) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, err.message, {
      details: { problems: err.problems },
    });
  }
  throw err;
}

async function edit(
  gateway: GatewayContext,
  hash: string,
  source: string,
  change: (document: Record<string, unknown>) => Record<string, unknown>,
) {
  const reloader = gateway.configReloader;
  const file = reloader.current().path;
  const disk = await readDisk(file);
  if (disk.hash !== hash) toRequestError(new ConfigConflictError(file, disk.hash));
  let snapshot: ConfigSnapshot;
  try {
    const document = change(disk.document ?? {});
    snapshot = await writeConfig({
      file,
      document,
      baseHash: hash,
      env: reloader.env,
      // Bundled plugins first, as `openclaw config set` on the file reports them.
      check: (next) => [...checkBundledPlugins(next), ...reloader.check(next)],
    });
  } catch (err) {
    toRequestError(err);
  }
  const plan = reloader.publish(snapshot, source);
  return { ok: true, path: file, hash: snapshot.hash, applied: plan.live, restartRequired: plan.restart };
}

function parseRaw(file: string, raw: string): Record<string, unknown> {
  try {
    return parseConfigDocument(file, raw);
  } catch (err) {
    toRequestError(err);
  }
}

export const configMethods = {
  "config.get": defineMethod({
    scope: "operator.read",
    params: z.object({}).optional(),
    handle: async (_params, { gateway, scopes }) => {
      const running = gateway.configReloader.current();
      const disk = await readDisk(running.path);
      const document = disk.hash === running.hash ? running.document : (disk.document ?? running.document);
      const redacted = redactConfig(document);
      // Comments in the file can hold secrets the parsed document does not show.
      const rawIsClean = redacted.paths.length === 0 && redactText(disk.raw, REDACTED) === disk.raw;
      return {
        // Like `status`, the host path is for admins only.
        ...(scopes.has("operator.admin") ? { path: running.path } : {}),
        exists: disk.raw !== "",
        hash: disk.hash,
        /** False when the file on disk was edited into an invalid state; the gateway runs `resolved`. */
        valid: disk.hash === running.hash,
        config: redacted.value,
        // OpenClaw's names: `parsed` is the file's document, `issues` why it does not load.
        parsed: redacted.value,
        issues:
          disk.hash === running.hash
            ? []
            : [
                {
                  path: "",
                  message: "the file on disk does not load; the gateway runs its last good config",
                },
              ],
        resolved: redactConfig(running.config).value,
        raw: rawIsClean ? disk.raw : null,
        /** Keys OpenClaw knows that this gateway accepts and ignores (the running config's). */
        openClawOnly: running.openClawOnly,
        redacted: REDACTED,
      };
    },
  }),
  "config.set": defineMethod({
    scope: "operator.admin",
    params: z
      .strictObject({
        config: z.record(z.string(), z.unknown()).optional(),
        raw: z.string().optional(),
        baseHash,
      })
      .refine((p) => (p.config === undefined) !== (p.raw === undefined), "pass exactly one of config or raw"),
    handle: (p, { gateway }) =>
      edit(gateway, p.baseHash, "config.set", (current) => {
        const next = p.raw !== undefined ? parseRaw(gateway.configReloader.current().path, p.raw) : p.config!;
        return restoreRedacted(next, current) as Record<string, unknown>;
      }),
  }),
  "config.patch": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ patch: z.record(z.string(), z.unknown()), baseHash }),
    handle: (p, { gateway }) =>
      edit(gateway, p.baseHash, "config.patch", (current) => {
        const patch = restoreRedacted(p.patch, current);
        return applyMergePatch(current, patch) as Record<string, unknown>;
      }),
  }),
  "config.apply": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ raw: z.string(), baseHash }),
    handle: (p, { gateway }) =>
      edit(
        gateway,
        p.baseHash,
        "config.apply",
        (current) =>
          restoreRedacted(parseRaw(gateway.configReloader.current().path, p.raw), current) as Record<
            string,
            unknown
          >,
      ),
  }),
  "config.schema": defineMethod({
    scope: "operator.admin",
    params: z.object({}).optional(),
    handle: async (_params, { gateway }) => {
      // Loaded on first use: the JSON Schema is big and only editors ask for it.
      const { buildConfigJsonSchema, configUiHints } = await import("../../config/json-schema.js");
      const schema = buildConfigJsonSchema();
      return { schema, uiHints: configUiHints(schema), version: gateway.version };
    },
  }),
  // One node of the schema and its direct children (OpenClaw's config form walks it lazily).
  "config.schema.lookup": defineMethod({
    scope: "operator.read",
    params: z.object({ path: z.string().max(512) }),
    handle: async (p) => {
      const { buildConfigJsonSchema, configUiHints } = await import("../../config/json-schema.js");
      const root = buildConfigJsonSchema();
      return lookupSchema(root, p.path, configUiHints(root));
    },
  }),
};

type SchemaNode = {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: unknown;
  title?: string;
  description?: string;
};

/** The node at `path` (dotted keys) without its subtree, and a summary of each child. */
function lookupSchema(
  root: unknown,
  path: string,
  hints: { sensitive: string[]; labels: Record<string, string> },
) {
  const hint = (at: string, node: SchemaNode) => ({
    label: hints.labels[at] ?? node.title ?? at.split(".").at(-1),
    ...(node.description ? { help: node.description } : {}),
    ...(hints.sensitive.includes(at) ? { sensitive: true } : {}),
  });
  let node = root as SchemaNode;
  for (const key of path.split(".").filter(Boolean)) {
    const next = node.properties?.[key];
    if (!next) {
      throw new GatewayRequestError(
        ErrorCodes.INVALID_REQUEST,
        `no config key ${path}: check the spelling with config.schema`,
      );
    }
    node = next;
  }
  const { properties, ...schema } = node;
  const children = Object.entries(properties ?? {}).map(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    return {
      key,
      path: childPath,
      ...(typeof child.type === "string" ? { type: child.type } : {}),
      required: node.required?.includes(key) ?? false,
      hasChildren: Object.keys(child.properties ?? {}).length > 0,
      hint: hint(childPath, child),
      hintPath: childPath,
    };
  });
  return { path, schema, hint: hint(path, node), hintPath: path, children };
}
