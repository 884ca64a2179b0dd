// Dashboard: what is most at risk, at a glance.
import {h, s, section, table, sevBadge, num, fmtTime, ago, dl} from '../dom.js';
import {get} from '../api.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none', 'untriaged'];

function findingsLink(params, label) {
  return h('a', {href: `#/findings?${new URLSearchParams(params)}`}, label);
}

function resourceLink(r) {
  return h('a', {href: `#/resources/${encodeURIComponent(r.id)}`}, r.name || r.id);
}

function counts(c) {
  return h('span', {class: 'counts'},
    h('span', {class: 'sev-critical-text', title: 'critical'}, `${c.critical} C`), ' · ',
    h('span', {class: 'sev-high-text', title: 'high'}, `${c.high} H`), ' · ',
    h('span', {title: 'total'}, `${c.total} total`));
}

function severityCards(d) {
  const open = d.open;
  return h('section', {class: 'sev-cards', 'aria-label': 'Open findings by severity'},
    SEVERITIES.map((k) => h('a', {class: `sev-card sev-${k}`, href: `#/findings?severity=${k.toUpperCase()}&findingStatus=ACTIVE`},
      h('span', {class: 'sev-card-label'}, k.toUpperCase()),
      h('span', {class: 'sev-card-count', 'data-count': k}, String(open[k])))),
    h('a', {class: 'sev-card sev-total', href: '#/findings?findingStatus=ACTIVE'},
      h('span', {class: 'sev-card-label'}, 'OPEN'),
      h('span', {class: 'sev-card-count', 'data-count': 'total'}, String(open.total))),
    h('p', {class: 'muted sev-note'}, `${d.suppressed} suppressed · ${d.closed} closed`));
}

function findingRows(fs, extra) {
  return fs.map((f) => [
    h('a', {href: `#/findings/${encodeURIComponent(f.id)}`}, f.checkId),
    sevBadge(f.severity), num(f.score), extra(f),
    h('a', {href: `#/resources/${encodeURIComponent(f.resource.id)}`}, f.resource.name)]);
}

// trendChart draws the open-findings trend as an SVG line with labelled
// first and last points; the numbers are also in a table for screen readers.
function trendChart(points) {
  const w = 600, ht = 160, pad = 28;
  const max = Math.max(1, ...points.map((p) => p.open));
  const x = (i) => pad + (i * (w - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (v) => ht - pad - (v * (ht - 2 * pad)) / max;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.open).toFixed(1)}`).join(' ');
  const svg = s('svg', {viewBox: `0 0 ${w} ${ht}`, class: 'chart', role: 'img', 'aria-label': `Open findings over the last ${points.length} days`},
    s('line', {x1: pad, y1: ht - pad, x2: w - pad, y2: ht - pad, class: 'axis'}),
    s('text', {x: 2, y: y(max) + 4, class: 'tick'}, String(max)),
    s('text', {x: 2, y: ht - pad + 4, class: 'tick'}, '0'),
    s('path', {d: path, class: 'line'}),
    points.map((p, i) => s('circle', {cx: x(i), cy: y(p.open), r: 3, class: 'dot'}, s('title', {}, `${p.date}: ${p.open}`))),
    points.length ? [
      s('text', {x: pad, y: ht - 6, class: 'tick'}, points[0].date),
      s('text', {x: w - pad, y: ht - 6, class: 'tick end'}, points[points.length - 1].date)] : []);
  const tbl = h('details', {}, h('summary', {}, 'Trend as a table'),
    table('Open findings per day', ['Date', 'Open'], points.map((p) => [p.date, String(p.open)])));
  return [svg, tbl];
}

function database(db) {
  if (!db) return h('p', {class: 'muted'}, 'No advisory database loaded yet.');
  return [
    dl([['Snapshot', db.snapshot], ['Built', `${fmtTime(db.createdAt)} (${ago(db.createdAt)})`], ['Records', String(db.records)]]),
    table('Feeds', ['Feed', 'Records', 'Last checked'], (db.feeds || []).map((f) => [f.name, String(f.records), f.checkedAt ? `${fmtTime(f.checkedAt)} (${ago(f.checkedAt)})` : '—']))];
}

export async function render(ctx) {
  const {root} = ctx;
  root.append(h('h1', {}, 'Dashboard'));
  // The trend (two counts a day) is the slowest part: it loads beside the
  // summary and fills its reserved box when it arrives.
  const trendBox = h('div', {class: 'chart-box', 'aria-busy': 'true'}, h('p', {class: 'muted'}, 'Loading the trend…'));
  const trend = get('/v1/dashboard/trend?days=14').then((t) => {
    if (ctx.live()) trendBox.replaceChildren(...trendChart(t.points));
  }, (ex) => { trendBox.replaceChildren(h('p', {class: 'error'}, ex.message)); })
    .finally(() => trendBox.removeAttribute('aria-busy'));
  const d = await get('/v1/dashboard');
  if (!ctx.live()) return;
  const cov = d.coverage;
  root.append(
    severityCards(d),
    h('div', {class: 'grid'},
      section('Open findings over time', trendBox),
      section('Riskiest resources by findings',
        table('Riskiest resources by count', ['Resource', 'Type', 'Open findings'],
          d.riskiestByCount.map((r) => [resourceLink(r), r.type, counts(r.severityCounts)]), 'No open findings.')),
      section('Riskiest resources by score',
        table('Riskiest resources by score', ['Resource', 'Type', 'Highest score'],
          d.riskiestByScore.map((r) => [resourceLink(r), r.type, num(r.maxScore)]), 'No scored findings.')),
      section('Most widespread vulnerabilities',
        table('Vulnerabilities with the most open findings', ['Vulnerability', 'Open findings'],
          d.widespread.map((v) => [findingsLink({vulnerabilityId: v.vulnerabilityId, findingStatus: 'ACTIVE'}, v.vulnerabilityId), counts(v.severityCounts)]), 'No open findings.')),
      section('Known exploited (CISA KEV)',
        h('p', {}, findingsLink({exploitAvailable: 'YES', findingStatus: 'ACTIVE'}, `${d.exploited.count} open findings`), ' of vulnerabilities exploited in the wild.'),
        table('Known exploited findings', ['Vulnerability', 'Severity', 'Score', 'KEV added', 'Resource'],
          findingRows(d.exploited.findings, (f) => f.kev?.dateAdded || ''), 'None.')),
      section('High EPSS',
        h('p', {}, findingsLink({'epssScore.min': String(d.epssThreshold), findingStatus: 'ACTIVE', sort: 'EPSS', order: 'DESC'},
          `${d.highEpss.count} open findings`), ` with an exploit probability of ${Math.round(d.epssThreshold * 100)} % or more.`),
        table('High EPSS findings', ['Vulnerability', 'Severity', 'Score', 'EPSS', 'Resource'],
          findingRows(d.highEpss.findings, (f) => f.epss ? `${(f.epss.score * 100).toFixed(1)} %` : ''), 'None.')),
      section('Internet-exposed hosts',
        table('Resources with network reachability findings', ['Resource', 'Type', 'Open reachability findings'],
          d.exposed.map((r) => [resourceLink(r), r.type, findingsLink({resourceId: r.id, findingType: 'NETWORK_REACHABILITY', findingStatus: 'ACTIVE'}, String(r.severityCounts.total))]),
          'No resource has open network reachability findings.')),
      section('Coverage',
        h('p', {}, h('strong', {'data-coverage': 'scanned'}, String(cov.scanned)), ' scanned · ',
          h('strong', {'data-coverage': 'not-scanned'}, String(cov.notScanned)), ` not scanned of ${cov.total} resources`),
        table('Coverage by type, status and reason', ['Type', 'Status', 'Reason', 'Resources'],
          cov.groups.map((g) => [g.type, g.status, g.reason,
            h('a', {href: `#/resources?${new URLSearchParams({type: g.type, status: g.status, reason: g.reason})}`}, String(g.count))]), 'No resources yet.')),
      section('Advisory database', database(d.database))));
  await trend;
}
