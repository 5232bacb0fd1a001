// make install (issue 18): the binary, the man page made from --help, the bash completion and
// the hardened systemd unit, checked with groff/man and `systemd-analyze verify`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ok } from '../lib/cli.mjs';
import { latchkeyBin, runCli } from '../lib/server.mjs';

const ROOT = path.resolve(import.meta.dirname, '../../..');

// make install into dir with extra variables; the build directory is the one of the binary
// under test, so nothing is rebuilt.
function makeInstall(vars) {
  const build = path.relative(ROOT, path.dirname(path.resolve(latchkeyBin())));
  const r = spawnSync('make', ['-s', '-C', ROOT, 'install', `BUILD=${build}`,
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)], { encoding: 'utf8', timeout: 600000 });
  assert.equal(r.status, 0, `make install: ${r.stdout}\n${r.stderr}`);
}

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const have = (cmd) => run('sh', ['-c', `command -v ${cmd}`]).status === 0;

const HARDENING = ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes',
  'PrivateDevices=yes', 'StateDirectory=latchkey', 'DynamicUser=yes', 'CapabilityBoundingSet=',
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX', 'SystemCallFilter=@system-service',
  'MemoryDenyWriteExecute=yes', 'EnvironmentFile=-/etc/latchkey/env', 'RestrictNamespaces=yes',
  'LockPersonality=yes', 'ProtectKernelTunables=yes', 'ProtectControlGroups=yes'];

describe('make install', () => {
  let dir;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-install-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('DESTDIR and PREFIX=/usr: every file in its place', () => {
    const dest = path.join(dir, 'dest');
    makeInstall({ DESTDIR: dest, PREFIX: '/usr' });
    const bin = path.join(dest, 'usr/bin/latchkey');
    assert.equal(fs.statSync(bin).mode & 0o777, 0o755);
    assert.match(run(bin, ['--version']).stdout, /^latchkey \d+\.\d+\.\d+/);
    const man = path.join(dest, 'usr/share/man/man1/latchkey.1');
    const comp = path.join(dest, 'usr/share/bash-completion/completions/latchkey');
    const unit = path.join(dest, 'lib/systemd/system/latchkey.service');
    for (const f of [man, comp, unit]) assert.equal(fs.statSync(f).mode & 0o777, 0o644, f);
    assert.equal(fs.readFileSync(comp, 'utf8'), ok(runCli({}, 'completion', 'bash')).stdout);
    const text = fs.readFileSync(unit, 'utf8');
    assert.match(text, /^ExecStart=\/usr\/bin\/latchkey serve$/m);
    for (const line of HARDENING) assert.ok(text.split('\n').includes(line), `the unit has ${line}`);
    assert.ok(!text.includes('@BINDIR@'));
  });

  test('the man page: every command with its --help, no groff warning', () => {
    const dest = path.join(dir, 'dest');
    const man = path.join(dest, 'usr/share/man/man1/latchkey.1');
    const src = fs.readFileSync(man, 'utf8');
    const cmds = ok(runCli({}, '--help')).stdout.split('\n').map((l) => l.match(/^ {2}([a-z]+) /))
      .filter(Boolean).map((m) => m[1]);
    assert.ok(cmds.length >= 15);
    for (const c of cmds) assert.ok(src.includes(`\n.SS ${c}\n`), `a section for ${c}`);
    const groff = run('groff', ['-man', '-Tutf8', '-ww', '-z', man]);
    assert.equal(groff.status, 0);
    assert.equal(groff.stderr, '', 'groff -ww has no warning');
    const page = run('man', ['-l', man], { env: { ...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: '' } });
    assert.equal(page.status, 0, page.stderr);
    const plain = page.stdout.replace(/.\x08/g, '');
    // The text of --help, as the reader sees it.
    assert.ok(plain.includes('latchkey user set-password EMAIL [--password-stdin] [--json]'));
    assert.ok(plain.includes('latchkey token prune [--hours N] [--json]'));
    assert.ok(plain.includes('latchkey config show [--json]'));
    assert.match(plain, /EXIT STATUS/);
  });

  test('systemd-analyze verify accepts the unit, and would notice a broken one', (t) => {
    if (!have('systemd-analyze')) return t.skip('no systemd-analyze');
    // Installed without DESTDIR under a temporary PREFIX, so ExecStart names a real binary and
    // Documentation=man:latchkey(1) a real page (MANPATH).
    const prefix = path.join(dir, 'prefix');
    makeInstall({ PREFIX: prefix });
    const unit = path.join(prefix, 'lib/systemd/system/latchkey.service');
    const env = { ...process.env, MANPATH: path.join(prefix, 'share/man'), SYSTEMD_LOG_COLOR: '0' };
    const good = run('systemd-analyze', ['verify', unit], { env });
    assert.equal(good.status, 0, good.stderr);
    assert.equal(`${good.stdout}${good.stderr}`, '', 'no complaint');
    const badDir = path.join(dir, 'bad');
    fs.mkdirSync(badDir);
    fs.writeFileSync(path.join(badDir, 'latchkey.service'),
      fs.readFileSync(unit, 'utf8').replace('ProtectSystem=strict', 'ProtectSystem=sideways'));
    const bad = run('systemd-analyze', ['verify', path.join(badDir, 'latchkey.service')], { env });
    assert.match(`${bad.stdout}${bad.stderr}`, /ProtectSystem|protect system/i);
  });
});
