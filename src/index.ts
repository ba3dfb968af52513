import module from "node:module";

// Cache V8 bytecode of our bundle between runs (Node >= 22.1): a restart skips
// recompiling it. Enabled before the CLI is imported so every chunk benefits.
// The cache lives in the OS temp dir (override with NODE_COMPILE_CACHE).
module.enableCompileCache?.();

const { runCli } = await import("./cli/program.js");
await runCli(process.argv);
