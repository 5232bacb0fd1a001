// tests/e2e/lib/smtp.mjs - a real SMTP server for the tests that send mail.
//
// startSmtpSink() runs tests/e2e/lib/smtp-sink.py (Debian's python3-aiosmtpd)
// on a free loopback port with a fresh temp directory; every message it
// receives lands there as NNNN.eml (+ NNNN.json with the envelope). Each test
// file starts its own sink, like its own server, so `make check` needs no
// service set up beforehand. Helpers wait for a message, parse its MIME parts
// (quoted-printable, base64, RFC 2047 headers) and pull a link out of it.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { noteSecretsInUrl } from './secrets.mjs';

import { sleep } from './server.mjs';

const SINK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp-sink.py');
const START_TIMEOUT_MS = 15000;

// Debian's interpreter has python3-aiosmtpd; a python3 earlier on PATH
// (pyenv, a venv) may not.
function python() {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

// Starts a sink. opts: {auth: 'user:pass', starttls: {cert, key}, tls: {cert, key},
// rejectRcpt: ['a@b.c'], port}. Returns {port, dir, url, env(), messages(),
// waitForMessage(), stop()}.
export async function startSmtpSink(opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-smtp-'));
  const args = [SINK, '--dir', dir, '--port', String(opts.port ?? 0)];
  if (opts.auth) args.push('--auth', opts.auth);
  if (opts.starttls) args.push('--starttls', opts.starttls.cert, opts.starttls.key);
  if (opts.tls) args.push('--tls', opts.tls.cert, opts.tls.key);
  for (const r of opts.rejectRcpt ?? []) args.push('--reject-rcpt', r);
  const child = spawn(python(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `smtp-sink did not start within ${START_TIMEOUT_MS} ms\n${stderr}`)), START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      const m = /READY (\d+)/.exec(stdout);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`smtp-sink exited (code ${e.code}) before it was ready` +
        ` (is python3-aiosmtpd installed? scripts/deps.sh installs it)\n${stderr}`));
    });
  });
  const creds = opts.auth ? `${opts.auth.split(':').map(encodeURIComponent).join(':')}@` : '';
  const scheme = opts.tls ? 'smtps' : 'smtp';
  let stopped = false;
  const sink = {
    port,
    dir,
    url: `${scheme}://${creds}127.0.0.1:${port}`,
    stderr: () => stderr,
    // The LATCHKEY_* variables that point a server at this sink.
    env(extra = {}) {
      return {
        LATCHKEY_MAIL_DRIVER: 'smtp',
        LATCHKEY_SMTP_URL: sink.url,
        LATCHKEY_SMTP_TLS: opts.starttls || opts.tls ? 'auto' : 'off',
        LATCHKEY_MAIL_BACKOFF_MS: '100',
        ...extra,
      };
    },
    // Every message received so far, oldest first, parsed.
    messages() {
      return fs.readdirSync(dir).filter((f) => /^\d+\.eml$/.test(f)).sort().map((f) => {
        const raw = fs.readFileSync(path.join(dir, f), 'latin1');
        const env = JSON.parse(fs.readFileSync(path.join(dir, f.replace('.eml', '.json')), 'utf8'));
        return { file: f, envelope: env, ...parseMessage(raw) };
      });
    },
    // Waits for a message to `to` (any if omitted) beyond the first `after`
    // ones; returns it or throws after timeoutMs.
    async waitForMessage({ to, after = 0, timeoutMs = 10000 } = {}) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = sink.messages().slice(after)
          .find((m) => !to || m.envelope.rcpt_tos.some((r) => r.toLowerCase() === to.toLowerCase()));
        if (found) return found;
        if (Date.now() > end) {
          throw new Error(`no message${to ? ` to ${to}` : ''} within ${timeoutMs} ms` +
            ` (${sink.messages().length} received)\n${stderr}`);
        }
        await sleep(50);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return sink;
}

function decodeQP(s) {
  const bytes = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// RFC 2047 encoded-words (B and Q) in a header value.
export function decodeHeader(v) {
  return v.replace(/\r?\n[ \t]/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, data) => (enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQP(data.replace(/_/g, ' '))));
}

function splitHead(raw) {
  const i = raw.indexOf('\r\n\r\n');
  const head = i < 0 ? raw : raw.slice(0, i);
  const body = i < 0 ? '' : raw.slice(i + 4);
  const headers = {};
  const lines = head.split('\r\n');
  const unfolded = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length) unfolded[unfolded.length - 1] += `\r\n${line}`;
    else unfolded.push(line);
  }
  for (const line of unfolded) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
  }
  return { headers, body, headerLines: unfolded };
}

function decodeBody(headers, body) {
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQP(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return Buffer.from(body, 'latin1').toString('utf8');
}

// Parses a raw message (latin1 string of its bytes, CRLF line ends) into
// {headers (lower-case names, raw values), headerLines, subject, text, html}.
export function parseMessage(raw) {
  const { headers, body, headerLines } = splitHead(raw);
  const out = { raw, headers, headerLines, subject: decodeHeader(headers.subject || ''), text: null, html: null };
  const ct = headers['content-type'] || 'text/plain';
  const m = /boundary="?([^";]+)"?/i.exec(ct);
  if (/^multipart\//i.test(ct) && m) {
    const parts = body.split(`--${m[1]}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      const p = splitHead(part.replace(/^\r\n/, ''));
      const type = (p.headers['content-type'] || '').toLowerCase();
      const decoded = decodeBody(p.headers, p.body.replace(/\r\n$/, ''));
      if (type.startsWith('text/plain')) out.text = decoded;
      else if (type.startsWith('text/html')) out.html = decoded;
    }
  } else {
    out.text = decodeBody(headers, body);
  }
  return out;
}

// The first http(s) link in text whose path starts with pathPrefix, as a URL.
export function findLink(text, pathPrefix = '/') {
  for (const m of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const u = new URL(m[0]);
    noteSecretsInUrl(u);
    if (u.pathname.startsWith(pathPrefix)) return u;
  }
  return null;
}

// A self-signed certificate for 127.0.0.1 in dir (openssl CLI): {cert, key}.
export function makeCert(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert, key };
}

// A reader of sink's messages in order: next(to) waits for the first
// message to `to` after the last one it returned.
export function messageReader(sink) {
  let seen = 0;
  return async function next(to) {
    const msg = await sink.waitForMessage({ to, after: seen });
    seen = sink.messages().findIndex((m) => m.file === msg.file) + 1;
    return msg;
  };
}
