// Usage: resources scanned per type per day.
import {h, s, table} from '../dom.js';
import {get} from '../api.js';

const TYPES = ['HOST', 'IMAGE', 'FUNCTION', 'SBOM'];

function bars(days) {
  const w = 600, ht = 140, pad = 20;
  const max = Math.max(1, ...days.map((d) => TYPES.reduce((n, t) => n + (d.counts[t] || 0), 0)));
  const bw = (w - 2 * pad) / days.length;
  return s('svg', {viewBox: `0 0 ${w} ${ht}`, class: 'chart', role: 'img', 'aria-label': 'Resources scanned per day, stacked by type'},
    days.map((d, i) => {
      let y = ht - pad;
      return TYPES.map((t) => {
        const n = d.counts[t] || 0;
        const bh = (n * (ht - 2 * pad)) / max;
        y -= bh;
        return n ? s('rect', {x: pad + i * bw + 1, y, width: Math.max(1, bw - 2), height: bh, class: `bar bar-${t.toLowerCase()}`}, s('title', {}, `${d.date} ${t}: ${n}`)) : null;
      });
    }),
    s('text', {x: pad, y: ht - 4, class: 'tick'}, days[0]?.date || ''),
    s('text', {x: w - pad, y: ht - 4, class: 'tick end'}, days[days.length - 1]?.date || ''));
}

export async function render(ctx) {
  const {root} = ctx;
  root.append(h('h1', {}, 'Usage'));
  const u = await get('/v1/usage?days=30');
  if (!ctx.live()) return;
  root.append(
    h('p', {class: 'muted'}, 'Resources by the day of their last finished scan (the last 30 days). ',
      TYPES.map((t) => `${t}: ${u.resources[t] || 0}`).join(' · '), ' resources in all.'),
    h('section', {class: 'card'}, bars(u.days),
      h('p', {class: 'legend'}, TYPES.map((t) => h('span', {class: `key bar-${t.toLowerCase()}`}, t)))),
    table('Resources scanned per type per day', ['Date', ...TYPES, 'Total'],
      u.days.slice().reverse().map((d) => [d.date, ...TYPES.map((t) => String(d.counts[t] || 0)), String(TYPES.reduce((n, t) => n + (d.counts[t] || 0), 0))])));
}
