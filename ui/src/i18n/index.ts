import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en, type MessageKey, type Messages } from "./en.js";
import { zhHans } from "./zh-Hans.js";
import { zhHant } from "./zh-Hant.js";

/** The UI's languages: each a complete catalogue (the type checker enforces every key). */
export const LANGUAGES: Record<string, { label: string; messages: Messages }> = {
  en: { label: "English", messages: en },
  "zh-Hans": { label: "简体中文", messages: zhHans },
  "zh-Hant": { label: "繁體中文", messages: zhHant },
};
export type Lang = "en" | "zh-Hans" | "zh-Hant";

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
    if (saved && saved in LANGUAGES) return saved as Lang;
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
  const messages = LANGUAGES[lang]?.messages ?? en;
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
