import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/index.js";
import { formatPath, getAt, isWithin, matchesHint, type PathKey } from "./paths.js";

/** The part of JSON Schema (as zod emits it) the form understands; the rest goes to a JSON box. */
export interface SchemaNode {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  /** Set by the gateway's `compatOnly()`: accepted for OpenClaw configs, does nothing yet. */
  "x-compat-only"?: boolean;
}

export interface FormContext {
  document: Record<string, unknown>;
  sensitive: readonly string[];
  /** Server problems by path (`gateway.port` → ["must be ≤ 65535 (got 70000)"]). */
  errors: ReadonlyMap<string, string[]>;
  onChange(at: PathKey[], value: unknown): void;
}

const MAX_DEPTH = 5;

function isScalarType(node: SchemaNode): boolean {
  return (
    node.type === "string" || node.type === "integer" || node.type === "number" || node.type === "boolean"
  );
}

/** For `anyOf`, the option that fits the current value (a model ref string, or its object form). */
function pickOption(node: SchemaNode, value: unknown): SchemaNode | undefined {
  if (!node.anyOf) return node;
  const options = node.anyOf;
  const fits = (o: SchemaNode) =>
    value === undefined
      ? isScalarType(o)
      : (o.type === "object" && typeof value === "object" && !Array.isArray(value)) ||
        (o.type === "array" && Array.isArray(value)) ||
        (o.type === "string" && typeof value === "string") ||
        ((o.type === "integer" || o.type === "number") && typeof value === "number") ||
        (o.type === "boolean" && typeof value === "boolean");
  return options.find(fits);
}

/** Problems at this path that no deeper field shows. */
function ownErrors(ctx: FormContext, path: string, deeper: boolean): string[] {
  const out: string[] = [];
  for (const [at, messages] of ctx.errors) {
    if (deeper ? at === path : isWithin(at, path)) out.push(...messages);
  }
  return out;
}

/** The badge on keys the gateway accepts only so OpenClaw configs load. */
function CompatBadge({ node, option }: { node: SchemaNode; option: SchemaNode | undefined }) {
  const { t } = useI18n();
  if (!node["x-compat-only"] && !option?.["x-compat-only"]) return null;
  return (
    <span class="badge compat" data-compat-only title={t("config.compatOnlyHint")}>
      {t("config.compatOnly")}
    </span>
  );
}

function FieldErrors({ messages, path }: { messages: string[]; path: string }) {
  if (messages.length === 0) return null;
  return (
    <ul class="field-errors" data-error-for={path}>
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

export function SchemaField(props: { name: string; node: SchemaNode; at: PathKey[]; ctx: FormContext }) {
  const { ctx, at, name } = props;
  const value = getAt(ctx.document, at);
  const path = formatPath(at);
  const node = pickOption(props.node, value);
  const description = props.node.description ?? node?.description;

  if (node?.type === "object" && node.properties && at.length < MAX_DEPTH) {
    return (
      <SchemaGroup
        name={name}
        node={node}
        at={at}
        ctx={ctx}
        description={description}
        badge={<CompatBadge node={props.node} option={node} />}
      />
    );
  }

  const errors = ownErrors(ctx, path, false);
  const id = `field-${path.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  let input: preact.JSX.Element;
  if (node?.enum) {
    input = (
      <select
        id={id}
        data-path={path}
        value={value === undefined ? "" : String(value)}
        onChange={(e) => {
          const raw = (e.currentTarget as HTMLSelectElement).value;
          ctx.onChange(at, raw === "" ? undefined : node.enum!.find((v) => String(v) === raw));
        }}
      >
        <option value="">—</option>
        {node.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  } else if (node?.type === "boolean") {
    input = (
      <select
        id={id}
        data-path={path}
        value={value === undefined ? "" : String(value)}
        onChange={(e) => {
          const raw = (e.currentTarget as HTMLSelectElement).value;
          ctx.onChange(at, raw === "" ? undefined : raw === "true");
        }}
      >
        <option value="">—</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else if (node?.type === "integer" || node?.type === "number") {
    input = (
      <input
        id={id}
        data-path={path}
        type="text"
        inputMode="numeric"
        value={value === undefined ? "" : String(value)}
        onChange={(e) => {
          const raw = (e.currentTarget as HTMLInputElement).value.trim();
          // Not a number stays text, so the gateway's own message explains the problem here.
          ctx.onChange(at, raw === "" ? undefined : Number.isFinite(Number(raw)) ? Number(raw) : raw);
        }}
      />
    );
  } else if (node?.type === "string") {
    const common = {
      id,
      "data-path": path,
      autocomplete: "off",
      value: typeof value === "string" ? value : "",
      onChange: (e: Event) => {
        const raw = (e.currentTarget as HTMLInputElement).value;
        ctx.onChange(at, raw === "" ? undefined : raw);
      },
    };
    // Secrets arrive redacted; a password box keeps them off screen while typing a new one.
    input = matchesHint(path, ctx.sensitive) ? (
      <input type="password" {...common} />
    ) : (
      <input type="text" {...common} />
    );
  } else {
    input = <JsonBox id={id} path={path} value={value} onChange={(v) => ctx.onChange(at, v)} />;
  }

  return (
    <div class={`field${errors.length ? " invalid" : ""}`}>
      <label for={id}>
        {name} <CompatBadge node={props.node} option={node} />
      </label>
      {input}
      {description && <p class="muted small">{description}</p>}
      <FieldErrors messages={errors} path={path} />
    </div>
  );
}

/** An object in the schema: a collapsible group that opens by itself when it holds a problem. */
function SchemaGroup(props: {
  name: string;
  node: SchemaNode;
  at: PathKey[];
  ctx: FormContext;
  description: string | undefined;
  badge: preact.JSX.Element;
}) {
  const { ctx, at, name, node, description, badge } = props;
  const path = formatPath(at);
  const [open, setOpen] = useState(false);
  const errors = ownErrors(ctx, path, true);
  const holdsError = [...ctx.errors.keys()].some((p) => isWithin(p, path));
  return (
    <details
      class="group"
      open={open || holdsError}
      data-path={path}
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        {name} {badge}
      </summary>
      {description && <p class="muted small">{description}</p>}
      <FieldErrors messages={errors} path={path} />
      {Object.entries(node.properties ?? {}).map(([key, child]) => (
        <SchemaField key={key} name={key} node={child} at={[...at, key]} ctx={ctx} />
      ))}
    </details>
  );
}

/** Lists, maps and unions the form has no widget for: edited as JSON in place. */
function JsonBox(props: { id: string; path: string; value: unknown; onChange(value: unknown): void }) {
  const { t } = useI18n();
  const shown = props.value === undefined ? "" : JSON.stringify(props.value, null, 2);
  const [text, setText] = useState(shown);
  const [bad, setBad] = useState(false);
  useEffect(() => setText(shown), [shown]);
  return (
    <>
      <textarea
        id={props.id}
        data-path={props.path}
        class="json"
        rows={Math.min(8, Math.max(2, shown.split("\n").length))}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onChange={() => {
          if (text.trim() === "") {
            setBad(false);
            props.onChange(undefined);
            return;
          }
          try {
            props.onChange(JSON.parse(text));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <p class="field-errors">{t("config.jsonInvalid")}</p>}
    </>
  );
}
