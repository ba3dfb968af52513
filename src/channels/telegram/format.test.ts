import { describe, expect, it } from "vitest";
import { parseTelegramHtml } from "../../../test/fakes/telegram/html.js";
import { markdownToTelegramHtml } from "./format.js";

describe("telegram: Markdown to Telegram HTML", () => {
  it.each([
    ["plain text", "just words", "just words"],
    ["escapes & < >", "a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"],
    ["bold", "**very** and __also__", "<b>very</b> and <b>also</b>"],
    ["italics", "*soft* and _quiet_", "<i>soft</i> and <i>quiet</i>"],
    ["strike-through", "~~gone~~", "<s>gone</s>"],
    ["inline code is not styled", "run `a*b*c <x>`", "run <code>a*b*c &lt;x&gt;</code>"],
    [
      "links",
      "see [the docs](https://example.com/a?b=1&c=2)",
      'see <a href="https://example.com/a?b=1&amp;c=2">the docs</a>',
    ],
    ["headings become bold", "## Setup", "<b>Setup</b>"],
    ["snake_case stays", "use my_var_name here", "use my_var_name here"],
    ["a lone star stays", "2 * 3 = 6", "2 * 3 = 6"],
  ])("%s", (_name, markdown, html) => {
    expect(markdownToTelegramHtml(markdown)).toBe(html);
  });

  it("turns code fences into pre/code with the language, escaped, unstyled", () => {
    const md = "Try:\n```ts\nconst a = b < c && **d**;\n```\ndone";
    expect(markdownToTelegramHtml(md)).toBe(
      'Try:\n<pre><code class="language-ts">const a = b &lt; c &amp;&amp; **d**;</code></pre>\ndone',
    );
  });

  it("runs a fence left open to the end", () => {
    expect(markdownToTelegramHtml("```\nopen <code>")).toBe("<pre><code>open &lt;code&gt;</code></pre>");
  });

  it("produces markup Telegram accepts for ordinary model output", () => {
    const md = [
      "# Plan",
      "1. **Install** with `npm i` — see [npm](https://npmjs.com).",
      "2. Use _care_ & check `a < b`.",
      '```sh\necho "<done>"\n```',
    ].join("\n");
    expect(parseTelegramHtml(markdownToTelegramHtml(md))).toMatchObject({ ok: true });
  });

  it("can produce mis-nested tags for overlapping styles (the sender then falls back to plain text)", () => {
    const parsed = parseTelegramHtml(markdownToTelegramHtml("__bold *both__ italic*"));
    expect(parsed).toEqual({
      ok: false,
      description: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "i"`,
    });
  });
});
