import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { MessageKey, Messages } from "./en.js";

export type Lang = "en" | "zh-Hans" | "zh-Hant";

/** `{name}` placeholders filled from `vars`; one missing stays as written. */
function fill(text: string, vars?: Record<string, string | number>): string {
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : text;
}

/** Every catalogue set, the app's and those lazy chunks add (channel setup); see loadLanguage. */
const catalogues: Catalogues<Record<string, string>>[] = [];

/**
 * One set of strings in each language (a complete catalogue per language: the type
 * checker enforces every key), each language a chunk of its own, so a page downloads
 * only the strings of the language it shows, English included.
 */
export class Catalogues<M extends Record<string, string>> {
  private readonly got = new Map<Lang, M>();
  constructor(private readonly loaders: Record<Lang, () => Promise<M>>) {
    catalogues.push(this as unknown as Catalogues<Record<string, string>>);
  }
  async load(lang: Lang): Promise<void> {
    if (this.got.has(lang)) return;
    try {
      this.got.set(lang, await this.loaders[lang]());
    } catch {
      // A chunk that fails (the gateway was updated under an open page): English instead.
      if (lang !== "en") await this.load("en");
    }
  }
  /** The translate function for `lang`, once loaded (else English's; a key not loaded shows as itself, or as its short id in a build: see scripts/build-ui.mjs). */
  translate(lang: Lang): (key: keyof M & string, vars?: Record<string, string | number>) => string {
    const messages = this.got.get(lang) ?? this.got.get("en");
    return (key, vars) => fill(messages?.[key] ?? key, vars);
  }
}

const app = new Catalogues<Messages>({
  en: () => import("./en.js").then((m) => m.en),
  "zh-Hans": () => import("./zh-Hans.js").then((m) => m.zhHans),
  "zh-Hant": () => import("./zh-Hant.js").then((m) => m.zhHant),
});

/** The languages the UI offers, by their own names. */
export const LANGUAGES: Record<Lang, string> = {
  en: "English",
  "zh-Hans": "简体中文",
  "zh-Hant": "繁體中文",
};

/**
 * Fetches `lang`'s strings in every catalogue set loaded so far; the page awaits it
 * before its first render, before switching language and when a chunk with its own
 * strings arrives, so no screen flashes another language first.
 */
export async function loadLanguage(lang: Lang): Promise<void> {
  await Promise.all(catalogues.map((c) => c.load(lang)));
}

const STORAGE_KEY = "openclaw.controlUi.lang";

/** Traditional for Taiwan, Hong Kong, Macau and explicit Hant tags; Simplified for other Chinese. */
export function languageFor(tag: string): Lang | undefined {
  const t = tag.toLowerCase();
  if (!t.startsWith("zh")) return t.startsWith("en") ? "en" : undefined;
  if (/hant|-tw|-hk|-mo/.test(t)) return "zh-Hant";
  return "zh-Hans";
}

/** The saved choice, else the first of the browser's languages we have, else English. */
export function initialLanguage(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && Object.hasOwn(LANGUAGES, saved)) return saved as Lang;
  } catch {
    // storage disabled
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lang = languageFor(tag);
    if (lang) return lang;
  }
  return "en";
}

export function saveLanguage(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; the choice still holds for this page
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return app.translate(lang);
}
export const I18nContext = createContext<{ lang: Lang; t: Translate }>({ lang: "en", t: translator("en") });

export function useI18n() {
  return useContext(I18nContext);
}

export type { MessageKey };
