import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOptions } from "../../scripts/build-options.mjs";

const LIBRARIES = [
  "grammy",
  "@discordjs/ws",
  "@discordjs/core",
  "@discordjs/rest",
  "@slack/web-api",
  "@slack/socket-mode",
];
const libraryOf = (input: string) => LIBRARIES.find((lib) => input.includes(`node_modules/${lib}/`));

/** Source files in `from` and every chunk it imports statically (what loading it loads). */
function staticallyImported(outputs: Metafile["outputs"], from: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of outputs[file]?.imports ?? []) if (imp.kind === "import-statement") visit(imp.path);
  };
  visit(from);
  return [...seen].flatMap((f) => Object.keys(outputs[f]?.inputs ?? {}));
}

/**
 * Builds dist/ as `npm run build` does and checks the chunk layout: no chat library is
 * reachable from the entry by static imports, so a gateway without that channel never
 * loads it; each sits behind the dynamic import in its channel's factory.
 */
describe("chat channel libraries in the bundle", () => {
  let outdir: string;
  let outputs: Metafile["outputs"];

  beforeAll(async () => {
    outdir = await mkdtemp(path.join(tmpdir(), "channels-bundle-"));
    const result = await build({ ...buildOptions, outdir, sourcemap: false, metafile: true });
    outputs = result.metafile.outputs;
  });
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it("keeps every chat library out of the statically imported chunks", () => {
    const entry = Object.keys(outputs).find((f) => f.endsWith("/index.js"))!;
    const staticInputs = staticallyImported(outputs, entry);
    expect(staticInputs.filter(libraryOf)).toEqual([]);
    const lazyInputs = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    expect(new Set(lazyInputs.map(libraryOf).filter(Boolean))).toEqual(new Set(LIBRARIES));
  });

  it("evaluates before listening only what listening needs: the gateway's parts come after (#23)", () => {
    const chunkOf = (file: string) =>
      Object.keys(outputs).find((f) => Object.keys(outputs[f]?.inputs ?? {}).includes(file))!;
    const beforeListening = staticallyImported(outputs, chunkOf("src/cli/gateway/create.ts"));
    expect(beforeListening).toContain("src/gateway/server.ts");
    expect(beforeListening).toContain("src/config/read.ts");
    // Validation (zod, the config schema) loads when there is a config file to check, and
    // the WebSocket frames' schemas with the first client: not before listening.
    expect(
      beforeListening.filter((i) =>
        /node_modules\/zod\/|^src\/config\/(load|schema)|^src\/gateway\/(frames|connection)\.ts/.test(i),
      ),
    ).toEqual([]);
    const parts = [
      "src/cli/gateway/parts.ts",
      "src/agents/runtime.ts",
      "src/channels/manager.ts",
      "src/plugins/host.ts",
      "src/cron/service.ts",
      "src/gateway/methods/index.ts",
      "src/sessions/index-db.ts",
      "src/memory/index.ts",
      "src/cli/commands.ts",
    ];
    expect(beforeListening.filter((i) => parts.includes(i))).toEqual([]);
    expect(beforeListening.filter((i) => i.includes("node_modules/croner/"))).toEqual([]);
  });

  it("loads the voice-call plugin only when enabled: none of it is statically reachable from the gateway", () => {
    const runChunk = Object.keys(outputs).find((f) =>
      Object.keys(outputs[f]?.inputs ?? {}).includes("src/cli/gateway/parts.ts"),
    )!;
    const staticInputs = staticallyImported(outputs, runChunk);
    // The host and the plugin's config schema (checked with the config) are in; the plugin is not.
    expect(staticInputs).toContain("src/plugins/host.ts");
    expect(staticInputs).toContain("src/plugins/voice-call/config.ts");
    const plugin = staticInputs.filter(
      (i) => i.startsWith("src/plugins/voice-call/") && !i.endsWith("/config.ts"),
    );
    expect(plugin).toEqual([]);
  });

  it("bundles grammY's web build alone: no node-fetch or abort-controller polyfills", () => {
    const inputs = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    const grammy = inputs.filter((i) => i.includes("node_modules/grammy/"));
    expect(grammy).toEqual(["node_modules/grammy/out/web.mjs"]);
    expect(inputs.filter((i) => /node_modules\/(node-fetch|abort-controller|whatwg-url)\//.test(i))).toEqual(
      [],
    );
  });

  it("gives @slack/socket-mode the undici shim on ws: the npm undici is in no chunk", () => {
    const inputs = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    // A second copy of the HTTP stack Node ships: +11 MB of RSS once loaded (bench/slack.mjs).
    expect(inputs.filter((i) => i.includes("node_modules/undici/"))).toEqual([]);
    const socketModeChunk = Object.values(outputs).find((o) =>
      Object.keys(o.inputs).some((i) => i.includes("node_modules/@slack/socket-mode/")),
    )!;
    expect(Object.keys(socketModeChunk.inputs)).toContain("src/channels/slack/undici-on-ws.ts");
  });

  it("loads the YAML parser only when a SKILL.md is read: it is not statically reachable from the entry", () => {
    const entry = Object.keys(outputs).find((f) => f.endsWith("/index.js"))!;
    const isYaml = (i: string) => i.includes("node_modules/yaml/");
    expect(staticallyImported(outputs, entry).filter(isYaml)).toEqual([]);
    expect(Object.values(outputs).some((o) => Object.keys(o.inputs).some(isYaml))).toBe(true);
  });

  it("loads the web_search providers and the audio transcription only on first use", () => {
    const runChunk = Object.keys(outputs).find((f) =>
      Object.keys(outputs[f]?.inputs ?? {}).includes("src/cli/gateway/parts.ts"),
    )!;
    const staticInputs = staticallyImported(outputs, runChunk);
    // The tool's definition is with the tool set; the code that calls Brave/SearXNG is not.
    expect(staticInputs).toContain("src/agents/tools/web-search.ts");
    expect(staticInputs).not.toContain("src/agents/tools/web-search-run.ts");
    expect(staticInputs).toContain("src/channels/audio.ts");
    expect(staticInputs).not.toContain("src/agents/media/transcribe.ts");
    const lazyInputs = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    expect(lazyInputs).toContain("src/agents/tools/web-search-run.ts");
    expect(lazyInputs).toContain("src/agents/media/transcribe.ts");
  });

  it("loads the AAC-to-M4A rewrapping and its muxer (Mediabunny) only when a raw AAC note goes to OpenAI", () => {
    const isMuxer = (i: string) =>
      i.includes("node_modules/mediabunny/") || i === "src/agents/media/adts-to-m4a.ts";
    const chunkOf = (file: string) =>
      Object.keys(outputs).find((f) => Object.keys(outputs[f]?.inputs ?? {}).includes(file))!;
    // Not even transcription (itself lazy) loads it statically: a WAV or Ogg note never does.
    expect(staticallyImported(outputs, chunkOf("src/agents/media/transcribe.ts")).filter(isMuxer)).toEqual(
      [],
    );
    const muxerChunks = Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some(isMuxer));
    expect(muxerChunks.length).toBeGreaterThan(0);
  });

  it("loads the MCP SDK only when a server is configured: none of it is statically reachable from the gateway", () => {
    const entry = Object.keys(outputs).find((f) => f.endsWith("/index.js"))!;
    const isSdk = (i: string) =>
      i.includes("node_modules/@modelcontextprotocol/sdk/") || i === "src/agents/mcp/sdk.ts";
    const runChunk = Object.keys(outputs).find((f) =>
      Object.keys(outputs[f]?.inputs ?? {}).includes("src/cli/gateway/parts.ts"),
    )!;
    expect(staticallyImported(outputs, entry).filter(isSdk)).toEqual([]);
    const staticInputs = staticallyImported(outputs, runChunk);
    expect(staticInputs.filter(isSdk)).toEqual([]);
    // The manager itself is in (it reads the config); the SDK sits behind its dynamic import.
    expect(staticInputs).toContain("src/agents/mcp/index.ts");
    const lazy = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    expect(lazy).toContain("node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.js");
    expect(lazy).toContain("src/agents/mcp/sdk.ts");
  });
});
