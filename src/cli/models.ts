import type { Command } from "commander";

/** Loaded on use, so `openclaw --help` stays instant. */
const actions = () => import("./config-actions.js");

type ModelSetting = string | { primary?: string; fallbacks?: string[] } | undefined;

function modelOf(doc: Record<string, unknown>): { primary?: string; fallbacks: string[] } {
  const model = (doc.agents as { defaults?: { model?: ModelSetting } } | undefined)?.defaults?.model;
  if (typeof model === "string") return { primary: model, fallbacks: [] };
  return { ...(model?.primary ? { primary: model.primary } : {}), fallbacks: model?.fallbacks ?? [] };
}

/** `agents.defaults.model` set to `next`, keeping every other key of the document. */
function withModel(doc: Record<string, unknown>, next: { primary?: string; fallbacks: string[] }) {
  const agents = (doc.agents as Record<string, unknown> | undefined) ?? {};
  const defaults = (agents.defaults as Record<string, unknown> | undefined) ?? {};
  const model = {
    ...(next.primary ? { primary: next.primary } : {}),
    ...(next.fallbacks.length > 0 ? { fallbacks: next.fallbacks } : {}),
  };
  return { ...doc, agents: { ...agents, defaults: { ...defaults, model } } };
}

function printJsonOr(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** `openclaw models status|set|fallbacks …`: the default model chain in openclaw.json. */
export function registerModelsCommands(program: Command): void {
  const models =
    program.commands.find((c) => c.name() === "models") ??
    program.command("models").description("model catalogue");
  models
    .command("status")
    .description(
      "the default model, its fallbacks, and where each provider's key comes from (names, never values)",
    )
    .option("--json", "print JSON")
    .option("--plain", "one model per line")
    .action(async (flags: { json?: boolean; plain?: boolean }) => {
      const { loadConfig, loadDotEnv } = await import("../config/load.js");
      const { resolveConfigPath, resolveStateDir } = await import("../config/paths.js");
      const { createAuthProfileStore, createModelRegistry } = await import("../providers/index.js");
      const { resolveDefaultAgentId } = await import("../routing/known-agents.js");
      const stateDir = resolveStateDir();
      await loadDotEnv(`${stateDir}/.env`);
      try {
        const { config } = await loadConfig(resolveConfigPath(process.env, stateDir));
        const registry = createModelRegistry(config as never, { env: process.env });
        const chain = registry.defaultChain().map((r) => `${r.provider}/${r.model}`);
        const profiles = createAuthProfileStore({
          stateDir,
          agentId: resolveDefaultAgentId(config.agents?.list),
        });
        await profiles.load();
        const providers = [...new Set(registry.defaultChain().map((r) => r.provider))].map((provider) => ({
          provider,
          keys: registry.credentials(provider, profiles).map((c) => c.source),
        }));
        const status = { defaultModel: chain[0] ?? null, fallbacks: chain.slice(1), providers };
        if (flags.plain) {
          process.stdout.write(chain.map((m) => `${m}\n`).join(""));
          return;
        }
        const lines = [
          `default   ${status.defaultModel ?? "(none: set one with openclaw models set <provider/model>)"}`,
          `fallbacks ${status.fallbacks.join(", ") || "(none)"}`,
          ...providers.map(
            (p) =>
              `${p.provider.padEnd(10)} ${p.keys.length > 0 ? `key from ${p.keys.join(", ")}` : "NO KEY"}`,
          ),
        ];
        printJsonOr(flags.json, status, lines.join("\n"));
        if (providers.some((p) => p.keys.length === 0)) process.exitCode = 1;
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  models
    .command("set <model>")
    .description("set the default model (agents.defaults.model.primary), e.g. anthropic/claude-sonnet-4-6")
    .action(async (model: string) => {
      const { editConfig } = await actions();
      process.exitCode = await editConfig(
        (doc) => withModel(doc, { ...modelOf(doc), primary: model }),
        `default model set to ${model}`,
      );
    });
  const fallbacks = models.command("fallbacks").description("models tried in order when the default fails");
  fallbacks
    .command("list", { isDefault: true })
    .description("the fallback models, in order")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const { fallbacks: list } = modelOf(await (await actions()).readConfigDocument());
      printJsonOr(flags.json, { fallbacks: list }, list.length > 0 ? list.join("\n") : "no fallback models");
    });
  /** `change` returns the new list, or a sentence saying why nothing changes. */
  const edit =
    (describe: (m: string) => string, change: (list: string[], m: string) => string[] | string) =>
    async (model: string) => {
      const { editConfig, EditRefused } = await actions();
      process.exitCode = await editConfig((doc) => {
        const current = modelOf(doc);
        const next = change(current.fallbacks, model);
        if (typeof next === "string") throw new EditRefused(next);
        return withModel(doc, { ...current, fallbacks: next });
      }, describe(model));
    };
  fallbacks
    .command("add <model>")
    .description("append a fallback model")
    .action(
      edit(
        (m) => `fallback ${m} added`,
        (list, m) => (list.includes(m) ? `${m} is already a fallback` : [...list, m]),
      ),
    );
  fallbacks
    .command("remove <model>")
    .description("remove a fallback model")
    .action(
      edit(
        (m) => `fallback ${m} removed`,
        (list, m) => (list.includes(m) ? list.filter((x) => x !== m) : `${m} is not a fallback`),
      ),
    );
  fallbacks
    .command("clear")
    .description("remove every fallback model")
    .action(async () => {
      const { editConfig } = await actions();
      process.exitCode = await editConfig(
        (doc) => withModel(doc, { ...modelOf(doc), fallbacks: [] }),
        "fallbacks cleared",
      );
    });
}
