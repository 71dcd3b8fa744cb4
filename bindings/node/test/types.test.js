'use strict';
// index.d.ts against a typed usage file: `tsc --noEmit` (typescript is a dev
// dependency; skipped with a reason when it is not installed).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');

const fs = require('node:fs');

const tscBin = path.join(__dirname, '..', 'node_modules', '.bin', 'tsc');
const tsc = fs.existsSync(tscBin) ? tscBin : null;

test('index.d.ts type-checks typical use and rejects misuse', { skip: !tsc && 'typescript is not installed (npm ci installs it)' }, async () => {
  const out = await new Promise((resolve) => {
    execFile(tsc, ['-p', path.join(__dirname, 'types', 'tsconfig.json')], { timeout: 120000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, text: stdout + stderr })
    );
  });
  assert.equal(out.code, 0, out.text);
});
