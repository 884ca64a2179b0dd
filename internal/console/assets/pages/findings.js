// Findings: a filterable, sortable, paginated list whose filter lives in
// the URL, and the suppression of what the filter selects.
import {h, clear, sevBadge, statusBadge, num, fmtTime} from '../dom.js';
import {get, send, download, query} from '../api.js';
import {toCriteria, describe} from '../filters.js';

const PAGE = 50;

function select(name, label, options, value) {
  return [h('label', {for: `f-${name}`}, label),
    h('select', {id: `f-${name}`, name},
      options.map(([v, text]) => h('option', {value: v, selected: v === value}, text)))];
}

function text(name, label, value, attrs = {}) {
  return [h('label', {for: `f-${name}`}, label),
    h('input', {id: `f-${name}`, name, value: value || '', ...attrs})];
}

// managed are the parameters the form edits; others in the URL are kept.
const managed = ['severity', 'findingStatus', 'findingType', 'exploitAvailable', 'fixAvailable', 'resourceType',
  'vulnerabilityId', 'vulnerablePackageName.prefix', 'resourceId', 'cvssScore.min', 'epssScore.min', 'resourceTags',
  'sort', 'order', 'cursor'];

function filterForm(ctx) {
  const q = ctx.q;
  const sevs = q.getAll('severity');
  const form = h('form', {class: 'filters', id: 'filters', 'aria-label': 'Filter findings'},
    h('fieldset', {class: 'sevs'}, h('legend', {}, 'Severity'),
      ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNTRIAGED'].map((v) =>
        h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'severity', value: v, checked: sevs.includes(v), id: `sev-${v}`}), ` ${v}`))),
    h('div', {class: 'fields'},
      h('div', {}, select('findingStatus', 'Status', [['', 'Any'], ['ACTIVE', 'Active'], ['SUPPRESSED', 'Suppressed'], ['CLOSED', 'Closed']], q.get('findingStatus') || '')),
      h('div', {}, select('findingType', 'Type', [['', 'Any'], ['PACKAGE_VULNERABILITY', 'Package vulnerability'], ['NETWORK_REACHABILITY', 'Network reachability'], ['CODE_VULNERABILITY', 'Code'], ['CONFIGURATION', 'Configuration']], q.get('findingType') || '')),
      h('div', {}, select('exploitAvailable', 'Known exploited', [['', 'Any'], ['YES', 'Yes (KEV)'], ['NO', 'No']], q.get('exploitAvailable') || '')),
      h('div', {}, select('fixAvailable', 'Fix available', [['', 'Any'], ['YES', 'Yes'], ['PARTIAL', 'Partial'], ['NO', 'No']], q.get('fixAvailable') || '')),
      h('div', {}, select('resourceType', 'Resource type', [['', 'Any'], ['HOST', 'Host'], ['IMAGE', 'Image'], ['FUNCTION', 'Function'], ['SBOM', 'SBOM']], q.get('resourceType') || '')),
      h('div', {}, text('vulnerabilityId', 'Vulnerability id', q.get('vulnerabilityId'), {placeholder: 'CVE-…'})),
      h('div', {}, text('vulnerablePackageName.prefix', 'Package starts with', q.get('vulnerablePackageName.prefix'))),
      h('div', {}, text('resourceId', 'Resource id', q.get('resourceId'))),
      h('div', {}, text('resourceTags', 'Resource tag', q.get('resourceTags'), {placeholder: 'Env=Prod'})),
      h('div', {}, text('cvssScore.min', 'CVSS at least', q.get('cvssScore.min'), {type: 'number', min: 0, max: 10, step: 0.1})),
      h('div', {}, text('epssScore.min', 'EPSS at least', q.get('epssScore.min'), {type: 'number', min: 0, max: 1, step: 0.01})),
      h('div', {}, select('sort', 'Sort by', [['', 'Severity'], ['SCORE', 'Score'], ['EPSS', 'EPSS'], ['FIRST_OBSERVED_AT', 'First observed'], ['LAST_OBSERVED_AT', 'Last observed']], q.get('sort') || '')),
      h('div', {}, select('order', 'Order', [['', 'Default (most first)'], ['DESC', 'Descending'], ['ASC', 'Ascending']], q.get('order') || ''))),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', id: 'apply'}, 'Apply filter'),
      h('a', {href: '#/findings', class: 'button'}, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of q.entries()) if (!managed.includes(k)) next.append(k, v);
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim() !== '') next.append(k, String(v).trim());
    ctx.navigate(`#/findings?${next}`);
  });
  // On a phone the filter folds away (open when a criterion is set).
  const active = [...q.keys()].filter((k) => !['sort', 'order', 'cursor', 'limit'].includes(k)).length;
  const wide = window.matchMedia('(min-width: 641px)').matches;
  return h('details', {class: 'card filters-box', open: wide || active === 0},
    h('summary', {}, `Filter${active ? ` (${active} ${active === 1 ? 'criterion' : 'criteria'})` : ''}`), form);
}

function suppressDialog(ctx, criteria, onDone) {
  const name = h('input', {id: 'rule-name', name: 'name', required: true, maxlength: 200});
  const reason = h('textarea', {id: 'rule-reason', name: 'reason', required: true, rows: 3, maxlength: 4096});
  const expiry = h('input', {id: 'rule-expiry', name: 'expiry', type: 'date'});
  const err = h('p', {class: 'error', role: 'alert'});
  const dlg = h('dialog', {id: 'suppress-dialog', 'aria-labelledby': 'suppress-title'});
  const form = h('form', {method: 'dialog'},
    h('h2', {id: 'suppress-title'}, 'Suppress the findings of this filter'),
    h('p', {class: 'muted'}, `Filter: ${describe(criteria)}`),
    h('label', {for: 'rule-name'}, 'Rule name'), name,
    h('label', {for: 'rule-reason'}, 'Reason'), reason,
    h('label', {for: 'rule-expiry'}, 'Expires on (optional)'), expiry,
    err,
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'primary', id: 'rule-create'}, 'Create rule'),
      h('button', {type: 'button', onclick: () => dlg.close()}, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {name: name.value.trim(), reason: reason.value.trim(), action: 'SUPPRESS', filterCriteria: criteria,
      description: 'Created in the console from a findings filter'};
    if (expiry.value) body.expiresAt = new Date(`${expiry.value}T23:59:59Z`).toISOString();
    try {
      const rule = await send('POST', '/v1/suppression-rules', body);
      dlg.close();
      onDone(rule);
    } catch (ex) {
      err.textContent = ex.message;
    }
  });
  dlg.append(form);
  return dlg;
}

function findingTable(fs) {
  if (!fs.length) return h('p', {class: 'muted empty', id: 'no-findings'}, 'No finding matches this filter.');
  return h('div', {class: 'table-wrap'}, h('table', {id: 'findings-table'},
    h('caption', {class: 'sr-only'}, 'Findings'),
    h('thead', {}, h('tr', {}, ['Severity', 'Finding', 'Package', 'Resource', 'Score', 'EPSS', 'Status', 'Last observed'].map((x) => h('th', {scope: 'col'}, x)))),
    h('tbody', {}, fs.map((f) => {
      const p = f.packageVulnerabilityDetails?.vulnerablePackages?.[0];
      return h('tr', {'data-finding': f.id, 'data-severity': f.severity},
        h('td', {'data-label': 'Severity'}, sevBadge(f.severity)),
        h('th', {scope: 'row', 'data-label': 'Finding'}, h('a', {href: `#/findings/${encodeURIComponent(f.id)}`, class: 'finding-link'}, f.title || f.checkId)),
        h('td', {'data-label': 'Package'}, p ? `${p.name}@${p.version}` : ''),
        h('td', {'data-label': 'Resource'}, h('a', {href: `#/resources/${encodeURIComponent(f.resource.id)}`}, f.resource.name)),
        h('td', {class: 'num', 'data-label': 'Score'}, num(f.score)),
        h('td', {class: 'num', 'data-label': 'EPSS'}, f.epss ? `${(f.epss.score * 100).toFixed(1)} %` : '—'),
        h('td', {'data-label': 'Status'}, statusBadge(f.status)),
        h('td', {'data-label': 'Last observed'}, fmtTime(f.lastObservedAt)));
    }))));
}

export async function render(ctx) {
  const {root, q} = ctx;
  root.append(h('h1', {}, 'Findings'));
  const apiQ = new URLSearchParams(q);
  apiQ.set('limit', String(PAGE));
  let criteria = {};
  let criteriaError = '';
  try {
    criteria = toCriteria(q, ['findingStatus']);
  } catch (ex) {
    criteriaError = ex.message;
  }
  const status = h('p', {class: 'notice', role: 'status', id: 'notice'});
  const listBox = h('div', {class: 'list-box'});
  const readOnly = ctx.me.token.role === 'read-only';
  const ruleable = !readOnly && !criteriaError && Object.keys(criteria).length > 0;
  const bar = h('div', {class: 'actions toolbar'},
    h('button', {type: 'button', id: 'suppress', disabled: !ruleable,
      title: readOnly ? 'A read-only token cannot create rules'
        : ruleable ? 'Create a suppression rule from this filter' : 'Choose at least one criterion other than status first',
      onclick: () => { dlg.showModal(); dlg.querySelector('#rule-name').focus(); }}, 'Suppress matching…'),
    h('button', {type: 'button', id: 'export', onclick: () => {
      const eq = new URLSearchParams(q);
      for (const k of ['cursor', 'limit']) eq.delete(k);
      eq.set('format', 'csv');
      download(`/v1/findings/export${query(eq)}`, 'findings.csv').catch((ex) => { status.textContent = ex.message; });
    }}, 'Export CSV'));
  const dlg = suppressDialog(ctx, criteria, (rule) => {
    sessionStorage.setItem('vigil.notice', `Rule “${rule.name}” created: the findings it selects are now SUPPRESSED.`);
    ctx.navigate(`#/findings?${q}`);
  });
  root.append(filterForm(ctx), bar, status, listBox, dlg);
  const notice = sessionStorage.getItem('vigil.notice');
  if (notice) {
    status.textContent = notice;
    sessionStorage.removeItem('vigil.notice');
  }
  const list = await get(`/v1/findings${query(apiQ)}`);
  if (!ctx.live()) return;
  clear(listBox).append(findingTable(list.findings));
  const pager = h('nav', {class: 'pager', 'aria-label': 'Pages'});
  if (q.get('cursor')) {
    const first = new URLSearchParams(q);
    first.delete('cursor');
    pager.append(h('a', {href: `#/findings?${first}`, class: 'button'}, '« First page'));
  }
  if (list.next) {
    const next = new URLSearchParams(q);
    next.set('cursor', list.next);
    pager.append(h('a', {href: `#/findings?${next}`, class: 'button', id: 'next-page'}, 'Next page »'));
  }
  listBox.append(pager);
}
