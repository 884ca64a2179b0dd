// The console's entry point: hash router, navigation, sign-in and
// sign-out. Pages are modules exporting render(ctx) that fill ctx.root.
import {h, clear} from './dom.js';
import {get, token, setToken, clearToken} from './api.js';
import * as dashboard from './pages/dashboard.js';
import * as findings from './pages/findings.js';
import * as finding from './pages/finding.js';
import * as resources from './pages/resources.js';
import * as resource from './pages/resource.js';
import * as rules from './pages/rules.js';
import * as accounts from './pages/accounts.js';
import * as usage from './pages/usage.js';
import * as automation from './pages/automation.js';

const routes = [
  {re: /^\/$/, page: dashboard, nav: 'dashboard'},
  {re: /^\/findings$/, page: findings, nav: 'findings'},
  {re: /^\/findings\/([^/]+)$/, page: finding, nav: 'findings'},
  {re: /^\/resources$/, page: resources, nav: 'resources'},
  {re: /^\/resources\/([^/]+)$/, page: resource, nav: 'resources'},
  {re: /^\/suppression-rules$/, page: rules, nav: 'rules'},
  {re: /^\/accounts$/, page: accounts, nav: 'accounts'},
  {re: /^\/usage$/, page: usage, nav: 'usage'},
  {re: /^\/automation$/, page: automation, nav: 'automation'},
];

const navItems = [
  ['dashboard', '#/', 'Dashboard'],
  ['findings', '#/findings?findingStatus=ACTIVE', 'Findings'],
  ['resources', '#/resources', 'Resources'],
  ['rules', '#/suppression-rules', 'Suppression rules'],
  ['automation', '#/automation', 'Rules & targets'],
  ['usage', '#/usage', 'Usage'],
  ['accounts', '#/accounts', 'Accounts & tokens', true],
];

let me = null; // the whoami answer
let generation = 0;

const main = document.getElementById('main');

// parse splits the hash into a path and its query.
function parse() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const i = raw.indexOf('?');
  const path = i < 0 ? raw : raw.slice(0, i);
  const q = new URLSearchParams(i < 0 ? '' : raw.slice(i + 1));
  return {path: path || '/', q};
}

// navigate changes the hash (and so renders the page).
export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function renderNav(active) {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  if (!me) return;
  const ul = h('ul', {});
  for (const [key, href, label, adminOnly] of navItems) {
    if (adminOnly && me.token.role !== 'admin') continue;
    ul.append(h('li', {}, h('a', {href, 'aria-current': key === active ? 'page' : null, 'data-nav': key}, label)));
  }
  nav.append(ul);
  who.append(
    h('span', {class: 'muted', title: `token ${me.token.id}`}, `${me.account.name} · ${me.token.role}`),
    h('button', {type: 'button', class: 'link', id: 'signout', onclick: signOut}, 'Sign out'));
}

function signOut() {
  clearToken();
  me = null;
  location.hash = '#/login';
}

function loginPage(msg) {
  renderNav('');
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'token-help'});
  const err = h('p', {class: 'error', role: 'alert', id: 'login-error'}, msg || '');
  const form = h('form', {class: 'card login', id: 'login'},
    h('h1', {}, 'Sign in to vigil'),
    h('label', {for: 'token'}, 'API token'),
    input,
    h('p', {class: 'muted', id: 'token-help'}, 'Paste a token from `vigil server` bootstrap or `POST /v1/tokens`. It is kept in this tab only (sessionStorage).'),
    err,
    h('button', {type: 'submit', class: 'primary'}, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = input.value.trim();
    try {
      me = await get('/v1/whoami', t);
      setToken(t);
      location.hash = '#/';
    } catch (ex) {
      err.textContent = ex.status === 401 ? 'This token is not valid (unknown, revoked or expired).' : ex.message;
    }
  });
  clear(main).append(form);
  input.focus();
}

async function render() {
  const gen = ++generation;
  const {path, q} = parse();
  if (!token()) {
    me = null;
    loginPage();
    return;
  }
  if (path === '/login') {
    location.hash = '#/';
    return;
  }
  if (!me) {
    try {
      me = await get('/v1/whoami');
    } catch (ex) {
      loginPage(ex.message);
      return;
    }
  }
  let route = null;
  let m = null;
  for (const r of routes) {
    m = r.re.exec(path);
    if (m) { route = r; break; }
  }
  renderNav(route?.nav);
  const root = h('div', {class: 'page'});
  clear(main).append(root);
  if (!route) {
    root.append(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/'}, 'Back to the dashboard')));
    return;
  }
  const ctx = {
    root, q, params: m.slice(1).map(decodeURIComponent), me, navigate,
    // live reports whether this render is still the current one.
    live: () => gen === generation,
  };
  try {
    await route.page.render(ctx);
  } catch (ex) {
    if (!ctx.live()) return;
    root.append(h('p', {class: 'error', role: 'alert'}, `Error: ${ex.message}`));
  }
  if (ctx.live()) {
    main.dataset.ready = path;
    document.title = `${root.querySelector('h1')?.textContent || 'vigil'} · vigil`;
  }
}

window.addEventListener('hashchange', () => { delete main.dataset.ready; render(); });
window.addEventListener('vigil:unauthenticated', () => { me = null; });
document.getElementById('skip').addEventListener('click', () => main.focus());
render();
