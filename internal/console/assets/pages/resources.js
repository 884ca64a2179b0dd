// Resources: hosts, images, functions and SBOMs with their coverage.
import {h, clear, table, statusBadge, fmtTime, ago} from '../dom.js';
import {get, query} from '../api.js';

export function tags(t) {
  return h('span', {class: 'tags'}, Object.entries(t || {}).map(([k, v]) => h('span', {class: 'tag'}, `${k}=${v}`)));
}

export async function render(ctx) {
  const {root, q} = ctx;
  root.append(h('h1', {}, 'Resources'));
  const type = q.get('type') || '';
  const tabs = h('nav', {class: 'tabs', 'aria-label': 'Resource types'},
    [['', 'All'], ['HOST', 'Hosts'], ['IMAGE', 'Images'], ['FUNCTION', 'Functions'], ['SBOM', 'SBOMs']].map(([v, label]) =>
      h('a', {href: `#/resources${v ? `?type=${v}` : ''}`, 'aria-current': v === type ? 'page' : null}, label)));
  const box = h('div', {class: 'list-box'});
  root.append(tabs, box);
  const apiQ = new URLSearchParams();
  for (const k of ['type', 'status', 'reason', 'after', 'tag']) for (const v of q.getAll(k)) apiQ.append(k, v);
  apiQ.set('limit', '100');
  const list = await get(`/v1/resources${query(apiQ)}`);
  if (!ctx.live()) return;
  clear(box).append(table('Resources', ['Name', 'Type', 'Tags', 'Coverage', 'Reason', 'Last scan'],
    list.resources.map((r) => [
      h('a', {href: `#/resources/${encodeURIComponent(r.id)}`, 'data-resource': r.id}, r.name),
      r.type, tags(r.tags), statusBadge(r.coverage.status), r.coverage.reason,
      r.coverage.lastScannedAt ? h('span', {title: fmtTime(r.coverage.lastScannedAt)}, ago(r.coverage.lastScannedAt)) : 'never']),
    'No resources. Register an image, push a host inventory or upload an SBOM or function.'));
  if (list.next) {
    const next = new URLSearchParams(q);
    next.set('after', list.next);
    box.append(h('nav', {class: 'pager', 'aria-label': 'Pages'}, h('a', {class: 'button', href: `#/resources?${next}`}, 'Next page »')));
  }
}
