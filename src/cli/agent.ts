import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { requestedSessionKey } from "../routing/session-key.js";
import { addClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";

interface ChatEvent {
  runId: string;
  state: "delta" | "final" | "aborted" | "error";
  deltaText?: string;
  errorMessage?: string;
}

/** `openclaw agent --message …` streams one turn to the terminal; `openclaw models list`. */
export function registerAgentCommands(program: Command): void {
  addClientOptions(
    program
      .command("agent")
      .description("send a message to an agent through the running gateway and stream the answer")
      .requiredOption("-m, --message <text>", "the message")
      .option("--session <key>", "session key (default: the default agent's main session)", "main")
      .option("--agent <id>", "agent id (uses agent:<id>:main unless --session is given)")
      .option("--json", "print the final result as JSON"),
  ).action(async (flags: ClientFlags & { message: string; session: string; agent?: string }) => {
    process.exitCode = await runAgentTurn(flags);
  });

  addClientOptions(
    program
      .command("models")
      .description("model catalogue")
      .command("list")
      .description("list known models")
      .option("--json", "print raw JSON"),
  ).action(async (flags: ClientFlags) => {
    const { callAndPrint } = await import("./connection.js");
    process.exitCode = await callAndPrint("models.list", {}, flags, (payload) => {
      const { models } = payload as {
        models: {
          id: string;
          ref?: string;
          contextWindow: number;
          hasKey: boolean;
          inDefaultChain: boolean;
        }[];
      };
      return models
        .map(
          (m) =>
            `${m.inDefaultChain ? "*" : " "} ${(m.ref ?? m.id).padEnd(40)} ${String(m.contextWindow).padStart(8)}  ${m.hasKey ? "key ok" : "no key"}`,
        )
        .join("\n");
    });
  });
}

async function runAgentTurn(
  flags: ClientFlags & { message: string; session: string; agent?: string },
): Promise<number> {
  const { connectFromCli } = await import("./connection.js");
  let client: Awaited<ReturnType<typeof connectFromCli>>["client"];
  try {
    ({ client } = await connectFromCli(flags));
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  // The gateway canonicalises it and checks the agent (routing/session-key.ts).
  const sessionKey = requestedSessionKey({ agentId: flags.agent, sessionKey: flags.session });
  // Events can arrive before chat.send's answer names the run: buffer until then.
  const buffered: ChatEvent[] = [];
  let runId: string | undefined;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const onChat = (e: ChatEvent) => {
    if (e.runId !== runId) return;
    if (e.state === "delta" && e.deltaText && !flags.json) process.stdout.write(e.deltaText);
    if (e.state === "final") {
      if (!flags.json) process.stdout.write("\n");
      finish(0);
    } else if (e.state === "aborted") {
      process.stderr.write("\n[aborted]\n");
      finish(1);
    } else if (e.state === "error") {
      process.stderr.write(`\nerror: ${e.errorMessage}\n`);
      finish(1);
    }
  };
  client.onEvent((frame) => {
    if (frame.event !== "chat") return;
    const event = frame.payload as ChatEvent;
    if (runId) onChat(event);
    else buffered.push(event);
  });
  try {
    const ack = (await client.request("chat.send", {
      sessionKey,
      message: flags.message,
      idempotencyKey: randomUUID(),
    })) as { runId: string };
    runId = ack.runId;
    for (const event of buffered.splice(0)) onChat(event);
    const code = await finished;
    if (flags.json) {
      const history = (await client.request("chat.history", { sessionKey, limit: 1 })) as {
        messages: unknown[];
      };
      process.stdout.write(
        `${JSON.stringify({ runId, sessionKey, message: history.messages.at(-1) }, null, 2)}\n`,
      );
    }
    return code;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}
