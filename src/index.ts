import module from "node:module";
import { isGatewayRun, plainGatewayRun } from "./cli/argv.js";
import { resolveChunksByUrl } from "./infra/chunk-resolve.js";
import { hideSecrets, restoreHandedOffSecrets } from "./infra/env-handoff.js";
import { sqliteAvailable } from "./infra/sqlite.js";

// Cache V8 bytecode of our bundle between runs (Node >= 22.1): a restart skips
// recompiling it. Enabled before the CLI is imported so every chunk it loads benefits.
// (The three small modules imported above are loaded statically on purpose: each dynamic
// import on the way to the CLI costs a round of module loading at every start.)
// The cache lives in the OS temp dir (override with NODE_COMPILE_CACHE).
module.enableCompileCache?.();
// The bundle's chunks find one another without Node's on-disk checks (infra/chunk-resolve.ts).
// Only in the bundle (dist/index.js); a TypeScript loader running src/ resolves on its own.
if (import.meta.url.endsWith(".js")) resolveChunksByUrl(new URL("./", import.meta.url).href);

// Node 22.12 has node:sqlite (the state store's engine, infra/sqlite.ts) only behind a flag;
// from 22.13 it is there without one. On 22.12 the CLI runs in a child Node started with the
// flag, this process only passing signals on and exiting with the child's code.
if (!sqliteAvailable() && !process.execArgv.includes("--experimental-sqlite")) {
  const { runWithSqliteFlag } = await import("./infra/sqlite-flag.js");
  process.exit(await runWithSqliteFlag());
}

// `openclaw gateway` clears its secrets from /proc/<pid>/environ and cmdline first thing
// (infra/env-handoff.ts), or, where it cannot, restarts itself in place without them, so
// the CLI's modules load once; a restarted image gets the secrets (and its real argv) back
// here. A copy of argv: clearing them takes the secret options out of process.argv.
const argv = restoreHandedOffSecrets(process.env, [...process.argv]);
if (isGatewayRun(argv)) {
  // The logger is not loaded yet; this is its console format for a warning.
  hideSecrets((line) => process.stderr.write(`[gateway] ${line}\n`));
}

// The common gateway start (`gateway [run]` with plain flags) skips commander (#23); anything
// else (help, errors, other commands) goes through it.
const gatewayRun = plainGatewayRun(argv);
if (gatewayRun) {
  const { runGatewayCommand } = await import("./cli/gateway/index.js");
  await runGatewayCommand(gatewayRun);
} else {
  const { runCli } = await import("./cli/program.js");
  await runCli(argv);
}
