export type PluginState = "loaded" | "disabled" | "error";

export interface PluginReport {
  id: string;
  origin: "bundled" | "path";
  /** The file or folder a `plugins.load.paths` plugin came from. */
  source?: string;
  state: PluginState;
  /** Why it is disabled or failed, in one line. */
  reason?: string;
  methods: string[];
  routes: string[];
  tools: string[];
  channels: string[];
}

/** A report with nothing registered yet. */
export function report(
  plugin: Pick<PluginReport, "id" | "origin" | "source">,
  state: PluginState,
  reason?: string,
): PluginReport {
  return {
    id: plugin.id,
    origin: plugin.origin,
    ...(plugin.source ? { source: plugin.source } : {}),
    state,
    ...(reason ? { reason } : {}),
    methods: [],
    routes: [],
    tools: [],
    channels: [],
  };
}

/** What a plugin added, for its "loaded" log line: ` (2 methods; routes /x)` or nothing. */
export function describeAdditions(r: PluginReport): string {
  const parts = [
    r.methods.length && `${r.methods.length} method${r.methods.length === 1 ? "" : "s"}`,
    r.routes.length && `routes ${r.routes.join(", ")}`,
    r.tools.length && `tools ${r.tools.join(", ")}`,
    r.channels.length && `channels ${r.channels.join(", ")}`,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join("; ")})` : "";
}
