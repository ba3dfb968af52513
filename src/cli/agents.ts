import type { Command } from "commander";
import { normalizeAgentId } from "../routing/agent-id.js";

/** Loaded on use, so `openclaw --help` stays instant. */
const actions = () => import("./config-actions.js");

interface AgentRow {
  id: string;
  name?: string;
  default?: boolean;
  workspace?: string;
  model?: unknown;
}

interface Binding {
  agentId: string;
  match: { channel: string; accountId?: string };
}

const listOf = (doc: Record<string, unknown>): AgentRow[] =>
  ((doc.agents as { list?: AgentRow[] } | undefined)?.list ?? []).filter((a) => typeof a?.id === "string");

/** `--bind telegram` or `--bind telegram:work` → a route binding for the agent. */
function parseBinding(agentId: string, spec: string): Binding {
  const [channel, accountId] = spec.split(":", 2);
  if (!channel) throw new Error(`--bind ${spec}: write channel or channel:accountId`);
  return { agentId, match: { channel, ...(accountId ? { accountId } : {}) } };
}

/**
 * `openclaw agents list|add|delete`: the `agents.list` entries (and their bindings) in
 * openclaw.json, through the running gateway when there is one (it applies them live).
 */
export function registerAgentsCommands(program: Command): void {
  const agents = program
    .command("agents")
    .description("the agents in agents.list (workspace, model, routing)");
  agents
    .command("list")
    .description("configured agents; without agents.list there is one, main")
    .option("--bindings", "include each agent's routing bindings")
    .option("--json", "print JSON")
    .action(async (flags: { bindings?: boolean; json?: boolean }) => {
      const doc = await (await actions()).readConfigDocument();
      const list = listOf(doc);
      const rows: AgentRow[] = list.length > 0 ? list : [{ id: "main", default: true }];
      const defaultId = (rows.find((a) => a.default) ?? rows[0])!.id;
      const bindings = ((doc.bindings as Binding[] | undefined) ?? []).filter((b) => b?.match);
      const out = rows.map((a) => ({
        id: a.id,
        ...(a.name ? { name: a.name } : {}),
        isDefault: a.id === defaultId,
        ...(a.workspace ? { workspace: a.workspace } : {}),
        ...(a.model ? { model: a.model } : {}),
        ...(flags.bindings
          ? { bindings: bindings.filter((b) => b.agentId === a.id).map((b) => b.match) }
          : {}),
      }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      for (const a of out) {
        const model =
          typeof a.model === "string" ? a.model : (a.model as { primary?: string } | undefined)?.primary;
        const routes = a.bindings
          ?.map((m) => (m.accountId ? `${m.channel}:${m.accountId}` : m.channel))
          .join(", ");
        process.stdout.write(
          `${a.isDefault ? "*" : " "} ${a.id.padEnd(16)} ${a.name ?? ""}${model ? `  model ${model}` : ""}${a.workspace ? `  workspace ${a.workspace}` : ""}${routes ? `  routes ${routes}` : ""}\n`,
        );
      }
    });
  agents
    .command("add <name>")
    .description("add an agent to agents.list (its id is the name, lower-cased)")
    .option("--workspace <dir>", "workspace directory (default: <state dir>/workspace-<id>)")
    .option("--model <id>", "model for this agent, e.g. anthropic/claude-sonnet-4-6")
    .option(
      "--bind <channel[:accountId]>",
      "route this channel (account) to the agent; repeatable",
      (v, all: string[] = []) => [...all, v],
    )
    .option("--agent-dir <dir>", "accepted for OpenClaw compatibility (agentDir is not used here)")
    .option("--non-interactive", "no prompts (there are none: accepted for OpenClaw compatibility)")
    .option("--json", "print the new entry as JSON")
    .action(
      async (
        name: string,
        flags: { workspace?: string; model?: string; bind?: string[]; agentDir?: string; json?: boolean },
      ) => {
        const { editConfig, EditRefused } = await actions();
        const id = normalizeAgentId(name);
        let bindings: Binding[];
        try {
          bindings = (flags.bind ?? []).map((spec) => parseBinding(id, spec));
        } catch (err) {
          process.stderr.write(`error: ${(err as Error).message}\n`);
          process.exitCode = 2;
          return;
        }
        const entry = {
          id,
          ...(name !== id ? { name } : {}),
          ...(flags.workspace ? { workspace: flags.workspace } : {}),
          ...(flags.model ? { model: flags.model } : {}),
          ...(flags.agentDir ? { agentDir: flags.agentDir } : {}),
        };
        process.exitCode = await editConfig(
          (doc) => {
            const list = listOf(doc);
            if (list.some((a) => a.id === id))
              throw new EditRefused(`agent ${id} already exists (openclaw agents list)`);
            // Without a list, `main` is the implicit default: keep it when adding a second agent.
            const base = list.length > 0 ? list : [{ id: "main", default: true }];
            const agentsSection = { ...((doc.agents as object | undefined) ?? {}), list: [...base, entry] };
            const next: Record<string, unknown> = { ...doc, agents: agentsSection };
            if (bindings.length > 0)
              next.bindings = [...((doc.bindings as Binding[] | undefined) ?? []), ...bindings];
            return next;
          },
          `added agent ${id}`,
          flags,
        );
        if (flags.json && process.exitCode === 0)
          process.stdout.write(`${JSON.stringify({ ...entry, bindings }, null, 2)}\n`);
      },
    );
  agents
    .command("delete <id>")
    .description(
      "remove an agent from agents.list with its bindings (its sessions and workspace stay on disk)",
    )
    .option("--force", "no confirmation (there is none: accepted for OpenClaw compatibility)")
    .option("--json", "print JSON")
    .action(async (raw: string, flags: { json?: boolean }) => {
      const { editConfig, EditRefused } = await actions();
      const id = normalizeAgentId(raw);
      let removedBindings = 0;
      process.exitCode = await editConfig(
        (doc) => {
          const list = listOf(doc);
          if (!list.some((a) => a.id === id))
            throw new EditRefused(`no agent ${id} in agents.list (openclaw agents list)`);
          const rest = list.filter((a) => a.id !== id);
          const bindings = (doc.bindings as Binding[] | undefined) ?? [];
          const kept = bindings.filter((b) => b.agentId !== id);
          removedBindings = bindings.length - kept.length;
          const next: Record<string, unknown> = { ...doc, agents: { ...(doc.agents as object), list: rest } };
          if (doc.bindings !== undefined) next.bindings = kept;
          return next;
        },
        `deleted agent ${id}`,
        flags,
      );
      if (flags.json && process.exitCode === 0)
        process.stdout.write(`${JSON.stringify({ ok: true, id, removedBindings })}\n`);
    });
}
