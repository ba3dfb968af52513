/**
 * The environment of a stdio MCP server: PATH and HOME from the gateway (so `npx`,
 * `uvx` and friends resolve and find their caches) plus the server's configured `env`,
 * nothing else. The gateway's own variables (provider keys, the gateway token, channel
 * tokens) never reach a third-party program.
 */
const BASE_NAMES = ["PATH", "HOME"] as const;

/**
 * Variables that make the interpreter or the dynamic linker run code of the config
 * author's choosing before the server's own (a preload, a debugger, a startup file):
 * dropped with a warning, as OpenClaw does. Set them on the gateway's host if a server
 * truly needs one.
 */
const HIJACK_NAMES = new Set([
  "NODE_OPTIONS",
  "NODE_PATH",
  "PYTHONSTARTUP",
  "PYTHONPATH",
  "PYTHONHOME",
  "PERL5OPT",
  "PERL5LIB",
  "RUBYOPT",
  "RUBYLIB",
  "BASH_ENV",
  "ENV",
  "BASHOPTS",
  "SHELLOPTS",
  "KSH_ENV",
  "ZDOTDIR",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "GCONV_PATH",
  "IFS",
  "PS4",
]);
const HIJACK_PREFIXES = ["LD_", "DYLD_", "BASH_FUNC_"];

export function isHijackEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return HIJACK_NAMES.has(upper) || HIJACK_PREFIXES.some((p) => upper.startsWith(p));
}

/** The env for a stdio server, and the configured names that were dropped. */
export function stdioServerEnv(
  gatewayEnv: NodeJS.ProcessEnv,
  configured: Readonly<Record<string, string>> | undefined,
): { env: Record<string, string>; dropped: string[] } {
  const env: Record<string, string> = {};
  for (const name of BASE_NAMES) {
    const value = gatewayEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(configured ?? {})) {
    if (isHijackEnvName(name)) dropped.push(name);
    else env[name] = value;
  }
  return { env, dropped };
}
