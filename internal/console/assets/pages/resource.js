// One resource: coverage, SBOM download, its findings, and for an image
// the findings each layer brings.
import {h, section, table, dl, sevBadge, statusBadge, num, fmtTime} from '../dom.js';
import {get, download, query} from '../api.js';
import {tags} from './resources.js';

function countsRow(c) {
  return ['critical', 'high', 'medium', 'low', 'none', 'untriaged'].map((k) => String(c[k]));
}

export async function render(ctx) {
  const {root, params: [id]} = ctx;
  const rid = encodeURIComponent(id);
  const [r, sev, list, layers] = await Promise.all([
    get(`/v1/resources/${rid}`),
    get(`/v1/findings/aggregations${query({by: 'SEVERITY', resourceId: id, findingStatus: 'ACTIVE'})}`),
    get(`/v1/findings${query({resourceId: id, findingStatus: 'ACTIVE', limit: '20'})}`),
    get(`/v1/findings/aggregations${query({by: 'IMAGE_LAYER', resourceId: id, findingStatus: 'ACTIVE', limit: '200'})}`),
  ]);
  if (!ctx.live()) return;
  const total = {critical: 0, high: 0, medium: 0, low: 0, none: 0, untriaged: 0, total: 0};
  for (const g of sev.groups) total[g.key.toLowerCase()] = g.severityCounts.total;
  const err = h('p', {class: 'error', role: 'alert'});
  const sbom = (format) => () => download(`/v1/resources/${rid}/sbom?format=${format}`, `${id}.${format}.json`).catch((ex) => { err.textContent = ex.message; });
  root.append(
    h('p', {class: 'crumbs'}, h('a', {href: '#/resources'}, 'Resources'), ' / ', r.type),
    h('h1', {}, r.name),
    h('div', {class: 'grid'},
      section('Resource', dl([['Id', h('code', {}, r.id)], ['Type', r.type], ['Digest', r.digest ? h('code', {class: 'hash'}, r.digest) : ''],
        ['Tags', tags(r.tags)], ['Coverage', h('span', {}, statusBadge(r.coverage.status), ' ', r.coverage.reason)],
        ['Last scan', r.coverage.lastScannedAt ? fmtTime(r.coverage.lastScannedAt) : 'never'],
        ['Inventory', r.inventory ? `${r.inventory.packages} packages, indexed ${fmtTime(r.inventory.indexedAt)}` : 'none yet'],
        ['Registered', fmtTime(r.createdAt)]]),
      r.inventory ? h('div', {class: 'actions'},
        h('button', {type: 'button', id: 'sbom-cyclonedx', onclick: sbom('cyclonedx')}, 'Download SBOM (CycloneDX)'),
        h('button', {type: 'button', id: 'sbom-spdx', onclick: sbom('spdx')}, 'Download SBOM (SPDX)')) : null, err),
      section('Open findings by severity',
        table('Open findings by severity', ['Critical', 'High', 'Medium', 'Low', 'None', 'Untriaged'], [countsRow(total)]),
        h('p', {}, h('a', {href: `#/findings?${new URLSearchParams({resourceId: id, findingStatus: 'ACTIVE'})}`}, `All ${total.total} open findings of this resource »`))),
      r.type === 'IMAGE' ? section('Layers',
        table('Open findings per image layer', ['Layer (diff id)', 'Critical', 'High', 'Total'],
          layers.groups.map((g) => [h('a', {href: `#/findings?${new URLSearchParams({resourceId: id, vulnerablePackageSourceLayerHash: g.key, findingStatus: 'ACTIVE'})}`, title: g.key}, h('code', {class: 'hash'}, g.key.slice(0, 23) + '…')),
            String(g.severityCounts.critical), String(g.severityCounts.high), String(g.severityCounts.total)]), 'No layer brings an open finding.')) : null,
      section('Most severe open findings',
        table('Most severe open findings', ['Finding', 'Severity', 'Score', 'Package'],
          list.findings.map((f) => {
            const p = f.packageVulnerabilityDetails?.vulnerablePackages?.[0];
            return [h('a', {href: `#/findings/${encodeURIComponent(f.id)}`}, f.title || f.checkId), sevBadge(f.severity), num(f.score), p ? `${p.name}@${p.version}` : ''];
          }), 'No open findings.'))));
}
