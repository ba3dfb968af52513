import { z } from "zod";
import { isSecretKey, isSecretMapKey } from "../infra/redact.js";
import { configSchema } from "./schema.js";

/** The config's JSON Schema (input shape: what a user may write), from the whole zod schema. */
export function buildConfigJsonSchema(): Record<string, unknown> {
  const whole = configSchema.full();
  return z.toJSONSchema(whole, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

export interface ConfigUiHints {
  /** Paths whose values are secrets (`*` = any key or index): editors mask them. */
  sensitive: string[];
  /** Human labels for the top-level sections. */
  labels: Record<string, string>;
}

const LABELS: Record<string, string> = {
  agents: "Agents",
  auth: "Model auth profiles",
  models: "Model providers",
  bindings: "Routing (bindings)",
  channels: "Channels",
  session: "Sessions",
  messages: "Messages",
  tools: "Tools",
  gateway: "Gateway",
  plugins: "Plugins",
  logging: "Logging",
  env: "Environment",
  meta: "Metadata",
};

type JsonSchemaNode = {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
};

/** Every path in the schema whose key names a secret (or a map of them), for masking in the Control UI. */
export function configUiHints(schema = buildConfigJsonSchema()): ConfigUiHints {
  const sensitive = new Set<string>();
  const walk = (node: JsonSchemaNode | boolean | undefined, at: string, depth: number) => {
    if (!node || typeof node === "boolean" || depth > 12) return;
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const here = at ? `${at}.${key}` : key;
      if (isSecretKey(key)) sensitive.add(here);
      else if (isSecretMapKey(key)) sensitive.add(here).add(`${here}.*`);
      else walk(child, here, depth + 1);
    }
    walk(node.additionalProperties, `${at}.*`, depth + 1);
    walk(node.items, `${at}[*]`, depth + 1);
    for (const option of node.anyOf ?? []) walk(option, at, depth + 1);
  };
  walk(schema as JsonSchemaNode, "", 0);
  return { sensitive: [...sensitive].sort(), labels: LABELS };
}
