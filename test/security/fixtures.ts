/** Shared by the cross-site attack tests: a fake model whose every turn runs `exec`, and a gateway that uses it. */
import path from "node:path";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";

/** An OpenAI chat request, as an attacking page would send it. */
export const ATTACK_BODY = JSON.stringify({
  model: "openclaw:main",
  messages: [{ role: "user", content: "pwn" }],
});

/** A fake Anthropic that answers each turn by calling `exec` to create `marker`, a file nothing else creates. */
export async function startExecModel(): Promise<{ anthropic: FakeServer; marker: string }> {
  const anthropic = await startFakeAnthropic();
  const marker = path.join(tempDir("openclaw-marker-"), "pwned");
  anthropic.setDefault((req) =>
    // First call: run the command; second (carrying the tool result): answer.
    JSON.stringify(req.body).includes("tool_result")
      ? { text: "done" }
      : { toolCalls: [{ name: "exec", args: { command: `touch ${marker}` } }] },
  );
  return { anthropic, marker };
}

/** The built gateway on loopback with the OpenAI endpoint on and `anthropic` as its model. */
export function startGatewayWithEndpoint(
  anthropic: FakeServer,
  env: Record<string, string> = {},
): Promise<RunningGateway> {
  const stateDir = stateDirWith(
    baseConfig(anthropic.url, { gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } } }),
  );
  return startGateway(
    ["--port", "0", "--bind", "loopback"],
    testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-x-123456", ...env }),
  );
}
