// Rules and targets: which events go where (event rules and their
// delivery targets), with each target's recent deliveries.
import {h, section, table, fmtTime} from '../dom.js';
import {get} from '../api.js';

function pretty(raw) {
  try {
    return JSON.stringify(typeof raw === 'string' ? JSON.parse(raw) : raw, null, 2);
  } catch {
    return String(raw);
  }
}

export async function render(ctx) {
  const {root} = ctx;
  root.append(h('h1', {}, 'Rules & targets'));
  let rules, targets;
  try {
    [rules, targets] = await Promise.all([get('/v1/rules?limit=1000'), get('/v1/targets?limit=1000')]);
  } catch (ex) {
    if (ex.status === 404) {
      root.append(h('p', {class: 'muted'}, 'This server has no event rules API.'));
      return;
    }
    throw ex;
  }
  if (!ctx.live()) return;
  const names = new Map(targets.targets.map((t) => [t.id, t.name]));
  root.append(h('div', {class: 'grid'},
    section('Event rules', table('Event rules', ['Name', 'Enabled', 'Pattern', 'Targets', 'Updated'],
      rules.rules.map((r) => [r.name, r.enabled ? 'yes' : 'no', h('pre', {class: 'code'}, pretty(r.pattern)),
        (r.targets || []).map((id) => names.get(id) || id).join(', '), fmtTime(r.updatedAt)]), 'No event rules.')),
    section('Targets', table('Targets', ['Name', 'Kind', 'Settings', 'Secret', 'Delivered up to event'],
      targets.targets.map((t) => [t.name, t.kind, h('pre', {class: 'code'}, pretty(t.config)), t.hasSecret ? 'set' : '—', String(t.cursor)]), 'No targets.'))));
}
