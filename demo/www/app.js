// The demo's front end: talks to cgi-bin/files only; data is shown with textContent/value
// (never innerHTML), paths travel URL-encoded.
/* global document, fetch */
'use strict';
const $ = (id) => document.getElementById(id);
const api = (op, path) => `cgi-bin/files?op=${op}&path=${encodeURIComponent(path)}`;

function status(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

async function call(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(text.trim() || `HTTP ${res.status}`);
  return text;
}

/** "d\tname" / "f\tname" lines -> a list, folders first */
async function listInto(path, container) {
  const text = await call(api('list', path));
  const ul = document.createElement('ul');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const kind = line.slice(0, 1);
    const name = line.slice(2);
    const full = path === '/' ? `/${name}` : `${path}/${name}`;
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.className = 'link';
    b.textContent = kind === 'd' ? `${name}/` : name;
    b.dataset.path = full;
    b.onclick = () => (kind === 'd' ? toggle(li, full) : openFile(full));
    li.append(b);
    ul.append(li);
  }
  container.append(ul);
}

async function toggle(li, path) {
  const open = li.querySelector('ul');
  if (open) return open.remove();
  try { await listInto(path, li); } catch (e) { status(e.message, true); }
}

async function loadRoots() {
  const tree = $('tree');
  tree.textContent = '';
  const roots = (await call('cgi-bin/files?op=roots')).split('\n').filter(Boolean);
  if (roots.length === 0) tree.textContent = 'no folders are mounted into this session';
  for (const root of roots) {
    const div = document.createElement('div');
    const b = document.createElement('button');
    b.className = 'link';
    b.textContent = `${root}/`;
    b.dataset.path = root;
    b.onclick = () => toggle(div, root);
    div.append(b);
    tree.append(div);
    await listInto(root, div);
  }
}

async function openFile(path) {
  $('path').value = path;
  try {
    $('content').value = await call(api('read', path));
    status(`opened ${path}`);
  } catch (e) { status(e.message, true); }
}

async function save() {
  const path = $('path').value.trim();
  try {
    await call(api('write', path), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: $('content').value });
    status(`saved ${path}`);
    await loadRoots();
  } catch (e) { status(e.message, true); }
}

$('open').onclick = () => openFile($('path').value.trim());
$('save').onclick = save;
$('note').onclick = () => {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  $('path').value = `/share/note-${stamp}.txt`;
  $('content').value = '';
  $('content').focus();
  status('type your note, then Save');
};
loadRoots().catch((e) => status(e.message, true));
