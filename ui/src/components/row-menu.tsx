import { useLayoutEffect, useRef } from "preact/hooks";

export interface MenuItem {
  label: string;
  run(): void;
  danger?: boolean;
  /** A choice among several (a radio item): shown ticked when true. */
  checked?: boolean;
}

interface RowMenuProps {
  /** The button's accessible name ("Session actions"). */
  label: string;
  open: boolean;
  onToggle(): void;
  onClose(): void;
  /** Called only while the menu is open (a list of thousands of rows builds none). */
  items(): MenuItem[];
  /** The button's face (default "⋯") and an extra class for the wrapper. */
  glyph?: string;
  class?: string;
}

/**
 * A row's "⋯" button and the small menu it opens (the chat sidebar's and the Sessions
 * screen's). The first item takes focus; the arrow keys move between items; Esc closes
 * it and gives focus back to the button; a click elsewhere closes it. `onClose` is the one
 * given when it opened (the callers' close does not change meaning between renders).
 */
export function RowMenu(props: RowMenuProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  // Before the open menu is painted: a key pressed right after the one that opened it reaches it.
  useLayoutEffect(() => {
    if (!props.open) return;
    wrap.current?.querySelector<HTMLElement>("[role^=menuitem]")?.focus();
    const away = (e: Event) => {
      if (!wrap.current?.contains(e.target as Node)) props.onClose();
    };
    document.addEventListener("pointerdown", away);
    return () => document.removeEventListener("pointerdown", away);
  }, [props.open]);

  const onKeyDown = (e: KeyboardEvent) => {
    const items = [...(wrap.current?.querySelectorAll<HTMLElement>("[role^=menuitem]") ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const step = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? items.length - 1 : 0;
    if (!props.open) return;
    if (e.key === "Escape") {
      // Only the menu closes: the chat's own Esc (stop the run) does not see it.
      e.stopPropagation();
      props.onClose();
      button.current?.focus();
    } else if (step) {
      e.preventDefault();
      items[(at + step) % items.length]?.focus();
    }
  };

  return (
    <div class={`row-menu ${props.class ?? ""}`} ref={wrap}>
      <button
        ref={button}
        type="button"
        class="ghost session-more"
        aria-label={props.label}
        aria-haspopup="menu"
        aria-expanded={props.open}
        onClick={props.onToggle}
        onKeyDown={onKeyDown}
      >
        {props.glyph ?? "⋯"}
      </button>
      {props.open && (
        <div class="session-menu" role="menu" onKeyDown={onKeyDown}>
          {props.items().map((item, i) => (
            // biome-ignore lint/a11y/useAriaPropsSupportedByRole: the role is menuitemradio whenever aria-checked is set
            <button
              key={i}
              type="button"
              role={item.checked === undefined ? "menuitem" : "menuitemradio"}
              aria-checked={item.checked}
              class={item.danger ? "danger" : "secondary"}
              onClick={item.run}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
