// tests/e2e/lib/server.mjs - start a real latchkey on a free port with a temp
// database, talk to it over HTTP, and run its CLI against the same database.
//
// Node built-ins (node:child_process, node:net, node:fs, global fetch) and
// lib/openapi.mjs, which checks every response against the OpenAPI document.
// LATCHKEY_BIN (absolute path of the binary under test) comes from
// scripts/run-tests.sh; without it the harness fails with a clear message.
//
// Backends: by default every server (and tempDb) gets a SQLite file in its
// temp directory. When LATCHKEY_TEST_PG_URL (a superuser URL of a test
// cluster) is set, each gets a fresh PostgreSQL database in that cluster
// instead, created with Debian's psql, remembered in the directory (a
// restart with opts.dir reuses it) and dropped when the directory is
// removed. A test that passes its own LATCHKEY_DATABASE_URL gets that.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { installFetchHook } from './openapi.mjs';

// Every response of latchkey a test sees is checked against its OpenAPI
// document (lib/openapi.mjs).
installFetchHook();

import { assertNoSecrets, noteSecret, noteSecretArgs, noteSecretsIn } from './secrets.mjs';

const HEALTH_POLL_MS = 50;
const HEALTH_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 10000;
const CLI_TIMEOUT_MS = 30000;

// Defaults every test server and CLI call gets (a test can override any of
// them, or pass null to remove one). Cheap argon2id parameters keep the many
// logins fast, also under the sanitizers; the throttles (travel token and api, AutoCom
// login, register and api) are raised so only the throttle tests (which set
// their own) ever meet them; so is the per-IP connection limit.
const TEST_DEFAULTS = {
  LATCHKEY_LOG_LEVEL: 'info',
  LATCHKEY_ARGON2_OPSLIMIT: '1',
  LATCHKEY_ARGON2_MEMLIMIT_KIB: '8192',
  LATCHKEY_RATE_TOKEN: '1000/60',
  LATCHKEY_RATE_LOGIN: '1000/60',
  LATCHKEY_RATE_REGISTER: '1000/60',
  LATCHKEY_RATE_API: '100000/60',
  LATCHKEY_RATE_TRAVEL: '100000/60',
  LATCHKEY_RATE_ACCOUNT_LOGIN: '1000/60',
  LATCHKEY_THREADS: '4',
  // The suites open many connections from 127.0.0.1 at once (undici opens
  // one per request in flight); the default of 64 is tested on its own
  // (tests/e2e/hardening/slowloris.test.mjs).
  LATCHKEY_PER_IP_CONNECTIONS: '1024',
};

const live = new Set(); // child processes still running, killed if we die
const pgDatabases = new Set(); // databases this process created and not yet dropped
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  for (const name of pgDatabases) dropPgDatabase(name);
});

// The test cluster's superuser URL when the suite runs on PostgreSQL.
export const PG_ADMIN_URL = process.env.LATCHKEY_TEST_PG_URL || null;
export const BACKEND = PG_ADMIN_URL ? 'postgres' : 'sqlite';

// Runs SQL with psql against an admin URL; throws with psql's message.
export function psql(adminUrl, sql) {
  const r = spawnSync('psql', [adminUrl, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  if (r.error) throw new Error(`psql: ${r.error.message} (install postgresql-client)`);
  if (r.status !== 0) throw new Error(`psql ${sql}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

// Runs SQL on a test database, SQLite file or PostgreSQL URL (psql; SQLite
// through python3's sqlite3 module, which the SMTP tests' python3 brings).
// Returns the rows, one per line, columns separated by "|".
export function dbQuery(db, sql) {
  if (/^postgres(ql)?:/.test(db)) return psql(db, sql);
  const file = db.replace(/^sqlite:/, '');
  const script = 'import sqlite3, sys\n' +
    'c = sqlite3.connect(sys.argv[1])\n' +
    'rows = c.execute(sys.argv[2]).fetchall()\n' +
    'c.commit()\n' +
    'print("\\n".join("|".join(str(v) for v in r) for r in rows))\n';
  const r = spawnSync('python3', ['-c', script, file, sql], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  if (r.error) throw new Error(`python3: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`sqlite ${sql}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

// adminUrl with its database replaced by name.
export function pgUrlFor(adminUrl, name) {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

// Creates a fresh database in the test cluster; returns its name.
export function createPgDatabase(adminUrl = PG_ADMIN_URL) {
  const name = `lk_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  psql(adminUrl, `CREATE DATABASE ${name}`);
  pgDatabases.add(name);
  return name;
}

function dropPgDatabase(name, adminUrl = PG_ADMIN_URL) {
  pgDatabases.delete(name);
  try {
    psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } catch { /* the cluster may be gone already; it is thrown away anyway */ }
}

// The database URL for a data directory: its SQLite file, or on PostgreSQL
// the database named in DIR/pg-database (created on first use).
function databaseFor(dir) {
  if (!PG_ADMIN_URL) return path.join(dir, 'lk.db');
  const file = path.join(dir, 'pg-database');
  let name;
  try {
    name = fs.readFileSync(file, 'utf8').trim();
  } catch {
    name = createPgDatabase();
    fs.writeFileSync(file, name);
  }
  return pgUrlFor(PG_ADMIN_URL, name);
}

// Removes a data directory and, on PostgreSQL, its database.
function removeDir(dir) {
  try {
    const name = fs.readFileSync(path.join(dir, 'pg-database'), 'utf8').trim();
    if (name) dropPgDatabase(name);
  } catch { /* no database of its own */ }
  fs.rmSync(dir, { recursive: true, force: true });
}

// The binary under test, or a thrown Error that says what is wrong.
export function latchkeyBin() {
  const bin = process.env.LATCHKEY_BIN;
  if (!bin) throw new Error('LATCHKEY_BIN not found: the environment variable is not set ' +
    '(scripts/run-tests.sh sets it to BUILD_DIR/latchkey)');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`LATCHKEY_BIN not found: ${bin} does not exist or is not executable`);
  }
  return bin;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value or timeoutMs passes (then returns
// the last value).
export async function waitFor(fn, { timeoutMs = 3000, everyMs = 50 } = {}) {
  const end = Date.now() + timeoutMs;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() >= end) return v;
    await sleep(everyMs);
  }
}

// The server buffers its log (LATCHKEY_LOG_FLUSH_MS, 100 ms by default):
// an info line, the access log's among them, reaches stderr up to that long
// after the event (warnings and errors at once). Tests wait for lines.

// The stderr lines of server that match (a string: contained; a RegExp:
// tested).
export function logLinesOf(server, match) {
  const test = typeof match === 'string' ? (l) => l.includes(match) : (l) => match.test(l);
  return server.stderr().split('\n').filter(test);
}

// Waits until at least count stderr lines of server match, and returns them
// (fewer if timeoutMs passes first).
export async function waitForLog(server, match, { count = 1, timeoutMs = 3000 } = {}) {
  await waitFor(() => logLinesOf(server, match).length >= count, { timeoutMs, everyMs: 20 });
  return logLinesOf(server, match);
}

// Resolves once every line the server logged before the call is on stderr:
// sends a request to a path of its own (a 404) and waits for its access-log
// line, since the log is written in order. Use it before asserting that a
// line is absent. Throws if the line does not come within timeoutMs.
export async function syncLog(server, { timeoutMs = 5000 } = {}) {
  const mark = `/__log-sync/${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  await fetch(server.url + mark, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.text());
  const lines = await waitForLog(server, `path=${mark} `, { timeoutMs });
  if (lines.length === 0) {
    throw new Error(`syncLog: no access-log line for ${mark} within ${timeoutMs} ms` +
      `\n--- stderr (tail) ---\n${server.stderr().slice(-4000)}`);
  }
}

// A free TCP port on 127.0.0.1 (listen on 0, read it, close).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// The environment a latchkey child starts from: this process's, without its
// LATCHKEY_* variables. Those are the harness's own (LATCHKEY_BIN,
// LATCHKEY_TEST_PG_URL, LATCHKEY_TEST_REDIS_URL, ...) or a developer's shell
// settings: the server would warn about the unknown ones, and the others
// would change what a test sees. A child gets exactly the LATCHKEY_*
// variables of TEST_DEFAULTS and of the test.
export function childBaseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('LATCHKEY_')) delete env[k];
  }
  return env;
}

function mergeEnv(...layers) {
  const env = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer || {})) {
      if (v === null || v === undefined) delete env[k];
      else env[k] = String(v);
    }
  }
  return env;
}

// Runs `latchkey <args>` synchronously with env (merged over process.env).
// Returns {status, signal, stdout, stderr, json}; json is the parsed stdout
// when --json was among the args and stdout parses (else undefined).
export function runCli(env, ...args) {
  const bin = latchkeyBin();
  const r = spawnSync(bin, args.map(String), {
    env: mergeEnv(childBaseEnv(), env),
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw new Error(`latchkey ${args.join(' ')}: ${r.error.message}`);
  noteSecretArgs(args);
  noteSecretsIn(r.stdout);
  assertNoSecrets(r.stderr, `latchkey ${args[0] ?? ''}`);
  const out = { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json: undefined };
  if (args.includes('--json') && r.stdout.trim() !== '') {
    try { out.json = JSON.parse(r.stdout); } catch { /* left undefined */ }
  }
  return out;
}

// Like runCli but asserts exit 0 and returns the parsed --json document.
export function cliJson(run, ...args) {
  const r = run(...args, '--json');
  if (r.status !== 0 || r.json === undefined) {
    throw new Error(`latchkey ${args.join(' ')} --json: exit ${r.status}` +
      `\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r.json;
}

// A fresh temp directory with a database in it, and a CLI bound to that
// database (no server). The database is created with `latchkey migrate`, as
// the CLI commands other than serve and migrate need (opts.migrate false:
// left uncreated). Call cleanup() when done.
export function tempDb(env = {}, { migrate = true } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-'));
  const db = env.LATCHKEY_DATABASE_URL ?? databaseFor(dir);
  const fullEnv = mergeEnv(TEST_DEFAULTS, { LATCHKEY_DATABASE_URL: db }, env);
  const t = {
    dir,
    db,
    env: fullEnv,
    cli: (...args) => runCli(fullEnv, ...args),
    cleanup: () => removeDir(dir),
  };
  if (migrate) {
    const r = t.cli('migrate');
    if (r.status !== 0) {
      t.cleanup();
      throw new Error(`latchkey migrate: exit ${r.status}\nstderr: ${r.stderr}`);
    }
  }
  return t;
}

async function healthy(url) {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    if (res.status !== 200) return false;
    const body = await res.json();
    return body && body.status === 'ok';
  } catch {
    return false;
  }
}

async function spawnOnce(bin, dir, env) {
  const port = await freePort();
  const db = env.LATCHKEY_DATABASE_URL ?? databaseFor(dir);
  const fullEnv = mergeEnv(
    // Mail from the log driver stays in the data directory on every backend
    // (PostgreSQL's default outbox would be ./var/mail under the cwd).
    { LATCHKEY_LISTEN: `127.0.0.1:${port}`, LATCHKEY_DATABASE_URL: db,
      LATCHKEY_MAIL_DIR: path.join(dir, 'mail') },
    TEST_DEFAULTS,
    env,
  );
  const child = spawn(bin, ['serve'], {
    env: mergeEnv(childBaseEnv(), fullEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => { live.delete(child); resolve({ code, signal }); });
    child.on('error', (err) => { live.delete(child); resolve({ code: null, signal: null, err }); });
  });
  let exit = null;
  exited.then((e) => { exit = e; });
  const url = `http://127.0.0.1:${port}`;
  // The port was free a moment ago; another test file's server may have
  // taken it since, and would answer /healthz for ours (which then fails to
  // bind and exits). So the server is ours once it has said it listens
  // (an info line; a test that hides info lines takes the old chance).
  const quiet = /^(warn|error)$/.test(fullEnv.LATCHKEY_LOG_LEVEL ?? '');
  const logFile = fullEnv.LATCHKEY_LOG_FILE;
  const logged = () => {
    try {
      return logFile ? fs.readFileSync(logFile, 'utf8') : '';
    } catch {
      return '';
    }
  };
  const listening = () => quiet || /event"?[=:]"?listening/.test(stderr + stdout + logged());
  const end = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (exit) break;
    if (listening() && (await healthy(url))) break;
    if (Date.now() >= end) break;
    await sleep(HEALTH_POLL_MS);
  }
  return { child, port, url, db, fullEnv, exited, getExit: () => exit, listening,
    stdout: () => stdout, stderr: () => stderr };
}

// Starts `latchkey serve`. env overrides the defaults (null removes one).
// opts.dir reuses an existing data directory (restart on the same database).
// Returns {url, port, dir, db, env, stdout(), stderr(), cli(...args), stop()}.
export async function startServer(env = {}, opts = {}) {
  const bin = latchkeyBin();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-'));
  let s;
  for (let attempt = 1; ; attempt++) {
    s = await spawnOnce(bin, dir, env);
    const exit = s.getExit();
    if (!exit && s.listening() && (await healthy(s.url))) break;
    if (!exit) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
    const e = s.getExit();
    // A port picked free a moment ago can be taken by a concurrent test file.
    if (attempt < 3 && /in use|EADDRINUSE|bind/i.test(s.stderr())) continue;
    if (!opts.dir) removeDir(dir);
    const why = e && e.err ? `could not be started: ${e.err.message}`
      : exit ? `exited (code ${e.code}, signal ${e.signal}) before /healthz answered`
        : `did not answer GET /healthz with 200 {"status":"ok"} within ${HEALTH_TIMEOUT_MS} ms`;
    throw new Error(`latchkey serve ${why}\n--- stderr ---\n${s.stderr()}\n--- stdout ---\n${s.stdout()}`);
  }
  let stopped = false;
  const server = {
    url: s.url,
    port: s.port,
    dir,
    db: s.db,
    env: s.fullEnv,
    pid: s.child.pid,
    // {code, signal} once the process has exited, else null.
    exitStatus: () => s.getExit(),
    stdout: s.stdout,
    stderr: s.stderr,
    cli: (...args) => runCli(s.fullEnv, ...args),
    // Sends a signal without waiting.
    kill: (sig = 'SIGTERM') => s.child.kill(sig),
    // SIGTERM, wait for the exit (must be code 0) and, unless keep is set,
    // remove the data directory. Returns {code, signal, ms}.
    async stop({ keep = false } = {}) {
      if (stopped) return null;
      stopped = true;
      const t0 = Date.now();
      if (!s.getExit()) s.child.kill('SIGTERM');
      let timer;
      const e = await Promise.race([s.exited,
        new Promise((r) => { timer = setTimeout(() => r(null), STOP_TIMEOUT_MS); })]);
      clearTimeout(timer);
      const ms = Date.now() - t0;
      if (!e) {
        s.child.kill('SIGKILL');
        await s.exited;
        if (!keep) removeDir(dir);
        throw new Error(`latchkey did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM` +
          `\n--- stderr ---\n${s.stderr()}`);
      }
      if (!keep) removeDir(dir);
      assertNoSecrets(s.stderr(), 'latchkey serve');
      if (e.code !== 0) {
        throw new Error(`latchkey exited with code ${e.code} signal ${e.signal} after SIGTERM` +
          `\n--- stderr (tail) ---\n${s.stderr().slice(-8000)}`);
      }
      return { code: e.code, signal: e.signal, ms };
    },
  };
  return server;
}

// Starts a server with startServer(env, opts), runs body(server) and returns
// what it returns; always stops the server afterwards and removes its data
// directory (and PostgreSQL database), also when the body throws or has
// stopped the server itself with { keep: true }. With opts.dir (a restart
// on another server's data) the directory is left to its owner. A body's
// error wins; otherwise a server that does not exit 0 on SIGTERM fails the
// call, as stop() does. opts.start replaces startServer (e.g. one that also
// waits for the owner's password); it must return a server or { server }.
//
//   await withServer({ LATCHKEY_RATE_TOKEN: '3/60' }, async (server) => { ... });
export async function withServer(env, opts, body) {
  if (typeof opts === 'function') [opts, body] = [{}, opts];
  const { start = startServer, ...startOpts } = opts;
  const started = await start(env, startOpts);
  const server = started.server ?? started;
  const ownsDir = startOpts.dir === undefined;
  let bodyFailed = false;
  try {
    return await body(server, started);
  } catch (err) {
    bodyFailed = true;
    throw err;
  } finally {
    try {
      await server.stop({ keep: !ownsDir });
    } catch (err) {
      if (!bodyFailed) throw err;
    } finally {
      if (ownsDir) removeDir(server.dir);
    }
  }
}

// One HTTP request with fetch. body: an object/array (sent as JSON), or a
// string (sent as is). Returns {status, headers, body, text}; body is the
// parsed JSON or null.
export async function api(server, method, p, { body, token, headers = {} } = {}) {
  const h = { ...headers };
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      payload = body;
    } else {
      payload = JSON.stringify(body);
    }
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['Content-Type'] = 'application/json';
    }
  }
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  noteSecret(token);
  noteSecretsIn(body);
  const base = typeof server === 'string' ? server : server.url;
  let res;
  try {
    res = await fetch(base + p, {
      method, headers: h, body: payload, signal: AbortSignal.timeout(20000),
    });
  } catch (err) {
    let msg = `${method} ${p} failed: ${err.cause?.message || err.message}`;
    const ex = typeof server === 'object' && server.exitStatus ? server.exitStatus() : null;
    if (ex) {
      msg += `\nlatchkey had exited (code ${ex.code}, signal ${ex.signal})` +
        `\n--- stderr (tail) ---\n${server.stderr().slice(-8000)}`;
    }
    throw new Error(msg);
  }
  const text = await res.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { parsed = null; }
  noteSecretsIn(parsed);
  return { status: res.status, headers: res.headers, body: parsed, text };
}

// Sends raw bytes over a TCP socket and returns what came back:
// {raw, status, headers (lower-case names), body, json}. Tolerates the server
// closing early (a 413 answered before the whole body was read).
export function rawRequest(server, data, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    const chunks = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve(parseRawResponse(raw));
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      // Done once a full response (headers + Content-Length body) arrived.
      const r = parseRawResponse(Buffer.concat(chunks).toString('latin1'));
      if (r.complete) finish();
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (err) => {
      if (chunks.length) finish();
      else if (['EPIPE', 'ECONNRESET'].includes(err.code)) setTimeout(finish, 200);
      else if (!done) { done = true; clearTimeout(timer); reject(err); }
    });
    sock.on('connect', () => {
      sock.write(data, () => { /* write errors are reported on 'error' */ });
    });
  });
}

export function parseRawResponse(raw) {
  const out = { raw, status: 0, headers: {}, body: '', json: null, complete: false };
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return out;
  const lines = raw.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (m) out.status = Number(m[1]);
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) out.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  out.body = raw.slice(end + 4);
  const len = out.headers['content-length'];
  if (len !== undefined) {
    out.complete = Buffer.byteLength(out.body, 'latin1') >= Number(len);
  } else if (/chunked/i.test(out.headers['transfer-encoding'] || '')) {
    const d = dechunk(out.body);
    out.complete = d.complete;
    out.body = d.body;
  }
  try { out.json = JSON.parse(out.body); } catch { out.json = null; }
  return out;
}

// Decodes a chunked body; complete once the last (0-size) chunk arrived.
function dechunk(text) {
  let body = '';
  let pos = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', pos);
    if (eol < 0) return { body, complete: false };
    const size = parseInt(text.slice(pos, eol), 16);
    if (Number.isNaN(size)) return { body, complete: false };
    if (size === 0) return { body, complete: true };
    const start = eol + 2;
    if (text.length < start + size) return { body: body + text.slice(start), complete: false };
    body += text.slice(start, start + size);
    pos = start + size + 2;
  }
}

// crc32b (the zlib / PHP hash('crc32b') one), as 8 lower-case hex chars.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32hex(str) {
  let c = 0xffffffff;
  for (const b of Buffer.from(str, 'utf8')) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

export const sha256hex = (s) => createHash('sha256').update(s).digest('hex');

// Splits a Sanctum 4 plaintext token "<id>|<prefix><40 random><8 hex crc>".
// Returns {id, secret, random, crc, crcOk} or null if it does not match.
export function parseToken(token, prefix = '') {
  const esc = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^([1-9][0-9]*)\\|${esc}([A-Za-z0-9]{40})([0-9a-f]{8})$`).exec(token);
  if (!m) return null;
  return { id: m[1], secret: token.slice(m[1].length + 1), random: m[2], crc: m[3],
    crcOk: crc32hex(m[2]) === m[3] };
}

// "2026-04-30T16:02:14+00:00"
export const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;
// Any ISO-8601 timestamp with a zone (the CLI may use Z or +00:00).
export const ISO_ANY_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
