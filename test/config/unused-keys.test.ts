/**
 * Every key the config schema accepts is either read by some code or labelled with
 * `compatOnly()` (the Control UI then shows a badge and docs/configuration.md says so):
 * the next key added without an effect fails here instead of silently doing nothing.
 *
 * "Read" means the key's name appears in src/ outside the schema files, as a property
 * access, a destructured or object key, or a quoted string (how the gateway reads
 * config). A name used for something else can hide an unread key; a key that is read
 * under a name no code mentions cannot pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfigJsonSchema } from "../../src/config/json-schema.js";
import { COMPAT_ONLY_FLAG, COMPAT_ONLY_NOTE } from "../../src/config/schema/common.js";

const SRC = path.resolve(import.meta.dirname, "../../src");

interface Node {
  description?: string;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  anyOf?: Node[];
  [COMPAT_ONLY_FLAG]?: boolean;
}

/** Source of everything that could read config: src/ without tests, generated data and the schema itself. */
function readerSource(): string {
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter(
    // OpenClaw's key list (openclaw-keys.generated.ts) names every key without reading any.
    (f) =>
      /\.tsx?$/.test(f) &&
      !f.endsWith(".test.ts") &&
      !f.endsWith(".generated.ts") &&
      !f.startsWith(path.join("config", "schema")),
  );
  return files.map((f) => readFileSync(path.join(SRC, f), "utf8")).join("\n");
}

/** Every schema path (`a.b`, `a.*.c`, `a[].b`) with whether it is labelled compatibility-only. */
function schemaKeys(root: Node): { path: string; key: string; compat: boolean; description: string }[] {
  const out: { path: string; key: string; compat: boolean; description: string }[] = [];
  const walk = (node: Node | boolean | undefined, at: string, depth: number) => {
    if (!node || typeof node === "boolean" || depth > 14) return;
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (key === "$schema") continue;
      const here = at ? `${at}.${key}` : key;
      const compat = child[COMPAT_ONLY_FLAG] === true;
      out.push({ path: here, key, compat, description: child.description ?? "" });
      // Under a compatibility-only key nothing is read, by definition.
      if (!compat) walk(child, here, depth + 1);
    }
    walk(node.additionalProperties, `${at}.*`, depth + 1);
    walk(node.items, `${at}[]`, depth + 1);
    for (const option of node.anyOf ?? []) walk(option, at, depth + 1);
  };
  walk(root, "", 0);
  return out;
}

function isRead(key: string, source: string): boolean {
  const k = key.replace(/[$]/g, "\\$");
  return new RegExp(`[.?]${k}\\b|\\b${k}\\s*[:,}=?]|["'\`]${k}["'\`]|\\{[^}]*\\b${k}\\b`).test(source);
}

describe("config keys", () => {
  const keys = schemaKeys(buildConfigJsonSchema() as Node);
  const source = readerSource();

  it("are each read by the gateway or labelled compatibility-only", () => {
    const unread = [...new Set(keys.filter((k) => !k.compat && !isRead(k.key, source)).map((k) => k.path))];
    expect(unread, "label these with compatOnly() in src/config/schema*.ts, or read them").toEqual([]);
  });

  it("that are labelled say so in their description", () => {
    const compat = keys.filter((k) => k.compat);
    expect(compat.length).toBeGreaterThan(13);
    for (const k of compat) expect(k.description, k.path).toContain(COMPAT_ONLY_NOTE);
  });

  it("include the per-channel keys OpenClaw documents but nothing here acts on", () => {
    const labelled = new Set(keys.filter((k) => k.compat).map((k) => k.path));
    for (const key of [
      "streaming",
      "chunkMode",
      "mediaMaxMb",
      "ackReaction",
      "heartbeat",
      "responsePrefix",
    ]) {
      for (const channel of ["discord", "telegram", "whatsapp", "signal"]) {
        expect(labelled, `channels.${channel}.${key}`).toContain(`channels.${channel}.${key}`);
      }
    }
  });
});
