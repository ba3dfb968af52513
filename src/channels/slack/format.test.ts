import { describe, expect, it } from "vitest";
import { markdownToMrkdwn, markdownToPlain, unescapeMrkdwn } from "./format.js";

describe("markdownToMrkdwn", () => {
  it.each([
    ["**bold** and *italic*", "*bold* and _italic_"],
    ["__bold__ and ~~gone~~", "*bold* and ~gone~"],
    ["see [the docs](https://example.com/a_b?x=1)", "see <https://example.com/a_b?x=1|the docs>"],
    ["# Title", "*Title*"],
    ["- one\n- two", "• one\n• two"],
    ["> quoted **text**", ">quoted *text*"],
    ["a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"],
    ["`**not bold** <x>`", "`**not bold** &lt;x&gt;`"],
    ["snake_case_name stays", "snake_case_name stays"],
  ])("%j → %j", (markdown, mrkdwn) => {
    expect(markdownToMrkdwn(markdown)).toBe(mrkdwn);
  });

  it("keeps code blocks verbatim (escaped) and drops the fence language Slack would print", () => {
    const md = "```ts\nconst a = **b** < c;\n```\nafter **x**";
    expect(markdownToMrkdwn(md)).toBe("```\nconst a = **b** &lt; c;\n```\nafter *x*");
  });

  it("a label with | cannot break out of the link", () => {
    expect(markdownToMrkdwn("[a|b](https://x.y/p|q)")).toBe("<https://x.y/p%7Cq|a|b>");
  });
});

describe("plain text and inbound", () => {
  it("plain text keeps the words and shows link targets", () => {
    expect(markdownToPlain("**hi** [docs](https://d.io) ~~x~~")).toBe("hi docs (https://d.io) x");
  });
  it("unescapes Slack's three entities", () => {
    expect(unescapeMrkdwn("a &lt;b&gt; &amp;amp;")).toBe("a <b> &amp;");
  });
});
