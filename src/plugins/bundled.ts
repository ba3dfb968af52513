import type { z } from "zod";
import type { PluginDefinition } from "./types.js";
import { voiceCallConfigSchema } from "./voice-call/config.js";

export interface BundledPlugin {
  /**
   * Checked with the rest of the config, without loading the plugin; built on first use
   * (the same object every call) so an unconfigured plugin's schema costs no memory.
   */
  configSchema(): z.ZodType;
  description: string;
  load(): Promise<PluginDefinition>;
}

/**
 * Plugins shipped in the bundle. Each loads only when enabled
 * (`plugins.entries.<id>.enabled: true`), so an unused one costs nothing.
 */
export const BUNDLED_PLUGINS: Record<string, BundledPlugin> = {
  "voice-call": {
    configSchema: voiceCallConfigSchema,
    description: "phone calls with an agent (Twilio, Telnyx)",
    load: async () => (await import("./voice-call/index.js")).default as PluginDefinition,
  },
};
