import type { Command } from "commander";

/** Loaded on use, so `openclaw --version` and `--help` stay instant. */
const actions = () => import("./config-actions.js");

/**
 * `openclaw config get|set|unset|patch|validate|schema|file`. Edits go through the running
 * gateway (RPC: it validates and applies at once) when one owns this state dir, and
 * straight to the file otherwise; either way the same validation and backups apply.
 */
export function registerConfigCommands(program: Command): void {
  const config = program
    .command("config")
    .description("read and edit openclaw.json (validated; applied live when the gateway runs)");

  config
    .command("get <path>")
    .description("print a value, e.g. `openclaw config get agents.defaults.model` (secrets are redacted)")
    .option("--json", "print JSON even for strings")
    .action(async (keyPath: string, flags: { json?: boolean }) => {
      process.exitCode = await (await actions()).configGet(keyPath, flags);
    });
  config
    .command("set <path> <value>")
    .description(
      'set a value (parsed as JSON5, else taken as a string), e.g. `openclaw config set channels.discord.guilds["123"].requireMention false`',
    )
    .option("--json", "the value must be JSON5 (no fallback to a string)")
    .action(async (keyPath: string, value: string, flags: { json?: boolean }) => {
      process.exitCode = await (await actions()).configSet(keyPath, value, flags);
    });
  config
    .command("unset <path>")
    .description("remove a key or list item")
    .action(async (keyPath: string) => {
      process.exitCode = await (await actions()).configUnset(keyPath);
    });
  config
    .command("validate")
    .description("check openclaw.json and list every problem")
    .action(async () => {
      process.exitCode = await (await actions()).configValidate();
    });
  config
    .command("schema")
    .description("print the JSON Schema of openclaw.json")
    .action(async () => {
      process.exitCode = await (await actions()).configSchema();
    });
  config
    .command("patch")
    .description(
      "apply a JSON5 merge patch (null deletes a key), e.g. `echo '{gateway:{port:18790}}' | openclaw config patch --stdin`",
    )
    .option("--file <path>", "read the patch from this file")
    .option("--stdin", "read the patch from stdin")
    .option("--replace-path <path>", "replace the object or list at this path instead of merging into it")
    .option("--dry-run", "validate the result and write nothing")
    .option("--json", "print the dry-run result as JSON")
    .action(
      async (flags: {
        file?: string;
        stdin?: boolean;
        dryRun?: boolean;
        json?: boolean;
        replacePath?: string;
      }) => {
        process.exitCode = await (await actions()).configPatch(flags);
      },
    );
  config
    .command("file")
    .description("print the path of the config file")
    .action(async () => {
      process.exitCode = await (await actions()).configFile();
    });
}
