/** Small DOM helpers for the demo page: look up elements by id, build elements. */

/** The element with this id; throws when the page lacks it (a broken page, not a user error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no element #${id}`);
  return found as T;
}

/** A new element with text or children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  content: string | Node[] = [],
  props: { className?: string; scope?: string } = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (typeof content === 'string') node.textContent = content;
  else node.append(...content);
  if (props.className) node.className = props.className;
  if (props.scope) node.setAttribute('scope', props.scope);
  return node;
}

/** Resolves after the browser has painted the current frame. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
