import { describe, expect, it } from "vitest";
import { GATEWAY_SWITCHES, GATEWAY_VALUE_FLAGS, plainGatewayRun } from "./argv.js";
import { rootProgram } from "./program.js";

/** What commander hands the gateway action for `argv` (the action replaced, nothing runs). */
async function commanderOptions(argv: string[]): Promise<unknown> {
  const { program, gateway } = rootProgram();
  let seen: unknown;
  for (const cmd of [gateway, ...gateway.commands]) {
    cmd.action((opts) => {
      seen = opts;
    });
  }
  await program.parseAsync(argv);
  return seen;
}

const argvOf = (...args: string[]) => ["node", "openclaw", ...args];

describe("the gateway start parsed without commander (#23)", () => {
  it("knows exactly the flags the gateway command declares", () => {
    const { gateway } = rootProgram();
    const declared = gateway.options.map((o) => [o.long, o.required]);
    const parsed = [
      ...Object.keys(GATEWAY_VALUE_FLAGS).map((f) => [f, true]),
      ...Object.keys(GATEWAY_SWITCHES).map((f) => [f, false]),
    ];
    expect(parsed.sort()).toEqual(declared.sort());
  });

  it.each([
    [["gateway"]],
    [["gateway", "run"]],
    [["gateway", "--allow-unconfigured", "--port", "0"]],
    [["gateway", "run", "--bind", "lan", "--token", "t0k", "--verbose", "--force"]],
    [["gateway", "--password", "", "--port", "18789"]],
  ])("gives what commander gives for %j", async (args) => {
    const argv = argvOf(...args);
    const plain = plainGatewayRun(argv);
    expect(plain).toBeDefined();
    expect(plain).toEqual(await commanderOptions(argv));
  });

  it.each([
    [["gateway", "--port=1"]],
    [["gateway", "--port"]],
    [["gateway", "--port", "--force"]],
    [["gateway", "--port", "1", "--port", "2"]],
    [["gateway", "--nope"]],
    [["gateway", "--force", "run"]],
    [["gateway", "-V"]],
    [["gateway", "--help"]],
    [["gateway", "call", "health"]],
    [["--profile", "x", "gateway"]],
  ])("leaves %j to commander (its messages, its help)", (args) => {
    expect(plainGatewayRun(argvOf(...args))).toBeUndefined();
  });
});
