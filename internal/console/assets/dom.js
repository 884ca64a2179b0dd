// DOM helpers. Every text goes through textContent or attributes, never
// parsed as markup, so data from the API is always escaped.

// h builds an element: h('a', {href: '#/x', class: 'c'}, 'text', child).
// Attributes starting with "on" attach listeners; null/false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

// s builds an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'href') el.setAttribute('href', safeHref(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

// append adds children: strings become text nodes, arrays are flattened,
// null and undefined are skipped.
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// safeHref allows in-app hashes, same-origin paths and http(s) URLs only
// (never javascript: or data: URLs from advisory references).
export function safeHref(v) {
  const str = String(v);
  if (str.startsWith('#') || (str.startsWith('/') && !str.startsWith('//'))) return str;
  try {
    const u = new URL(str);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.href;
  } catch { /* not a URL */ }
  return '#';
}

// clear removes every child of el.
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// fmtTime formats an ISO time for people; empty for a missing time.
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, 'Z');
}

// ago says how long ago iso was ("3 h ago").
export function ago(iso) {
  if (!iso) return '';
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (s < 90) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

// num formats a number with a fixed number of decimals, '—' when absent.
export function num(v, digits = 1) {
  return typeof v === 'number' ? v.toFixed(digits) : '—';
}

// sevBadge is a severity label with its colour class.
export function sevBadge(sev) {
  const v = String(sev || 'UNTRIAGED');
  return h('span', {class: `sev sev-${v.toLowerCase()}`}, v);
}

// statusBadge is a finding or coverage status label.
export function statusBadge(st) {
  const v = String(st || '');
  return h('span', {class: `status status-${v.toLowerCase()}`, 'data-status': v}, v);
}

// section is a titled card; its body keeps a minimum height so late data
// does not move the page.
export function section(title, ...body) {
  const id = 'h-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', {class: 'card', 'aria-labelledby': id}, h('h2', {id}, title), ...body);
}

// table builds a table with a caption (for screen readers), headers and
// rows of cells; an empty table shows a message.
export function table(caption, headers, rows, empty = 'Nothing to show.') {
  if (!rows.length) return h('p', {class: 'muted empty'}, empty);
  return h('div', {class: 'table-wrap'},
    h('table', {},
      h('caption', {class: 'sr-only'}, caption),
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', {scope: 'col'}, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => i === 0
        ? h('th', {scope: 'row', 'data-label': headers[i]}, c)
        : h('td', {'data-label': headers[i]}, c)))))));
}

// dl builds a definition list from [term, value] pairs, skipping empty values.
export function dl(pairs) {
  return h('dl', {class: 'kv'}, pairs.filter(([, v]) => v !== '' && v !== null && v !== undefined)
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
