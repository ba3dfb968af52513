import { readFile } from "node:fs/promises";
import path from "node:path";
import JSON5 from "json5";
import { getAtPath, type PathKey, parseConfigPath, setAtPath, unsetAtPath } from "../config/edit.js";
import { ConfigError, hashConfigText, loadConfig, loadDotEnv, parseConfigDocument } from "../config/load.js";
import { OPENCLAW_ONLY_NOTE } from "../config/openclaw-compat.js";
import { resolveConfigPath, resolveLockPath, resolveStateDir } from "../config/paths.js";
import { ConfigConflictError, writeConfig } from "../config/write.js";
import { GatewayResponseError, GatewayTransportError } from "../gateway/client.js";
import { inspectGatewayLock } from "../gateway/lock.js";
import { isErrnoCode } from "../infra/fs.js";
import { redactConfig } from "../infra/redact.js";
import { bundledPluginProblems, checkBundledPlugins } from "../plugins/validate.js";
import { connectFromCli } from "./connection.js";

const EXIT_OK = 0;
const EXIT_FAIL = 1;
const EXIT_USAGE = 2;

interface Paths {
  env: NodeJS.ProcessEnv;
  stateDir: string;
  file: string;
}

export async function resolvePaths(env: NodeJS.ProcessEnv = process.env): Promise<Paths> {
  const stateDir = resolveStateDir(env);
  // The gateway reads <state dir>/.env too: `${VAR}`s must resolve the same way here.
  await loadDotEnv(path.join(stateDir, ".env"), env);
  return { env, stateDir, file: resolveConfigPath(env, stateDir) };
}

function printProblems(err: ConfigError | { message: string; problems?: string[] }): number {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else {
    process.stderr.write(`error: ${err.message.split("\n")[0]}\n`);
    for (const p of err.problems ?? []) process.stderr.write(`  - ${p}\n`);
  }
  return EXIT_FAIL;
}

function formatValue(value: unknown, json?: boolean): string {
  if (typeof value === "string" && !json) return value;
  return JSON.stringify(value, null, 2);
}

/** The value of `config set`: JSON5 when it parses (numbers, booleans, objects, quoted strings), else the text. */
export function parseCliValue(text: string, forceJson?: boolean): unknown {
  try {
    return JSON5.parse(text);
  } catch (err) {
    if (forceJson) throw new Error(`--json: value is not valid JSON5: ${(err as Error).message}`);
    return text;
  }
}

/** A client of the gateway running on this state dir, if there is one we can reach. */
export async function runningGateway(paths: Paths) {
  const lock = await inspectGatewayLock(resolveLockPath(paths.stateDir, paths.file));
  if (!lock?.alive || !lock.owner) return undefined;
  try {
    const env = { ...paths.env, OPENCLAW_GATEWAY_PORT: String(lock.owner.port) };
    return (await connectFromCli({}, env)).client;
  } catch (err) {
    if (!(err instanceof GatewayTransportError || err instanceof GatewayResponseError)) throw err;
    process.stderr.write(
      `warning: a gateway is running (pid ${lock.owner.pid}) but cannot be reached (${err.message}); editing the file directly (it reloads on change)\n`,
    );
    return undefined;
  }
}

/** An edit that cannot apply to the current file (an agent that is not there, say): its message is shown as is. */
export class EditRefused extends Error {
  override name = "EditRefused";
}

export type Edit = (document: Record<string, unknown>) => Record<string, unknown>;

/** Applies `edit` through the running gateway, or to the file when none runs. */
export async function editConfig(
  edit: Edit,
  describe: string,
  /** `json`: stdout is the command's JSON answer, so the summary line goes to stderr. */
  opts: { json?: boolean } = {},
): Promise<number> {
  const say = (line: string) => (opts.json ? process.stderr : process.stdout).write(line);
  const paths = await resolvePaths();
  const client = await runningGateway(paths);
  try {
    if (client) {
      const got = (await client.request("config.get")) as { hash: string; config: Record<string, unknown> };
      const result = (await client.request("config.set", {
        baseHash: got.hash,
        config: edit(got.config),
      })) as { applied: string[]; restartRequired: string[] };
      const restart = result.restartRequired.length
        ? `; restart the gateway for ${result.restartRequired.join(", ")}`
        : "";
      say(`${describe} (applied by the running gateway${restart})\n`);
      return EXIT_OK;
    }
    const { raw, document } = await readDocument(paths.file);
    await writeConfig({
      file: paths.file,
      document: edit(document),
      baseHash: hashConfigText(raw),
      env: paths.env,
      check: checkBundledPlugins,
    });
    say(`${describe} in ${paths.file}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ConfigError) return printProblems(err);
    if (err instanceof ConfigConflictError) return printProblems(err);
    if (err instanceof GatewayResponseError) {
      const details = err.error.details as { problems?: string[] } | undefined;
      return printProblems({
        message: `${err.error.message} [${err.error.code}]`,
        problems: details?.problems,
      });
    }
    if (err instanceof GatewayTransportError || err instanceof EditRefused) return printProblems(err);
    if (err instanceof Error && err.message.startsWith("cannot set")) return printProblems(err);
    throw err;
  } finally {
    await client?.close();
  }
}

/** The file as written (even when it is currently invalid, so `set` can repair it). */
async function readDocument(file: string): Promise<{ raw: string; document: Record<string, unknown> }> {
  const { readFile } = await import("node:fs/promises");
  let raw = "";
  try {
    raw = await readFile(file, "utf8");
  } catch (err) {
    if (!isErrnoCode(err, "ENOENT")) throw err;
  }
  return { raw, document: parseConfigDocument(file, raw) };
}

function parsePathArg(text: string): PathKey[] | undefined {
  try {
    return parseConfigPath(text);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return undefined;
  }
}

export async function configGet(keyPath: string, flags: { json?: boolean }): Promise<number> {
  const keys = parsePathArg(keyPath);
  if (!keys) return EXIT_USAGE;
  const paths = await resolvePaths();
  const client = await runningGateway(paths);
  let document: unknown;
  try {
    if (client) document = ((await client.request("config.get")) as { config: unknown }).config;
    else document = redactConfig((await readDocument(paths.file)).document).value;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof GatewayResponseError) return printProblems(err);
    throw err;
  } finally {
    await client?.close();
  }
  const value = getAtPath(document, keys);
  if (value === undefined) {
    process.stderr.write(`${keyPath} is not set\n`);
    return EXIT_FAIL;
  }
  process.stdout.write(`${formatValue(value, flags.json)}\n`);
  return EXIT_OK;
}

export async function configSet(keyPath: string, text: string, flags: { json?: boolean }): Promise<number> {
  const keys = parsePathArg(keyPath);
  if (!keys) return EXIT_USAGE;
  let value: unknown;
  try {
    value = parseCliValue(text, flags.json);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  return editConfig((doc) => setAtPath(doc, keys, value), `set ${keyPath}`);
}

export async function configUnset(keyPath: string): Promise<number> {
  const keys = parsePathArg(keyPath);
  if (!keys) return EXIT_USAGE;
  return editConfig((doc) => unsetAtPath(doc, keys).document, `removed ${keyPath}`);
}

export async function configValidate(): Promise<number> {
  const paths = await resolvePaths();
  try {
    const snapshot = await loadConfig(paths.file, paths.env);
    const pluginProblems = bundledPluginProblems(snapshot.config);
    if (pluginProblems.length > 0) return printProblems(new ConfigError(paths.file, pluginProblems));
    process.stdout.write(
      snapshot.exists ? `config valid: ${paths.file}\n` : `no config at ${paths.file} (defaults apply)\n`,
    );
    for (const key of snapshot.openClawOnly) process.stdout.write(`warning: ${key}: ${OPENCLAW_ONLY_NOTE}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ConfigError) return printProblems(err);
    throw err;
  }
}

export async function configSchema(): Promise<number> {
  const { buildConfigJsonSchema } = await import("../config/json-schema.js");
  process.stdout.write(`${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`);
  return EXIT_OK;
}

export async function configFile(): Promise<number> {
  process.stdout.write(`${resolveConfigPath()}\n`);
  return EXIT_OK;
}

/** The config file's document as written, for commands that list what is configured. */
export async function readConfigDocument(): Promise<Record<string, unknown>> {
  const paths = await resolvePaths();
  return (await readDocument(paths.file)).document;
}

/** `config patch`: a JSON5 merge patch (RFC 7386: null deletes) from a file or stdin. */
export async function configPatch(flags: {
  file?: string;
  stdin?: boolean;
  dryRun?: boolean;
  json?: boolean;
  replacePath?: string;
}): Promise<number> {
  const { applyMergePatch } = await import("../config/edit.js");
  if (!flags.file === !flags.stdin) {
    process.stderr.write("error: pass the patch with exactly one of --file <path> or --stdin\n");
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = flags.file ? await readFile(flags.file, "utf8") : await readStdin();
  } catch (err) {
    process.stderr.write(`error: cannot read the patch: ${(err as Error).message}\n`);
    return EXIT_FAIL;
  }
  let patch: unknown;
  try {
    patch = JSON5.parse(text);
  } catch (err) {
    process.stderr.write(`error: the patch is not valid JSON5: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    process.stderr.write("error: the patch must be an object, e.g. { gateway: { port: 18790 } }\n");
    return EXIT_USAGE;
  }
  const replace = flags.replacePath ? parsePathArg(flags.replacePath) : undefined;
  if (flags.replacePath && !replace) return EXIT_USAGE;
  const edit: Edit = (doc) => {
    let next = applyMergePatch(doc, patch) as Record<string, unknown>;
    // --replace-path: the patch's value there replaces the object or list instead of merging into it.
    if (replace) next = setAtPath(next, replace, structuredClone(getAtPath(patch, replace)));
    return next;
  };
  if (flags.dryRun) {
    const paths = await resolvePaths();
    const { raw, document } = await readDocument(paths.file);
    try {
      const { snapshotFromText } = await import("../config/load.js");
      const next = edit(structuredClone(document));
      snapshotFromText(paths.file, JSON.stringify(next), paths.env);
      const out = { ok: true, dryRun: true, path: paths.file, baseHash: hashConfigText(raw) };
      process.stdout.write(
        flags.json ? `${JSON.stringify(out, null, 2)}\n` : "patch is valid (dry run: nothing written)\n",
      );
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ ok: false, dryRun: true, problems: err.problems }, null, 2)}\n`,
        );
        return EXIT_FAIL;
      }
      return printProblems(err);
    }
  }
  return editConfig(edit, "patched the config");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
