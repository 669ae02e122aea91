/** Something that can be put into an element. */
export type Child = Node | string | number | null | undefined | false;

type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** Creates an element with attributes (`on*` functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== undefined) element.setAttribute(key, String(value));
  }
  append(element, children.flat());
  return element;
}

/** Appends children, skipping empty ones. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A table with a caption, column headers and rows. */
export function table(caption: string, headers: readonly string[], rows: readonly Child[][]): HTMLElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** A definition list of label/value pairs. */
export function facts(pairs: readonly [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...pairs.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
  );
}

/** A coloured state badge with its text (colour is never the only cue). */
export function badge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}` }, state);
}

/** A link to a route of the dashboard. */
export function link(hash: string, text: string): HTMLElement {
  return h('a', { href: `#${hash}` }, text);
}

/** A local date and time, or a dash. */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
