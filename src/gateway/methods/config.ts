import { readFile } from "node:fs/promises";
import { z } from "zod";
import {
  applyMergePatch,
  type PathKey,
  REDACTED,
  redactSecrets,
  restoreRedacted,
} from "../../config/edit.js";
import { ConfigError, type ConfigSnapshot, hashConfigText, parseConfigDocument } from "../../config/load.js";
import type { ConfigReloader } from "../../config/reload.js";
import { ConfigConflictError, writeConfig } from "../../config/write.js";
import { isErrnoCode } from "../../infra/fs.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { defineMethod } from "./types.js";

/**
 * `config.*`: read and edit openclaw.json through the gateway, which validates,
 * writes (backups, atomic, 0600) and applies the new snapshot at once. Every edit
 * names the `baseHash` it started from; a stale one is a CONFLICT, never a lost change.
 *
 * Secrets (token, botToken, apiKey, webhookSecret, password…) come back as
 * "__OPENCLAW_REDACTED__"; sending that value back in an edit keeps the stored one.
 * `raw` (the file's text) is returned only when it holds no secret in clear text.
 */

const baseHash = z.string().describe("hash from config.get: the file this edit starts from");

function reloaderOf(gateway: GatewayContext): ConfigReloader {
  const reloader = gateway.configReloader;
  if (!reloader) throw new GatewayRequestError(ErrorCodes.UNAVAILABLE, "config editing is not available");
  return reloader;
}

/** The file as it is on disk now (it may differ from the running snapshot after a bad hand edit). */
async function readDisk(
  file: string,
): Promise<{ raw: string; hash: string; document?: Record<string, unknown> }> {
  let raw = "";
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    if (!isErrnoCode(err, "ENOENT")) throw err;
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
  const reloader = reloaderOf(gateway);
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
      check: reloader.check,
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
      const running = reloaderOf(gateway).current();
      const disk = await readDisk(running.path);
      const document = disk.hash === running.hash ? running.document : (disk.document ?? running.document);
      const redactedPaths: PathKey[][] = [];
      const redacted = redactSecrets(document, [], redactedPaths).value;
      return {
        // Like `status`, the host path is for admins only.
        ...(scopes.has("operator.admin") ? { path: running.path } : {}),
        exists: disk.raw !== "",
        hash: disk.hash,
        /** False when the file on disk was edited into an invalid state; the gateway runs `resolved`. */
        valid: disk.hash === running.hash,
        config: redacted,
        resolved: redactSecrets(running.config).value,
        raw: redactedPaths.length === 0 ? disk.raw : null,
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
        const next = p.raw !== undefined ? parseRaw(reloaderOf(gateway).current().path, p.raw) : p.config!;
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
          restoreRedacted(parseRaw(reloaderOf(gateway).current().path, p.raw), current) as Record<
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
};
