// api.js - the one way the dashboard's pages talk to latchkey.
//
// Sessions work as Laravel Sanctum's SPA authentication: the session lives
// in an HttpOnly cookie the page never sees; GET /sanctum/csrf-cookie sets
// the XSRF-TOKEN cookie, whose value every state-changing request echoes
// in the X-XSRF-TOKEN header. Nothing is ever written to localStorage or
// put in a URL: a token the server shows once lives in the page's memory
// only.

const CSRF_COOKIE = 'XSRF-TOKEN';

// The XSRF-TOKEN cookie's value, or null.
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CSRF_COOKIE) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return null;
}

// Asks for a session and its CSRF cookie.
export async function refreshCsrf() {
  await fetch('/sanctum/csrf-cookie', { credentials: 'same-origin' });
}

// Sends one request and reads the JSON answer: {status, body}. A body is
// sent as JSON; a state-changing request carries the CSRF token (fetched
// first when there is none yet, and once more after a 419, when the
// session behind it has ended). With { session: false } (a public API that
// knows no session) there is no CSRF dance.
export async function request(method, path, body, { session = true } = {}) {
  const changes = session && method !== 'GET' && method !== 'HEAD';
  if (changes && csrfToken() === null) await refreshCsrf();
  let res = await send(method, path, body, changes);
  if (res.status === 419 && changes) {
    await refreshCsrf();
    res = await send(method, path, body, changes);
  }
  return res;
}

// Set once the page starts to leave (a link, a sign-out's redirect): the
// browser then aborts the requests still in flight, which is no error.
let leaving = false;
addEventListener('beforeunload', () => { leaving = true; });
addEventListener('pagehide', () => { leaving = true; });

async function send(method, path, body, changes) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = csrfToken();
  if (changes && token !== null) headers['X-XSRF-TOKEN'] = token;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    // Aborted by the navigation away: the page that asked is gone.
    if (leaving) return new Promise(() => {});
    throw err;
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  return { status: res.status, body: data, headers: res.headers };
}

// The signed-in user (GET /api/user), or null without a session.
export async function currentUser() {
  const res = await request('GET', '/api/user');
  return res.status === 200 ? res.body : null;
}

// Removes the errors shown in form.
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const general = form.querySelector('.form-error');
  if (general) {
    general.textContent = '';
    general.hidden = true;
  }
}

// Shows an error answer in form: each of a 422's errors next to its field
// (an element with data-error-for="field"; a field's name may be
// "abilities" for "abilities.0"), anything else in the form's .form-error.
// Focuses the first field in error, so a keyboard or screen reader user
// lands on it.
export function showErrors(form, res) {
  clearErrors(form);
  const errors = (res.body && res.body.errors) || {};
  let shown = false;
  let first = null;
  for (const [key, messages] of Object.entries(errors)) {
    const field = key.split('.')[0];
    const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    if (!slot) continue;
    slot.textContent = [].concat(messages).join(' ');
    slot.hidden = false;
    shown = true;
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      if (!first) first = input;
    }
  }
  if (!shown) {
    const general = form.querySelector('.form-error');
    if (general) {
      general.textContent = messageOf(res);
      general.hidden = false;
    }
  }
  if (first) first.focus();
}

// The human wording of an error answer.
export function messageOf(res) {
  if (res.body && typeof res.body.message === 'string') return res.body.message;
  if (res.status === 0) return 'The server could not be reached.';
  return `The request failed (HTTP ${res.status}).`;
}

// A form's fields as an object (checkboxes named x[] as a list).
export function formData(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (k.endsWith('[]')) (out[k.slice(0, -2)] ||= []).push(v);
    else out[k] = v;
  }
  return out;
}
