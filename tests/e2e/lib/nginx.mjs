// tests/e2e/lib/nginx.mjs - a private nginx (Debian's) for the tests: one
// foreground process, every file in its own temp directory, on a free
// loopback port; and the ```nginx blocks of README.md, so the tests run the
// configuration the README documents.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api, freePort, waitFor } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// The nginx binary, or null when nginx is not installed.
export function nginxBin() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

// The first ```nginx block of README.md that contains needle ('' = the first).
export function readmeNginxBlock(needle = '') {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/```nginx\n([\s\S]*?)```/g)) {
    if (m[1].includes(needle)) return m[1];
  }
  assert.fail(`README.md has an \`\`\`nginx block containing ${JSON.stringify(needle)}`);
}

// Starts nginx with http-level configuration text made by httpConf(port)
// (port: the one nginx must listen on). Waits until healthPath answers
// healthStatus. Returns {port, url, dir, stop()}.
export async function startNginx(httpConf, { healthPath = '/healthz', healthStatus = 200 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-nginx-'));
  const port = await freePort();
  const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${httpConf(port)}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(nginxBin(), ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e',
    path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* gone */ } });
  const up = await waitFor(async () => {
    if (child.exitCode !== null) return true;
    try {
      return (await api(`http://127.0.0.1:${port}`, 'GET', healthPath)).status === healthStatus;
    } catch {
      return false;
    }
  }, { timeoutMs: 10000 });
  if (!up || child.exitCode !== null) {
    const log = fs.existsSync(path.join(dir, 'error.log'))
      ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
    child.kill('SIGKILL');
    throw new Error(`nginx did not start\n${out}\n${log}\n--- config ---\n${conf}`);
  }
  return {
    port,
    dir,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
