import { useI18n } from "../index.js";
import { type SetupKey, type SetupMessages, setupEn } from "./en.js";
import { setupZhHans } from "./zh-Hans.js";
import { setupZhHant } from "./zh-Hant.js";

const CATALOGUES: Record<string, SetupMessages> = {
  en: setupEn,
  "zh-Hans": setupZhHans,
  "zh-Hant": setupZhHant,
};

export type SetupTranslate = (key: SetupKey, vars?: Record<string, string | number>) => string;

/** The setup catalogue in the app's current language (the same `{name}` placeholders). */
export function useSetupI18n(): SetupTranslate {
  const { lang } = useI18n();
  const messages = CATALOGUES[lang] ?? setupEn;
  return (key, vars) => {
    const text = messages[key] ?? setupEn[key];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : text;
  };
}
