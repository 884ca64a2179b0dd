// Suppression rules: saved filters that suppress what they select.
import {h, table, statusBadge, fmtTime} from '../dom.js';
import {get, send} from '../api.js';
import {describe} from '../filters.js';

export async function render(ctx) {
  const {root, me} = ctx;
  root.append(h('h1', {}, 'Suppression rules'),
    h('p', {class: 'muted'}, 'Create a rule from a filter on the ', h('a', {href: '#/findings?findingStatus=ACTIVE'}, 'Findings'), ' page.'));
  const err = h('p', {class: 'error', role: 'alert'});
  const list = await get('/v1/suppression-rules?limit=1000');
  if (!ctx.live()) return;
  const canWrite = me.token.role !== 'read-only';
  root.append(err, table('Suppression rules', ['Name', 'State', 'Action', 'Filter', 'Reason', 'Owner', 'Expires', ''],
    list.rules.map((r) => [r.name, statusBadge(r.state), r.action, describe(r.filterCriteria), r.reason || '', r.owner || '',
      r.expiresAt ? fmtTime(r.expiresAt) : 'never',
      canWrite ? h('button', {type: 'button', class: 'danger', 'aria-label': `Delete rule ${r.name}`, onclick: async () => {
        if (!window.confirm(`Delete rule “${r.name}”? The findings it suppresses become ACTIVE again.`)) return;
        try {
          await send('DELETE', `/v1/suppression-rules/${encodeURIComponent(r.id)}`);
          ctx.navigate('#/suppression-rules');
        } catch (ex) { err.textContent = ex.message; }
      }}, 'Delete') : '']), 'No suppression rules.'));
}
