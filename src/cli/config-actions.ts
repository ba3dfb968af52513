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

async function resolvePaths(env: NodeJS.ProcessEnv = process.env): Promise<Paths> {
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
async function runningGateway(paths: Paths) {
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

type Edit = (document: Record<string, unknown>) => Record<string, unknown>;

/** Applies `edit` through the running gateway, or to the file when none runs. */
async function editConfig(edit: Edit, describe: string): Promise<number> {
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
      process.stdout.write(`${describe} (applied by the running gateway${restart})\n`);
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
    process.stdout.write(`${describe} in ${paths.file}\n`);
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
    if (err instanceof GatewayTransportError) return printProblems(err);
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
