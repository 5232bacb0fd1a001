// tests/e2e/lib/redis.mjs - Redis for the e2e tests: the shared test server
// (LATCHKEY_TEST_REDIS_URL, started by scripts/run-tests.sh or .ci/run), a
// private redis-server a test may stop and start again (fault tests), and a
// minimal RESP client to look at the keys latchkey writes.
//
// Only Node built-ins: node:child_process, node:net, node:fs.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, sleep } from './server.mjs';

// The shared test server's URL, or null when the Redis tests must be skipped.
export function testRedisUrl() {
  const url = process.env.LATCHKEY_TEST_REDIS_URL;
  return url && url.startsWith('redis://') ? url : null;
}

// The same URL with another db number: each test file that writes to the
// shared server takes its own db, so files running in parallel never meet.
export function withDb(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

// Parses one RESP reply at buf[pos]; returns {value, end} or null if incomplete.
function parse(buf, pos = 0) {
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+': return { value: line, end: next };
    case '-': return { value: new Error(line), end: next };
    case ':': return { value: Number(line), end: next };
    case '$': {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      if (buf.length < next + n + 2) return null;
      return { value: buf.toString('utf8', next, next + n), end: next + n + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const arr = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p);
        if (!r) return null;
        arr.push(r.value);
        p = r.end;
      }
      return { value: arr, end: p };
    }
    default: throw new Error(`RESP: unexpected type byte ${JSON.stringify(type)}`);
  }
}

// Runs commands (arrays of arguments) on one connection to url (its db is
// SELECTed first); resolves with the replies (Redis errors as Error values).
export function redisCommands(url, commands, { timeoutMs = 3000 } = {}) {
  const u = new URL(url);
  const db = Number((u.pathname || '/0').slice(1) || 0);
  const all = db ? [['SELECT', db], ...commands] : commands;
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port || 6379), u.hostname.replace(/^\[|\]$/g, ''));
    let buf = Buffer.alloc(0);
    const replies = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`redis ${url}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('error', (err) => { clearTimeout(timer); reject(err); });
    sock.on('connect', () => sock.write(all.map(encode).join('')));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const r = parse(buf);
        if (!r) break;
        replies.push(r.value);
        buf = buf.subarray(r.end);
      }
      if (replies.length >= all.length) {
        clearTimeout(timer);
        sock.end();
        resolve(db ? replies.slice(1) : replies);
      }
    });
  });
}

// One command; resolves with its reply (throws a Redis error).
export async function redisCommand(url, ...args) {
  const [reply] = await redisCommands(url, [args]);
  if (reply instanceof Error) throw reply;
  return reply;
}

// The redis-server binary, or null.
export function redisServerBin() {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/bin', '/usr/sbin'])) {
    const p = path.join(dir || '.', 'redis-server');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

async function answersPing(url) {
  try {
    return (await redisCommand(url, 'PING')) === 'PONG';
  } catch {
    return false;
  }
}

// A private redis-server on a free loopback port, without persistence, its
// files in a temp dir. Returns {url, port, stop(), start(), signal(), cleanup()}:
// stop() kills it (SIGKILL: a crash, not a goodbye) and waits for the exit;
// start() starts it again on the same port (empty); cleanup() stops it and
// removes the dir.
export async function startPrivateRedis() {
  const bin = redisServerBin();
  if (!bin) throw new Error('redis-server not found (apt-get install redis-server)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}/0`;
  let child = null;
  let exited = null;
  let log = '';

  async function start() {
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d) => { log += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { log += d; });
    exited = new Promise((resolve) => child.on('exit', resolve));
    const end = Date.now() + 10000;
    while (Date.now() < end) {
      if (child.exitCode !== null) break;
      if (await answersPing(url)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port}\n${log.slice(-4000)}`);
  }

  async function stop() {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  }

  await start();
  process.on('exit', () => { try { child?.kill('SIGKILL'); } catch { /* gone */ } });
  return {
    url,
    port,
    start,
    stop,
    // Sends sig (e.g. SIGSTOP, SIGCONT) to the running server.
    signal: (sig) => child.kill(sig),
    log: () => log,
    async cleanup() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
