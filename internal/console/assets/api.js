// The API client: every call carries the session's bearer token. The token
// lives in sessionStorage (gone when the tab closes), never in a cookie.

const KEY = 'vigil.token';

export function token() { return sessionStorage.getItem(KEY) || ''; }
export function setToken(t) { sessionStorage.setItem(KEY, t); }
export function clearToken() { sessionStorage.removeItem(KEY); }

// APIError carries the API's error code and message.
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body, tok) {
  const headers = {Authorization: `Bearer ${tok ?? token()}`, Accept: 'application/json'};
  const init = {method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  if (!resp.ok) {
    let code = 'error';
    let msg = `${resp.status} ${resp.statusText}`;
    try {
      const e = await resp.json();
      code = e.error?.code || code;
      msg = e.error?.message || msg;
    } catch { /* not JSON */ }
    if (resp.status === 401) {
      clearToken();
      window.dispatchEvent(new CustomEvent('vigil:unauthenticated'));
    }
    throw new APIError(resp.status, code, msg);
  }
  return resp;
}

// get returns the decoded JSON of a GET.
export async function get(path, tok) {
  return (await request('GET', path, undefined, tok)).json();
}

// send makes a POST, PUT or DELETE with a JSON body and returns its answer.
export async function send(method, path, body) {
  return (await request(method, path, body)).json();
}

// download fetches path with the token and saves it under its
// Content-Disposition name (or fallback).
export async function download(path, fallback) {
  const resp = await request('GET', path);
  const cd = resp.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(cd);
  const blob = await resp.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = m ? m[1] : fallback;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// query builds a query string from pairs or URLSearchParams.
export function query(params) {
  const q = new URLSearchParams(params).toString();
  return q ? `?${q}` : '';
}
