'use strict';
// The binding's table of result codes against the library's own names
// (hsession_result_name): same numbers, same names, none missing.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { lib } = require('../lib/native');
const { CODES } = require('../lib/errors');

test('every result code of the library has its name at its number here', () => {
  const name = lib.func('const char *hsession_result_name(uint32_t code)');
  const library = [];
  for (let code = 0; code < 1000; code++) {
    const n = name(code);
    if (n === null) break;
    library.push(n.replace(/^HSESSION_/, ''));
  }
  assert.ok(library.length > 20, `only ${library.length} codes named`);
  assert.deepEqual(CODES, library);
});

test('every packed field tag here has the header’s number', () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const { TAG } = require('../lib/packed');
  const header = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'include', 'hsession.h'), 'utf8');
  const defined = Object.fromEntries(
    [...header.matchAll(/^#define HSESSION_PACKED_([A-Z_]+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  assert.ok(Object.keys(defined).length >= 20, 'the header defines the packed tags');
  for (const [name, tag] of Object.entries(TAG)) assert.equal(tag, defined[name], `TAG.${name}`);
});
