import { Catalogues, useI18n } from "../index.js";
import type { SetupKey, SetupMessages } from "./en.js";

/** The setup flow's strings: a chunk per language, loaded with the flow (see loadLanguage). */
const setup = new Catalogues<SetupMessages>({
  en: () => import("./en.js").then((m) => m.setupEn),
  "zh-Hans": () => import("./zh-Hans.js").then((m) => m.setupZhHans),
  "zh-Hant": () => import("./zh-Hant.js").then((m) => m.setupZhHant),
});

export type SetupTranslate = (key: SetupKey, vars?: Record<string, string | number>) => string;

/** The setup strings in the app's current language (the same `{name}` placeholders). */
export function useSetupI18n(): SetupTranslate {
  const { lang } = useI18n();
  return setup.translate(lang);
}
