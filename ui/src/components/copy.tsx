import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/index.js";

/** How long "Copied" shows before the button reads "Copy" again. */
const COPIED_MS = 1500;

/**
 * The clipboard API needs a secure context; a gateway reached over plain HTTP on the LAN
 * is not one, so fall back to a selected, off-screen textarea and the copy command.
 */
export async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), COPIED_MS);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      class={`ghost copy ${state}`}
      aria-label={label ?? t("common.copy")}
      title={label ?? t("common.copy")}
      onClick={() =>
        copyText(text).then(
          () => setState("copied"),
          () => setState("failed"),
        )
      }
    >
      {state === "copied"
        ? t("common.copied")
        : state === "failed"
          ? t("common.copyFailed")
          : t("common.copy")}
    </button>
  );
}
