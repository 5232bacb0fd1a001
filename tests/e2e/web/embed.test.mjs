// scripts/embed-web.sh, the generator `make` runs over web/: hashed names
// that follow the imported modules' contents, and a build that fails on a
// reference to a missing asset or a cycle of references.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/embed-web.sh', import.meta.url));

// Runs the script over a web/ tree made of files {relative path: text}.
function embed(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-web-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const r = spawnSync('sh', [SCRIPT, dir], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const names = (out) => [...out.matchAll(/\{"([^"]+)", "([^"]+)"/g)].map((m) => [m[1], m[2]]);

test('assets get hashed names, references are rewritten, imports hashed first', () => {
  const base = {
    'assets/lib.js': 'export const x = 1;\n',
    'assets/page.js': "import { x } from '/assets/lib.js';\n",
    'pages/p.html': '<script type="module" src="/assets/page.js"></script>\n',
  };
  const a = embed(base);
  assert.equal(a.code, 0, a.err);
  const got = names(a.out);
  const lib = got.find(([n]) => n.startsWith('/assets/lib.'));
  const page = got.find(([n]) => n.startsWith('/assets/page.'));
  assert.match(lib[0], /^\/assets\/lib\.[0-9a-f]{8}\.js$/);
  assert.equal(lib[1], 'text/javascript; charset=utf-8');
  assert.deepEqual(got.find(([n]) => n === 'p.html'), ['p.html', 'text/html; charset=utf-8']);
  // The bytes of page.js name lib's hashed file.
  const hex = Buffer.from(`/assets/${lib[0].slice(8)}`).toString('hex').match(/../g).map((h) => `0x${h}`).join(',');
  assert.ok(a.out.replace(/\s+/g, '').includes(hex), 'the import is rewritten');
  // A change in the imported module renames the importer too.
  const b = embed({ ...base, 'assets/lib.js': 'export const x = 2;\n' });
  const page2 = names(b.out).find(([n]) => n.startsWith('/assets/page.'));
  assert.notEqual(page2[0], page[0]);
});

test('a reference to a missing asset fails', () => {
  const r = embed({ 'pages/p.html': '<link rel="stylesheet" href="/assets/nope.css">\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.err, /refers to \/assets\/nope\.css, which does not exist/);
});

test('a cycle of references fails', () => {
  const r = embed({
    'assets/a.js': "import '/assets/b.js';\n",
    'assets/b.js': "import '/assets/a.js';\n",
  });
  assert.notEqual(r.code, 0);
  assert.match(r.err, /cycle/);
});

test('an unknown file type fails', () => {
  const r = embed({ 'assets/x.exe': 'MZ' });
  assert.notEqual(r.code, 0);
  assert.match(r.err, /unknown file type/);
});
