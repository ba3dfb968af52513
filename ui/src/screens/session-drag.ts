/**
 * Native HTML5 drag and drop for sessions and their custom groups: a session row
 * (`data-key`) or a group header (`data-group`) is dragged; a section takes it, lit while
 * it is over it. What is dragged is kept here (a drag within the page), its key or name
 * also given as text. The row menu's "Move to group…" stays the keyboard and touch path.
 */
import { useEffect, useState } from "preact/hooks";

/** A session row (its key) or a custom group header (its name). */
export type Dragged = { key?: string; group?: string };

let dragged: Dragged | undefined;
const tell = new Set<(d: Dragged | undefined) => void>();
const set = (d: Dragged | undefined) => {
  dragged = d;
  // Told later, not in dragstart: Chrome ends a drag whose page changes under it as it starts.
  setTimeout(() => {
    for (const f of tell) f(dragged);
  });
};

/** dragstart on a row or a header (or something inside one, such as the row's link). */
export function startDrag(e: DragEvent): void {
  const el = (e.target as HTMLElement).closest<HTMLElement>("[data-key],[data-group]");
  const { key, group } = el?.dataset ?? {};
  const d = key ? { key } : group ? { group } : undefined;
  if (!d || !e.dataTransfer) return;
  e.dataTransfer.setData("text/plain", key ?? group ?? "");
  e.dataTransfer.effectAllowed = "move";
  set(d);
  addEventListener("dragend", () => set(undefined), { once: true, capture: true });
}

/** What is being dragged now (re-rendered when a drag starts or ends). */
export function useDragged(): Dragged | undefined {
  const [d, setD] = useState(dragged);
  useEffect(() => {
    tell.add(setD);
    return () => void tell.delete(setD);
  }, []);
  return d;
}

/**
 * Drop targets: `target(id)` gives an element's handlers and `data-over` while something
 * it `accepts` is over it; `drop(id, what)` runs when it is let go there.
 */
export function useDrop(
  drop: (id: string, what: Dragged) => void,
  accepts: (id: string, what: Dragged) => boolean,
) {
  const [over, setOver] = useState<string>();
  return (id: string) => {
    const enter = (e: DragEvent) => {
      if (!dragged || !accepts(id, dragged)) return;
      e.preventDefault();
      setOver(id);
    };
    return {
      "data-over": over === id || undefined,
      onDragEnter: enter,
      onDragOver: enter,
      // Left for one of its children too (relatedTarget is not always told): out only when the pointer is.
      onDragLeave: (e: DragEvent) => {
        const r = (e.currentTarget as Element).getBoundingClientRect();
        if (e.clientX < r.left || e.clientX >= r.right || e.clientY < r.top || e.clientY >= r.bottom)
          setOver(undefined);
      },
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        setOver(undefined);
        if (dragged && accepts(id, dragged)) drop(id, dragged);
        set(undefined);
      },
    };
  };
}

/** `names` with `name` moved into `to`'s place (dragged onto its header). */
export function reorder(names: string[], name: string, to: string): string[] {
  const rest = names.filter((n) => n !== name);
  rest.splice(names.indexOf(to), 0, name);
  return rest;
}
