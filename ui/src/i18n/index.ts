import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en, type MessageKey, type Messages } from "./en.js";

export type Lang = "en" | "zh-Hans" | "zh-Hant";

/**
 * The UI's languages: each a complete catalogue (the type checker enforces every key).
 * English is in the page's bundle (it is also every missing key's fallback); the others
 * are chunks of their own, so a page downloads only the catalogue it shows.
 */
export const LANGUAGES: Record<Lang, { label: string; load: () => Promise<Messages> }> = {
  en: { label: "English", load: () => Promise.resolve(en) },
  "zh-Hans": { label: "简体中文", load: () => import("./zh-Hans.js").then((m) => m.zhHans) },
  "zh-Hant": { label: "繁體中文", load: () => import("./zh-Hant.js").then((m) => m.zhHant) },
};

const loaded: Partial<Record<Lang, Messages>> = { en };

/**
 * Fetches a language's catalogue once; the page awaits it before its first render and
 * before switching, so no screen flashes English first. A catalogue that fails to load
 * (the gateway restarted with a new build) leaves English in place.
 */
export async function loadLanguage(lang: Lang): Promise<void> {
  if (loaded[lang]) return;
  try {
    loaded[lang] = await LANGUAGES[lang].load();
  } catch {
    // stays English: every key has an English text
  }
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
  const messages = loaded[lang] ?? en;
  return (key, vars) => {
    const text = messages[key] ?? en[key];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : text;
  };
}

export const I18nContext = createContext<{ lang: Lang; t: Translate }>({ lang: "en", t: translator("en") });

export function useI18n() {
  return useContext(I18nContext);
}

export type { MessageKey };
