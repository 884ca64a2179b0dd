// Accounts and tokens (admin tokens only): who may use the API.
import {h, table, fmtTime} from '../dom.js';
import {get, send} from '../api.js';

export async function render(ctx) {
  const {root, me} = ctx;
  root.append(h('h1', {}, 'Accounts & tokens'));
  if (me.token.role !== 'admin') {
    root.append(h('p', {}, 'This page needs an admin token.'));
    return;
  }
  const [accts, toks] = await Promise.all([get('/v1/accounts'), get('/v1/tokens')]);
  if (!ctx.live()) return;
  const err = h('p', {class: 'error', role: 'alert'});
  const secret = h('div', {role: 'status'});
  const name = h('input', {id: 'tok-name', required: true, maxlength: 200});
  const role = h('select', {id: 'tok-role'}, ['read-only', 'member', 'admin'].map((r) => h('option', {value: r}, r)));
  const form = h('form', {class: 'card inline-form', 'aria-label': 'Create a token'},
    h('h2', {}, 'Create a token'),
    h('label', {for: 'tok-name'}, 'Name'), name, h('label', {for: 'tok-role'}, 'Role'), role,
    h('button', {type: 'submit', class: 'primary'}, 'Create'), err, secret);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const t = await send('POST', '/v1/tokens', {name: name.value.trim(), role: role.value});
      secret.replaceChildren(h('p', {}, 'Copy the secret now; it is not shown again: '), h('code', {class: 'secret'}, t.secret));
    } catch (ex) { err.textContent = ex.message; }
  });
  root.append(
    h('section', {class: 'card', 'aria-labelledby': 'h-accounts'}, h('h2', {id: 'h-accounts'}, 'Accounts'),
      table('Accounts', ['Name', 'Id', 'Delegated admin', 'Created'],
        accts.accounts.map((a) => [a.name, h('code', {}, a.id), a.delegatedAdmin ? 'yes' : 'no', fmtTime(a.createdAt)]))),
    h('section', {class: 'card', 'aria-labelledby': 'h-tokens'}, h('h2', {id: 'h-tokens'}, 'Tokens'),
      table('Tokens', ['Name', 'Role', 'Account', 'Created', 'Last used', 'Expires', 'State', ''],
        toks.tokens.map((t) => [t.name, t.role, h('code', {}, t.accountId), fmtTime(t.createdAt), fmtTime(t.lastUsedAt) || 'never',
          t.expiresAt ? fmtTime(t.expiresAt) : 'never', t.revokedAt ? `revoked ${fmtTime(t.revokedAt)}` : 'usable',
          !t.revokedAt && t.id !== me.token.id ? h('button', {type: 'button', class: 'danger', 'aria-label': `Revoke token ${t.name}`, onclick: async () => {
            if (!window.confirm(`Revoke token “${t.name}”?`)) return;
            try {
              await send('DELETE', `/v1/tokens/${encodeURIComponent(t.id)}`);
              ctx.navigate('#/accounts');
            } catch (ex) { err.textContent = ex.message; }
          }}, 'Revoke') : '']))),
    form);
}
