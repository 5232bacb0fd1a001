// api-docs.js - /docs/api: renders /openapi.json (no library, no network
// beyond this origin): the operations by tag, each a <details> with its
// security, parameters, request body and responses; schemas are shown as
// JSON, and a $ref to a component links to that component's section.

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};

const anchor = (ref) => 'schema-' + ref.split('/').pop();

// A schema as indented JSON; "$ref" values become links.
function schemaView(schema) {
  const pre = el('pre', { class: 'schema' });
  const text = JSON.stringify(schema, null, 2);
  let last = 0;
  for (const m of text.matchAll(/"\$ref": "(#\/components\/schemas\/[^"]+)"/g)) {
    pre.append(text.slice(last, m.index + 10));
    pre.append(el('a', { href: '#' + anchor(m[1]) }, m[1]));
    last = m.index + m[0].length - 1;
  }
  pre.append(text.slice(last));
  return pre;
}

function bodyView(content) {
  const out = el('div');
  for (const [media, c] of Object.entries(content ?? {})) {
    out.append(el('p', {}, el('code', {}, media)));
    if (c.schema) out.append(schemaView(c.schema));
  }
  return out;
}

function operationView(method, path, op) {
  const d = el('details', { class: 'card' });
  d.append(el('summary', {}, el('code', {}, `${method.toUpperCase()} ${path}`),
    op.summary ? ` ${op.summary}` : ''));
  d.append(el('p', {}, op.description ?? ''));
  const sec = (op.security ?? []).map((r) => Object.keys(r).join(' + ') || 'none');
  d.append(el('p', {}, `Security: ${sec.length ? sec.join(' or ') : 'none'}`));
  if (op.parameters?.length) {
    d.append(el('p', {}, 'Parameters: ' +
      op.parameters.map((p) => `${p.name} (${p.in}${p.required ? ', required' : ''})`).join(', ')));
  }
  if (op.requestBody) {
    d.append(el('h3', {}, 'Request body'), bodyView(op.requestBody.content));
  }
  if (op['x-latchkey-undocumented']) d.append(el('p', {}, 'No schemas yet.'));
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    d.append(el('h3', {}, `${status} ${r.description ?? ''}`), bodyView(r.content));
  }
  return d;
}

function render(doc) {
  const root = document.getElementById('docs');
  const byTag = new Map((doc.tags ?? []).map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const name = op.tags?.[0] ?? 'other';
      if (!byTag.has(name)) byTag.set(name, { tag: { name }, ops: [] });
      byTag.get(name).ops.push(operationView(method, path, op));
    }
  }
  for (const { tag, ops } of byTag.values()) {
    if (ops.length === 0) continue;
    const s = el('section', { id: 'tag-' + tag.name });
    s.append(el('h2', {}, tag.name));
    if (tag.description) s.append(el('p', {}, tag.description));
    s.append(...ops);
    root.append(s);
  }
  const comps = el('section', { id: 'components' }, el('h2', {}, 'Component schemas'));
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    comps.append(el('h3', { id: anchor(name) }, name), schemaView(schema));
  }
  root.append(comps);
}

const status = document.getElementById('docs-status');
fetch('/openapi.json')
  .then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  })
  .then((doc) => {
    render(doc);
    status.textContent = `${doc.info.title} ${doc.info.version}: OpenAPI ${doc.openapi}.`;
  })
  .catch((err) => {
    status.textContent = `Could not load /openapi.json: ${err.message}`;
  });
