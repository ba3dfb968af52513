import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * Memory and skills through the built gateway, with the fake Anthropic API scripted
 * to call tools: what the model is shown (system prompt, tool results) is read from
 * the requests the fake received.
 */

const GROUP = "agent:main:discord:channel:4242";
const SKILL_KEY = "wx-skill-key-7f3e9a1c55";

const fixture = useFakeModelGateways();
const { running, clients } = fixture;

function setup(extra: Record<string, unknown> = {}) {
  const stateDir = tempDir();
  const workspace = path.join(stateDir, "workspace");
  mkdirSync(path.join(workspace, "memory"), { recursive: true });
  writeFileSync(path.join(workspace, "MEMORY.md"), "# Memory\n\nThe owner's locker code is 4711.\n");
  writeFileSync(
    path.join(workspace, "memory", "2026-01-05.md"),
    "# Notes\n\nBought paint.\n\nThe plumber Mario comes on Thursday.\n",
  );
  writeFileSync(
    path.join(stateDir, "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local" },
      models: { providers: { anthropic: { baseUrl: fixture.anthropic.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
      ...extra,
    }),
  );
  const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-test-key" });
  return { stateDir, workspace, env };
}

async function start(env: NodeJS.ProcessEnv) {
  const gw = await startGateway(["--port", "0"], env);
  running.push(gw);
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
  clients.push(client);
  return { gw, client };
}

let seq = 0;
/** Sends a message and waits for its run to end. */
const turn = (client: GatewayClient, message: string, sessionKey = "main") =>
  chatTurn(client, message, { sessionKey, idempotencyKey: `k${++seq}` });

const systemOf = (i: number) => JSON.stringify(fixture.anthropic.requests[i]!.body.system);
const messagesOf = (i: number) => JSON.stringify(fixture.anthropic.requests[i]!.body.messages);
/** The last message of request i: the tool result the model just got. */
const lastMessageOf = (i: number) =>
  JSON.stringify((fixture.anthropic.requests[i]!.body.messages as unknown[]).at(-1));

describe("memory", () => {
  it("puts MEMORY.md in a private session's prompt and never in a group's; daily notes in both", async () => {
    const { workspace, env } = setup();
    const today = new Date();
    const pad = (n: number) => String(n).padStart(2, "0");
    const todayName = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
    writeFileSync(path.join(workspace, "memory", `${todayName}.md`), "Today: water the ficus.\n");
    const { client } = await start(env);
    fixture.anthropic.enqueue({ text: "hi owner" }, { text: "hi group" });
    await turn(client, "hello");
    await turn(client, "hello all", GROUP);
    expect(systemOf(0)).toContain("locker code is 4711");
    expect(systemOf(0)).toContain("water the ficus");
    expect(systemOf(1)).not.toContain("4711");
    expect(systemOf(1)).toContain("water the ficus");
  });

  it("answers memory_search with the right file and lines, follows an edit on disk, hides MEMORY.md from groups", async () => {
    const { workspace, env } = setup();
    const { client } = await start(env);
    const search = (id: string, query: string) => ({
      toolCalls: [{ id, name: "memory_search", args: { query } }],
    });
    fixture.anthropic.enqueue(search("s1", "when does the plumber come"), { text: "Thursday" });
    await turn(client, "when is the plumber coming?");
    const first = messagesOf(1);
    expect(first).toContain("memory/2026-01-05.md");
    expect(first).toContain('\\"startLine\\": 1');
    expect(first).toContain("Mario comes on Thursday");

    writeFileSync(
      path.join(workspace, "memory", "2026-01-05.md"),
      "# Notes\n\nThe plumber Luigi moved to Monday.\n",
    );
    fixture.anthropic.enqueue(search("s2", "plumber"), { text: "Monday" });
    await turn(client, "and now?");
    expect(lastMessageOf(3)).toContain("Luigi moved to Monday");
    expect(lastMessageOf(3)).not.toContain("Mario");

    // A group member asks the model to look up the owner's private memory.
    fixture.anthropic.enqueue(
      search("s3", "locker code"),
      {
        toolCalls: [{ id: "g1", name: "memory_get", args: { path: "MEMORY.md" } }],
      },
      { text: "sorry" },
    );
    await turn(client, "what is the locker code?", GROUP);
    expect(lastMessageOf(5)).toContain(String.raw`\"results\": []`); // the search ran…
    expect(lastMessageOf(5)).not.toContain("4711"); // …without MEMORY.md
    expect(lastMessageOf(6)).not.toContain("4711");
    expect(lastMessageOf(6)).toContain("private to the owner");
  });

  it("serves memory.search over RPC and `openclaw memory search --json`", async () => {
    const { env } = setup();
    const { client } = await start(env);
    const rpc = (await client.request("memory.search", { query: "locker code" })) as {
      results: { path: string; startLine: number }[];
      mode: string;
    };
    expect(rpc.mode).toBe("keyword");
    expect(rpc.results[0]).toMatchObject({ path: "MEMORY.md", startLine: 1 });
    const cli = await runCli(["memory", "search", "plumber", "--json"], env);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).results[0]).toMatchObject({ path: "memory/2026-01-05.md", endLine: 5 });
  });
});

describe("memory flush", () => {
  const today = () => {
    const d = new Date();
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  };
  // A small window, so the second long message pushes the conversation over the compaction mark.
  const small = (extra: Record<string, unknown> = {}) => ({
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-5" }, contextTokens: 12_000, ...extra },
    },
  });
  const long = (tag: string) => `${tag} ${"the quick brown fox jumps over the lazy dog ".repeat(200)}`;

  it("runs a silent turn that writes memory/<today>.md before compaction", async () => {
    const { workspace, env } = setup(small());
    const { client } = await start(env);
    const note = `memory/${today()}.md`;
    fixture.anthropic.enqueue(
      { text: "noted one" },
      {
        toolCalls: [
          { id: "f1", name: "write", args: { path: note, content: "User's cat is called Miso.\n" } },
        ],
      },
      { text: "NO_REPLY" },
      { text: "Summary: long messages about foxes." },
      { text: "noted two" },
    );
    await turn(client, long("first"));
    await turn(client, long("second"));
    expect(fixture.anthropic.requests).toHaveLength(5);
    expect(systemOf(1)).toContain("Session nearing compaction. Store durable memories now.");
    expect(lastMessageOf(1)).toContain(`Write any lasting notes to ${note}`);
    expect(readFileSync(path.join(workspace, note), "utf8")).toBe("User's cat is called Miso.\n");
    expect(systemOf(3)).toContain("compress chat history"); // the compaction request came after the flush
    const history = (await client.request("chat.history", { sessionKey: "main" })) as {
      messages: { content: { text?: string }[] }[];
    };
    expect(JSON.stringify(history)).not.toContain("NO_REPLY");
  });

  it("is off with compaction.memoryFlush.enabled: false", async () => {
    const { env } = setup(small({ compaction: { memoryFlush: { enabled: false } } }));
    const { client } = await start(env);
    fixture.anthropic.enqueue({ text: "one" }, { text: "Summary." }, { text: "two" });
    await turn(client, long("first"));
    await turn(client, long("second"));
    expect(fixture.anthropic.requests).toHaveLength(3);
    expect(JSON.stringify(fixture.anthropic.requests.map((r) => r.body.system))).not.toContain(
      "nearing compaction",
    );
  });
});

describe("skills", () => {
  function skill(dir: string, name: string, frontmatter: string) {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(
      path.join(dir, name, "SKILL.md"),
      `---\n${frontmatter}\n---\nRun \`weather\` with the key.\n`,
    );
  }

  it("lists eligible skills in the prompt, picks up a new one live, reports the rest in skills.status", async () => {
    const { stateDir, workspace, env } = setup();
    skill(
      path.join(workspace, "skills"),
      "weather",
      "name: weather\ndescription: Look up the weather forecast",
    );
    skill(
      path.join(stateDir, "skills"),
      "gated",
      'name: gated\ndescription: needs a tool\nmetadata: {"openclaw": {"requires": {"bins": ["no-such-bin-xyz"]}}}',
    );
    mkdirSync(path.join(workspace, "skills", "broken"));
    writeFileSync(path.join(workspace, "skills", "broken", "SKILL.md"), "---\ndescription: [oops\n---\n");
    const { gw, client } = await start(env);
    fixture.anthropic.enqueue({ text: "one" }, { text: "two" });
    await turn(client, "hi");
    expect(systemOf(0)).toContain(
      "<name>weather</name><description>Look up the weather forecast</description>",
    );
    expect(systemOf(0)).not.toContain("gated");
    await gw.waitForLine(/skipping skill .*broken\/SKILL\.md: has invalid YAML frontmatter/);

    skill(path.join(workspace, "skills"), "notes", "name: notes\ndescription: Keep tidy notes");
    await turn(client, "again");
    expect(systemOf(1)).toContain("<name>notes</name>");

    const status = (await client.request("skills.status", {})) as {
      skills: { name: string; eligible: boolean; missing: { bins: string[] } }[];
    };
    expect(status.skills.find((s) => s.name === "gated")).toMatchObject({
      eligible: false,
      missing: { bins: ["no-such-bin-xyz"] },
    });
    const check = await runCli(["skills", "check"], env);
    expect(check.stdout).toContain("not eligible: gated: missing bins: no-such-bin-xyz");
  });

  it("gives skills.entries env only to exec runs that name the skill, and never logs it", async () => {
    const { stateDir, workspace, env } = setup({
      skills: { entries: { weather: { apiKey: SKILL_KEY, env: { WX_UNITS: "metric" } } } },
    });
    skill(
      path.join(workspace, "skills"),
      "weather",
      'name: weather\ndescription: forecast\nmetadata: {"openclaw": {"primaryEnv": "WX_KEY", "requires": {"env": ["WX_KEY"]}}}',
    );
    const { gw, client } = await start(env);
    const exec = (id: string, args: Record<string, unknown>) => ({ toolCalls: [{ id, name: "exec", args }] });
    const dump = 'echo "key=${WX_KEY:-none} units=${WX_UNITS:-none}"';
    fixture.anthropic.enqueue(
      exec("e1", { command: dump }),
      exec("e2", { command: dump, skill: "weather" }),
      exec("e3", { command: dump, skill: "nope" }),
      { text: "done" },
    );
    await turn(client, "check the weather");
    expect(lastMessageOf(1)).toContain("key=none units=none");
    expect(lastMessageOf(2)).toContain(`key=${SKILL_KEY} units=metric`);
    expect(lastMessageOf(3)).toContain("no eligible skill named nope");
    // The model's own requests carry the key (the command echoed it); the gateway's logs do not.
    const { stdout, stderr } = gw.output();
    expect(stdout + stderr).not.toContain(SKILL_KEY);
    const logDir = path.join(stateDir, "logs");
    const logs = (() => {
      try {
        return readFileSync(path.join(logDir, "gateway.log"), "utf8");
      } catch {
        return "";
      }
    })();
    expect(logs).not.toContain(SKILL_KEY);
    chmodSync(workspace, 0o755);
  });
});
