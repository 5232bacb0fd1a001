// Issue 18 "secrets never logged": every token, password and reset or
// invitation secret the helpers see (sent in a body, a Bearer, a CLI
// argument; received in a response, a CLI's JSON or a mail's link) is
// recorded in a per-process set, and a server's whole log is checked
// against the set when it stops (lib/server.mjs): a log line holding any of
// them fails the test that stops it.

// Shorter values, lower-case words like 'password' (a secret in one test
// and part of an event name in a log line), and email addresses (a test of
// the password rules sends the account's own email as its password, and
// the mail log names the recipient) are not tracked.
const MIN_LENGTH = 10;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const secrets = new Set();

export function noteSecret(s) {
  if (typeof s === 'string' && s.length >= MIN_LENGTH && !/^[a-z_.-]+$/.test(s) && !EMAIL.test(s)) {
    secrets.add(s);
  }
}

const SECRET_KEY = /pass(word)?|token|secret|api_key|^key$/i;
const NOT_SECRET_KEY = /type|expires|_at$|_id$|^id$|name|count|prefix|abilities|scopes/i;

// Records the string values of value (an object, array or JSON text) under
// keys that name a secret ("password", "access_token", "plainTextToken").
export function noteSecretsIn(value, depth = 0) {
  if (depth > 8 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    try { noteSecretsIn(JSON.parse(value), depth + 1); } catch { /* not JSON */ }
    return;
  }
  if (typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && SECRET_KEY.test(k) && !NOT_SECRET_KEY.test(k)) noteSecret(v);
    else if (typeof v === 'object') noteSecretsIn(v, depth + 1);
  }
}

// Records the secrets a command line passes ("--password X", "--token X").
export function noteSecretArgs(args) {
  for (let i = 0; i + 1 < args.length; i++) {
    if (/^--(password|token|secret)/.test(String(args[i]))) noteSecret(String(args[i + 1]));
  }
}

// Records the secrets of a link from a mail: its path segments and query
// values long enough to be one (a reset token, an invitation token).
export function noteSecretsInUrl(url) {
  for (const seg of url.pathname.split('/')) if (seg.length >= 20) noteSecret(decodeURIComponent(seg));
  for (const [, v] of url.searchParams) if (v.length >= 20 && !v.includes('@')) noteSecret(v);
}

// The lines of text that hold a recorded secret, the secret masked.
export function linesWithSecrets(text) {
  const found = [];
  for (const s of secrets) {
    if (!text.includes(s)) continue;
    const mask = `${s.slice(0, 3)}…(${s.length} chars)`;
    for (const line of text.split('\n')) {
      if (line.includes(s)) found.push(line.split(s).join(`<SECRET ${mask}>`));
    }
  }
  return found;
}

// Throws if text (what logged it: where) holds a recorded secret.
export function assertNoSecrets(text, where) {
  const lines = linesWithSecrets(text);
  if (lines.length > 0) {
    throw new Error(`${where} logged a secret the tests used (issue 18: secrets never logged):\n` +
      lines.slice(0, 10).join('\n'));
  }
}

// How many secrets are recorded (for the test of this module).
export const secretCount = () => secrets.size;
