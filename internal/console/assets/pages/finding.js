// One finding: what, where, how bad, since when, and why it matched.
import {h, section, table, dl, sevBadge, statusBadge, num, fmtTime} from '../dom.js';
import {get} from '../api.js';

function packages(pd) {
  return table('Vulnerable packages', ['Package', 'Installed', 'Fixed in', 'Fix state', 'Ecosystem', 'Path', 'Layer'],
    (pd.vulnerablePackages || []).map((p) => [
      p.sourceName && p.sourceName !== p.name ? `${p.name} (source ${p.sourceName} ${p.sourceVersion || ''})` : p.name,
      h('code', {}, p.version), p.fixedInVersion ? h('code', {}, p.fixedInVersion) : '—', p.fixState || '',
      p.ecosystem, p.filePath || '', p.sourceLayerHash ? h('code', {class: 'hash', title: p.sourceLayerHash}, p.sourceLayerHash.slice(0, 19) + '…') : '']));
}

function score(f) {
  const sd = f.scoreDetails;
  const cvss = f.packageVulnerabilityDetails?.cvss || [];
  return [
    dl([['vigil score', num(f.score)], ['Base (CVSS)', sd ? `${num(sd.base)} (CVSS ${sd.version}, ${sd.source})` : '—'],
      ['Vector', sd?.vector ? h('code', {}, sd.vector) : '']]),
    h('h3', {}, 'Score adjustments'),
    table('Score adjustments', ['Metric', 'Reason', 'Change'], (sd?.adjustments || []).map((a) => [a.metric, a.reason, (a.delta > 0 ? '+' : '') + a.delta.toFixed(1)]), 'None: the score is the CVSS base score.'),
    h('h3', {}, 'CVSS vectors'),
    table('CVSS vectors', ['Version', 'Vector', 'Base score', 'Source'], cvss.map((c) => [c.version, h('code', {}, c.vector), num(c.baseScore), c.source]), 'No CVSS vector.'),
  ];
}

function exploit(f) {
  const k = f.kev;
  return [
    dl([['EPSS', f.epss ? `${(f.epss.score * 100).toFixed(2)} % (percentile ${(f.epss.percentile * 100).toFixed(0)}, ${f.epss.date || 'date unknown'})` : 'not scored'],
      ['Known exploited', f.exploitAvailable === 'YES' ? 'YES (CISA KEV)' : 'NO']]),
    k ? dl([['KEV added', k.dateAdded], ['KEV due date', k.dueDate || ''], ['Required action', k.requiredAction || ''], ['Ransomware use', k.knownRansomwareCampaignUse || '']]) : null,
  ];
}

function network(n) {
  return [
    dl([['Protocol', n.protocol], ['Ports', n.openPortRange.begin === n.openPortRange.end ? String(n.openPortRange.begin) : `${n.openPortRange.begin}–${n.openPortRange.end}`],
      ['Reachable from', n.from], ['Process', n.process || ''], ['Confirmed by probe', n.confirmed ? 'YES' : 'NO']]),
    h('ol', {class: 'path', 'aria-label': 'Network path'}, (n.steps || []).map((st) => h('li', {}, h('span', {class: 'muted'}, st.componentType), ' ', h('code', {}, st.componentId)))),
    table('Probe evidence', ['Probed', 'Vantage', 'Address', 'Open ports', 'Closed'],
      (n.evidence || []).map((e) => [fmtTime(e.probedAt), e.vantage, e.addr,
        (e.ports || []).filter((p) => p.open).map((p) => `${p.port}${p.service ? ' ' + p.service : ''}${p.banner ? ' (' + p.banner + ')' : ''}`).join(', ') || 'none',
        String(e.probed - (e.ports || []).filter((p) => p.open).length)]), 'No probe evidence (vigil probe --attach).'),
  ];
}

function history(f) {
  const sup = f.suppression;
  return dl([
    ['First observed', fmtTime(f.firstObservedAt)], ['Last observed', fmtTime(f.lastObservedAt)],
    ['Updated', fmtTime(f.updatedAt)], ['Closed', f.closedAt ? `${fmtTime(f.closedAt)} (${f.closedReason || ''})` : ''],
    ['Reopened', `${f.reopenCount} time${f.reopenCount === 1 ? '' : 's'}`],
    ['Suppressed by', sup ? h('span', {}, h('a', {href: '#/suppression-rules'}, sup.ruleId), sup.reason ? ` — ${sup.reason}` : '', sup.expiresAt ? ` (until ${fmtTime(sup.expiresAt)})` : '') : ''],
    ['Scan', f.scanId || ''], ['Advisory snapshot', f.snapshotId || ''],
  ]);
}

function evidence(pd) {
  return table('Why it matched', ['Advisory', 'Ecosystem', 'Package looked up', 'Matched by', 'Version compared', 'Range', 'Feed', 'Snapshot'],
    (pd.evidence || []).map((e) => [e.advisory, e.ecosystem, e.package, e.matchedBy, h('code', {}, e.version), e.range, e.feed, e.snapshot]), 'No evidence recorded.');
}

// wide makes a card span the whole grid row.
function wide(el) {
  el.classList.add('wide');
  return el;
}

export async function render(ctx) {
  const {root, params: [id]} = ctx;
  const f = await get(`/v1/findings/${encodeURIComponent(id)}`);
  if (!ctx.live()) return;
  const pd = f.packageVulnerabilityDetails;
  root.append(
    h('p', {class: 'crumbs'}, h('a', {href: '#/findings?findingStatus=ACTIVE'}, 'Findings'), ' / ', f.checkId),
    h('h1', {id: 'finding-title'}, f.title || f.checkId),
    h('div', {class: 'badges'}, sevBadge(f.severity), ' ', statusBadge(f.status), ' ', h('span', {class: 'muted'}, f.type)),
    f.description ? h('p', {class: 'desc'}, f.description) : null,
    h('div', {class: 'grid'},
      section('Summary', dl([
        ['Vulnerability', f.checkId], ['Aliases', (pd?.relatedVulnerabilities || []).join(', ')],
        ['Resource', h('a', {href: `#/resources/${encodeURIComponent(f.resource.id)}`}, `${f.resource.name} (${f.resource.type})`)],
        ['Fix available', f.fixAvailable], ['Remediation', f.remediation?.text || ''],
        ['Severity source', pd?.severitySource || ''], ['Vendor severity', pd?.vendorSeverity || ''],
        ['Published', fmtTime(pd?.vendorCreatedAt)], ['Modified', fmtTime(pd?.vendorUpdatedAt)]])),
      section('Score', score(f)),
      section('Exploitability', exploit(f)),
      section('History', history(f)),
      pd ? wide(section('Packages', packages(pd))) : null,
      f.networkReachabilityDetails ? section('Network path', network(f.networkReachabilityDetails)) : null,
      f.codeVulnerabilityDetails ? section('Location', dl([['File', f.codeVulnerabilityDetails.filePath], ['Lines', `${f.codeVulnerabilityDetails.startLine || ''}–${f.codeVulnerabilityDetails.endLine || ''}`], ['Rule', f.codeVulnerabilityDetails.ruleId]])) : null,
      pd ? wide(section('Why it matched', evidence(pd))) : null,
      section('References', h('ul', {class: 'refs'},
        [...new Set([pd?.sourceUrl, f.remediation?.url, ...(pd?.referenceUrls || [])].filter(Boolean))]
          .map((u) => h('li', {}, h('a', {href: u, rel: 'noopener noreferrer', target: '_blank'}, u)))))));
}
