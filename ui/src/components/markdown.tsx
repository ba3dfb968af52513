/**
 * Markdown from the model, rendered safely: `marked` only tokenises (its lexer), and
 * this file turns the tokens into Preact elements from a fixed list of tags. No HTML
 * string is ever parsed into the page (no innerHTML, so no sanitiser is needed): raw
 * HTML in a message is shown as text, links and images keep only safe URL schemes.
 * marked is most of this code's weight, so it loads on first use (its own chunk), not
 * with the page: the connect screen paints without it. The build ships only marked's
 * Lexer (scripts/build-ui.mjs cuts the rest): its other exports are not there at run time.
 */
import type { Lexer, Token, Tokens } from "marked";
import type { ComponentChildren, VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/index.js";
import { CopyButton } from "./copy.js";

/** Link targets a click may follow: the web and mail. Anything else (javascript:, data:) stays text. */
const SAFE_LINK = /^(https?:|mailto:)/i;
/** Images: data URIs of raster types (the CSP already refuses other hosts); no SVG, which can carry script. */
const SAFE_IMAGE = /^data:image\/(png|jpe?g|gif|webp);base64,/i;
/** Longer messages are shown as plain text: tokenising megabytes would freeze the page. */
export const MAX_MARKDOWN_CHARS = 200_000;

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  "#39": "'",
  nbsp: "\u00a0",
};

/** marked keeps character references as written; show them as the characters they name. */
function decode(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+\d*);/gi, (m, name: string) => {
    if (name in ENTITIES) return ENTITIES[name] ?? m;
    if (name[0] !== "#") return m;
    const code =
      name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

function inline(tokens: Token[] | undefined): ComponentChildren[] {
  return (tokens ?? []).map((token, i) => inlineToken(token, i));
}

function inlineToken(token: Token, key: number): ComponentChildren {
  switch (token.type) {
    case "strong":
      return <strong key={key}>{inline((token as Tokens.Strong).tokens)}</strong>;
    case "em":
      return <em key={key}>{inline((token as Tokens.Em).tokens)}</em>;
    case "del":
      return <del key={key}>{inline((token as Tokens.Del).tokens)}</del>;
    case "codespan":
      return <code key={key}>{(token as Tokens.Codespan).text}</code>;
    case "br":
      return <br key={key} />;
    case "link": {
      const link = token as Tokens.Link;
      if (!SAFE_LINK.test(link.href)) return <span key={key}>{inline(link.tokens)}</span>;
      return (
        <a
          key={key}
          href={link.href}
          title={link.title ?? undefined}
          target="_blank"
          rel="noopener noreferrer"
        >
          {inline(link.tokens)}
        </a>
      );
    }
    case "image": {
      const image = token as Tokens.Image;
      if (!SAFE_IMAGE.test(image.href)) return <span key={key}>{`[${image.text}]`}</span>;
      return <img key={key} src={image.href} alt={image.text} loading="lazy" />;
    }
    case "text": {
      const text = token as Tokens.Text;
      return text.tokens ? <span key={key}>{inline(text.tokens)}</span> : decode(text.text);
    }
    case "escape":
      return (token as Tokens.Escape).text;
    default:
      // html (shown as the characters the model wrote) and anything unknown.
      return token.raw;
  }
}

export function CodeBlock({ code, lang }: { code: string; lang?: string }) {
  return (
    <div class="codeblock">
      <div class="codeblock-bar">
        <span class="lang">{lang || "text"}</span>
        <CopyButton text={code} />
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}

function align(a: Tokens.TableCell["align"]): string | undefined {
  return a ? `text-align:${a}` : undefined;
}

/** A cell as plain text (no markdown marks), on one line: what a spreadsheet cell should get. */
function plain(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((tk) =>
      "tokens" in tk && tk.tokens ? plain(tk.tokens) : "text" in tk ? decode(String(tk.text)) : " ",
    )
    .join("")
    .replace(/\s+/g, " ");
}

/** The table as tab-separated lines: pasted into a spreadsheet, each cell lands in its own. */
function tsv(table: Tokens.Table): string {
  return [table.header, ...table.rows].map((row) => row.map((c) => plain(c.tokens)).join("\t")).join("\n");
}

function TableView({ table }: { table: Tokens.Table }) {
  return (
    <table>
      <thead>
        <tr>
          {table.header.map((cell, i) => (
            <th key={i} style={align(cell.align)}>
              {inline(cell.tokens)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row, r) => (
          <tr key={r}>
            {row.map((cell, i) => (
              <td key={i} style={align(cell.align)}>
                {inline(cell.tokens)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A table with Copy (as TSV) and Expand: a modal <dialog> over the whole page for wide
 * tables. The browser's modal dialog moves focus into it, closes on Esc and gives focus
 * back to Expand.
 */
function TableBlock({ table }: { table: Tokens.Table }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (open) dialog.current?.showModal();
  }, [open]);
  return (
    <div class="md-table">
      <div class="table-bar">
        <CopyButton text={tsv(table)} label={t("chat.copyTable")} />
        <button
          type="button"
          class="ghost table-expand"
          title={t("chat.expandTable")}
          onClick={() => setOpen(true)}
        >
          {t("chat.expandTable")}
        </button>
      </div>
      <div class="table-wrap">
        <TableView table={table} />
      </div>
      {open && (
        <dialog class="table-dialog" ref={dialog} aria-label={t("chat.table")} onClose={() => setOpen(false)}>
          <div class="table-bar">
            <button
              type="button"
              class="ghost table-close"
              title={t("common.close")}
              onClick={() => dialog.current?.close()}
            >
              {t("common.close")}
            </button>
          </div>
          <div class="table-wrap md">
            <TableView table={table} />
          </div>
        </dialog>
      )}
    </div>
  );
}

function block(token: Token, key: number): VNode | string | null {
  switch (token.type) {
    case "space":
    case "def":
      return null;
    case "paragraph":
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens)}</p>;
    case "heading": {
      const h = token as Tokens.Heading;
      const Tag = `h${Math.min(h.depth + 2, 6)}` as "h3";
      return <Tag key={key}>{inline(h.tokens)}</Tag>;
    }
    case "code": {
      const code = token as Tokens.Code;
      return <CodeBlock key={key} code={code.text} lang={code.lang?.split(/\s/)[0]} />;
    }
    case "blockquote":
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens)}</blockquote>;
    case "hr":
      return <hr key={key} />;
    case "list": {
      const list = token as Tokens.List;
      const items = list.items.map((item, i) => (
        <li key={i}>
          {item.task && <input type="checkbox" checked={item.checked ?? false} disabled />}
          {blocks(item.tokens)}
        </li>
      ));
      return list.ordered ? (
        <ol key={key} start={typeof list.start === "number" ? list.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case "table":
      return <TableBlock key={key} table={token as Tokens.Table} />;
    case "text": {
      // A tight list item's text: inline content without a paragraph around it.
      const text = token as Tokens.Text;
      return <span key={key}>{text.tokens ? inline(text.tokens) : decode(text.text)}</span>;
    }
    default:
      // Block HTML and unknown tokens: the characters as written, never markup.
      return <p key={key}>{token.raw}</p>;
  }
}

function blocks(tokens: Token[]): (VNode | string | null)[] {
  return tokens.map((token, i) => block(token, i));
}

let lexer: typeof Lexer | undefined;
let loading: Promise<unknown> | undefined;

/** Starts loading marked (the chat calls this when it opens, so answers never wait for it). */
export function loadMarkdown(): Promise<unknown> {
  loading ??= import("marked").then((m) => {
    lexer = m.Lexer;
  });
  return loading;
}

/** A message's markdown as elements (GitHub flavour: tables, strikethrough, task lists, autolinks). */
export function Markdown({ text }: { text: string }) {
  const [ready, setReady] = useState(lexer !== undefined);
  // On what this render saw, not on `lexer` now: marked may have arrived between the render
  // and this effect, and the plain text shown would then never be replaced.
  useEffect(() => {
    if (!ready) void loadMarkdown().then(() => setReady(true));
  }, []);
  // Until marked has loaded (a moment, once), and for huge texts: the characters as written.
  if (!lexer || text.length > MAX_MARKDOWN_CHARS) return <p class="plain">{text}</p>;
  return <div class="md">{blocks(lexer.lex(text, { gfm: true }))}</div>;
}
