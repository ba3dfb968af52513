import { describe, expect, it } from "vitest";
import { escapeXml, renderTwiml, WAIT_PAUSE_SECONDS } from "./twiml.js";

const HOOK = "https://voice.example.com/voice/webhook";
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';
const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);
/** The stamp on a callback URL issued at NOW, escaped for XML; the nonce is random. */
const STAMP = `&amp;issued=${NOW / 1000}&amp;nonce=[\\w-]{12}`;
const pattern = (text: string) => new RegExp(`^${text.replace(/[?()]/g, "\\$&")}$`);

describe("twiml", () => {
  it("escapes the five XML specials", () => {
    expect(escapeXml(`Tom & Jerry say "<hi>" & 'bye'`)).toBe(
      "Tom &amp; Jerry say &quot;&lt;hi&gt;&quot; &amp; &apos;bye&apos;",
    );
  });

  it("drops characters XML cannot carry and keeps the rest", () => {
    expect(escapeXml("a\u0000b\u0007c\td\ne\uD800f 👋 é")).toBe("abc\td\nef 👋 é");
  });

  it("says and listens: a speech <Gather> around the <Say>, answering to type=gather", () => {
    expect(renderTwiml({ say: "Hi <there> & welcome", next: "listen" }, HOOK, NOW)).toMatch(
      pattern(
        `${PROLOG}<Response><Gather input="speech" action="${HOOK}?type=gather${STAMP}" method="POST" speechTimeout="auto" actionOnEmptyResult="true"><Say>Hi &lt;there&gt; &amp; welcome</Say></Gather></Response>`,
      ),
    );
  });

  it("listens without saying anything", () => {
    expect(renderTwiml({ next: "listen" }, HOOK)).toContain('actionOnEmptyResult="true"></Gather>');
  });

  it("says goodbye and hangs up", () => {
    expect(renderTwiml({ say: "Bye", next: "hangup" }, HOOK)).toBe(
      `${PROLOG}<Response><Say>Bye</Say><Hangup/></Response>`,
    );
  });

  it("waits: a pause, then a POST redirect to type=redirect", () => {
    expect(renderTwiml({ say: "One moment", next: "wait" }, HOOK, NOW)).toMatch(
      pattern(
        `${PROLOG}<Response><Say>One moment</Say><Pause length="${WAIT_PAUSE_SECONDS}"/><Redirect method="POST">${HOOK}?type=redirect${STAMP}</Redirect></Response>`,
      ),
    );
  });

  it("gives every callback URL its own nonce, so equal fields still sign differently", () => {
    const nonce = (twiml: string) => /nonce=([\w-]+)/.exec(twiml)?.[1];
    const first = nonce(renderTwiml({ next: "wait" }, HOOK, NOW));
    expect(first).toMatch(/^[\w-]{12}$/);
    expect(nonce(renderTwiml({ next: "wait" }, HOOK, NOW))).not.toBe(first);
  });

  it("keeps the webhook URL's own query, escaped in the attribute", () => {
    const twiml = renderTwiml({ next: "listen" }, `${HOOK}?token=a&b=c`);
    expect(twiml).toContain(`action="${HOOK}?token=a&amp;b=c&amp;type=gather&amp;issued=`);
  });

  it("is an empty document without an action, and skips a blank <Say>", () => {
    expect(renderTwiml(undefined, HOOK)).toBe(`${PROLOG}<Response></Response>`);
    expect(renderTwiml({ say: "  ", next: "hangup" }, HOOK)).toBe(`${PROLOG}<Response><Hangup/></Response>`);
  });
});
