import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOptions } from "../../scripts/build-options.mjs";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeGemini } from "../fakes/gemini.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";
import type * as Probe from "./bundle-probe.js";
import { collect, textOf } from "./harness.js";

const SDKS = ["@anthropic-ai/sdk", "openai", "@google/genai"];
const sdkOf = (input: string) => SDKS.find((sdk) => input.includes(`node_modules/${sdk}/`));

/**
 * Bundles the provider layer with the production esbuild options and checks that
 * (1) no SDK is reachable by static imports from the entry, so an idle gateway never
 * parses one, and (2) every adapter still works once bundled, against the fakes.
 */
describe("the provider layer bundled by esbuild", () => {
  let outdir: string;
  let metafile: Metafile;
  let probe: typeof Probe;
  let fakes: FakeServer[];

  beforeAll(async () => {
    outdir = await mkdtemp(path.join(tmpdir(), "providers-bundle-"));
    const result = await build({
      ...buildOptions,
      entryPoints: { probe: "test/providers/bundle-probe.ts" },
      outdir,
      sourcemap: false,
      metafile: true,
    });
    metafile = result.metafile;
    await writeFile(path.join(outdir, "package.json"), '{"type":"module"}');
    probe = (await import(pathToFileURL(path.join(outdir, "probe.js")).href)) as typeof Probe;
    fakes = await Promise.all([startFakeAnthropic(), startFakeOpenAI(), startFakeGemini()]);
  });
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    await rm(outdir, { recursive: true, force: true });
  });

  it("keeps every SDK out of the statically imported chunks", () => {
    const outputs = metafile.outputs;
    const entry = Object.keys(outputs).find((f) => f.endsWith("probe.js"))!;
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const imp of outputs[file]?.imports ?? []) if (imp.kind === "import-statement") visit(imp.path);
    };
    visit(entry);
    const staticInputs = [...seen].flatMap((f) => Object.keys(outputs[f]?.inputs ?? {}));
    expect(staticInputs.filter(sdkOf)).toEqual([]);
    // ...and each SDK does land in the bundle, behind a dynamic import.
    const lazyInputs = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    expect(new Set(lazyInputs.map(sdkOf).filter(Boolean))).toEqual(new Set(SDKS));
    // The Gemini adapter uses the SDK's web build: no google-auth-library.
    expect(lazyInputs.some((i) => i.includes("google-auth-library"))).toBe(false);
  });

  it.each([
    ["anthropic", "claude-opus-4-6", 0, ""],
    ["openai", "gpt-5.2", 1, "/v1"],
    ["google", "gemini-2.5-flash", 2, "/v1beta"],
    ["local", "llama", 1, "/v1"],
  ])("streams from %s through the bundled SDK", async (provider, model, fake, suffix) => {
    const baseUrl = `${fakes[fake]!.url}${suffix}`;
    fakes[fake]!.enqueue({ text: `bundled ${provider}` });
    const registry = probe.createModelRegistry(
      {
        models: {
          providers: {
            [provider]: {
              baseUrl,
              apiKey: "sk-bundle-123456",
              ...(provider === "local" ? { api: "openai-completions" } : {}),
            },
          },
        },
      },
      { env: {} },
    );
    const failover = probe.createFailover({ registry });
    const events = await collect(
      failover.stream({ models: [{ provider, model }], messages: [{ role: "user", content: "hi" }] }),
    );
    expect(textOf(events)).toBe(`bundled ${provider}`);
  });
});
