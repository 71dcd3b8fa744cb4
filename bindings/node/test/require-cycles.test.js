'use strict';
// No file of lib/ (nor index.js) requires a module that, directly or
// through others, requires it back. Read from the files' text: every
// require('./…') or require('../…') that names a file of the package.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function jsFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...jsFiles(p));
    else if (/\.(c|m)?js$/.test(e.name)) out.push(p);
  }
  return out;
}

// The file a relative require names, as Node resolves it (x, x.js, x/index.js), or null.
function resolveLocal(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const p of [base, `${base}.js`, path.join(base, 'index.js')]) {
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  return null;
}

/** file -> the package files it requires (relative requires only; comments are not read as code). */
function requireGraph(files) {
  const graph = new Map();
  for (const f of files) {
    const src = fs
      .readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const deps = new Set();
    for (const m of src.matchAll(/\brequire\(\s*(['"])(\.{1,2}\/[^'"]*)\1\s*\)/g)) {
      const dep = resolveLocal(f, m[2]);
      assert.ok(dep, `${path.relative(root, f)} requires ${m[2]}, which is not a file`);
      deps.add(dep);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** The cycles a depth-first search meets, each as its nodes from where it was entered (empty: none; at least one if there is any). */
function cycles(graph) {
  const found = [];
  const state = new Map(); // undefined: not seen; 1: on the current path; 2: done
  const stack = [];
  function visit(n) {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) || []) {
      if (state.get(d) === 1) found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (state.get(d) === undefined) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  }
  for (const n of graph.keys()) if (state.get(n) === undefined) visit(n);
  return found;
}

test('the cycle finder finds a cycle and passes a tree', () => {
  assert.deepStrictEqual(
    cycles(
      new Map([
        ['a', new Set(['b'])],
        ['b', new Set(['c'])],
        ['c', new Set(['a'])],
      ])
    ),
    [['a', 'b', 'c', 'a']]
  );
  assert.deepStrictEqual(cycles(new Map([['a', new Set(['a'])]])), [['a', 'a']]);
  assert.deepStrictEqual(
    cycles(
      new Map([
        ['a', new Set(['b', 'c'])],
        ['b', new Set(['c'])],
        ['c', new Set()],
      ])
    ),
    []
  );
});

test('no require cycle among lib/ and index.js', () => {
  const files = [path.join(root, 'index.js'), ...jsFiles(path.join(root, 'lib'))];
  const graph = requireGraph(files);
  // The split's files are all read (a rename would otherwise pass unnoticed).
  for (const name of ['calls', 'body', 'response', 'options', 'cookies', 'session', 'native', 'packed', 'errors', 'fetch']) {
    assert.ok(graph.has(path.join(root, 'lib', `${name}.js`)), `lib/${name}.js is missing`);
  }
  const found = cycles(graph).map((c) => c.map((f) => path.relative(root, f)).join(' -> '));
  assert.deepStrictEqual(found, [], `require cycles:\n${found.join('\n')}`);
});
