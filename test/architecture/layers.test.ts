import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ALLOWED_UPWARD,
  formatViolation,
  layerOf,
  listSources,
  relativeImports,
  resolveImport,
  upwardImports,
  type Violation,
} from "./layers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SRC = path.join(ROOT, "src");
const UI = path.join(ROOT, "ui/src");

function importsOf(dir: string, rel: string): string[] {
  return relativeImports(readFileSync(path.join(dir, rel), "utf8")).map((spec) => resolveImport(rel, spec));
}

function scanSrc(): Violation[] {
  return listSources(SRC).flatMap((file) => upwardImports(file, importsOf(SRC, file)));
}

const key = (v: Violation) => `${v.from} → ${v.to}`;

describe("layers import only downward (docs/architecture.md)", () => {
  it("every file under src/ belongs to a layer", () => {
    expect(listSources(SRC).filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it("no file under src/ imports a layer above its own, except the allowlist", () => {
    const upward = scanSrc().filter((v) => !(key(v) in ALLOWED_UPWARD));
    expect(upward.map(formatViolation)).toEqual([]);
  });

  it("every allowlist entry is still needed (a fixed import leaves no stale excuse behind)", () => {
    const found = new Set(scanSrc().map(key));
    expect(Object.keys(ALLOWED_UPWARD).filter((entry) => !found.has(entry))).toEqual([]);
  });

  it("the Control UI and the server share no code: they meet only over the WebSocket protocol", () => {
    const uiToSrc = listSources(UI).flatMap((file) =>
      importsOf(UI, file)
        .filter((to) => to.startsWith("../../src/"))
        .map((to) => `ui/src/${file} → ${to}`),
    );
    const srcToUi = listSources(SRC).flatMap((file) =>
      importsOf(SRC, file)
        .filter((to) => to.startsWith("../ui/"))
        .map((to) => `src/${file} → ${to}`),
    );
    expect([...uiToSrc, ...srcToUi]).toEqual([]);
  });
});

describe("the layer check itself", () => {
  it.each([
    ["import type { GatewayContext } from '../gateway/context.js';", "channels/x.ts"],
    ["export { HttpRoute } from '../../gateway/http.js';", "plugins/voice-call/x.ts"],
    ["const m = await import('../cli/program.js');", "agents/x.ts"],
    ["import {\n  type A,\n  b,\n} from '../plugins/host.js';", "config/x.ts"],
  ])("flags %j in %s", (source, from) => {
    const imports = relativeImports(source).map((spec) => resolveImport(from, spec));
    expect(upwardImports(from, imports)).toHaveLength(1);
  });

  it.each([
    ["import { sendJson } from '../infra/http.js';", "gateway/x.ts"],
    ["import { resolveSessionKey } from '../routing/session-key.js';", "sessions/x.ts"],
    ["import { VERSION } from '../version.js';", "infra/x.ts"],
    ["import { runCli } from './cli/program.js';", "index.ts"],
  ])("allows %j in %s", (source, from) => {
    const imports = relativeImports(source).map((spec) => resolveImport(from, spec));
    expect(upwardImports(from, imports)).toEqual([]);
  });

  it("words a violation with both files and both layers", () => {
    const [v] = upwardImports("channels/telegram/webhook.ts", ["gateway/net.ts"]);
    expect(formatViolation(v!)).toBe(
      "channels/telegram/webhook.ts → gateway/net.ts (layer gateway above channels)",
    );
  });
});
