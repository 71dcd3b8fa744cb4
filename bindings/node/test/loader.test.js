'use strict';
// Where the package finds libhsession (lib/native.js), as installed in an
// app outside this repository: HSESSION_LIB when set, else the platform
// package (@hsession/linux-x64-gnu), else the installed libhsession.so.0;
// a failure names only the places that apply.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { ROOT } = require('./helpers');

const PKG = path.resolve(__dirname, '..');
const BUILT = path.join(ROOT, 'target', 'release', 'libhsession.so');
const PLATFORM = '@hsession/linux-x64-gnu';
const onThisPlatform = process.platform === 'linux' && process.arch === 'x64';

/** An app dir with hsession (and koffi) in node_modules; with `platform`, the platform package too. */
function app(platform) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsession-loader-'));
  const mods = path.join(dir, 'node_modules');
  const dst = path.join(mods, 'hsession');
  fs.mkdirSync(dst, { recursive: true });
  for (const f of ['package.json', 'index.js', 'index.mjs', 'lib']) fs.cpSync(path.join(PKG, f), path.join(dst, f), { recursive: true });
  fs.symlinkSync(path.join(PKG, 'node_modules', 'koffi'), path.join(mods, 'koffi'));
  if (platform) {
    const p = path.join(mods, PLATFORM);
    fs.cpSync(path.join(PKG, 'npm', 'linux-x64-gnu'), p, { recursive: true });
    fs.copyFileSync(BUILT, path.join(p, 'libhsession.so'));
  }
  return dir;
}

function load(dir, envLib, ldPath) {
  const env = { ...process.env };
  delete env.HSESSION_LIB;
  delete env.LD_LIBRARY_PATH;
  if (envLib !== undefined) env.HSESSION_LIB = envLib;
  if (ldPath !== undefined) env.LD_LIBRARY_PATH = ldPath;
  const code = "try { const h = require('hsession'); console.log('OK ' + h.libraryPath + ' ' + h.version()) } catch (e) { console.log(e.code + ' ' + e.message) }";
  return execFileSync(process.execPath, ['-e', code], { cwd: dir, env, encoding: 'utf8' }).trim();
}

function systemHasLibrary() {
  const env = { ...process.env };
  delete env.LD_LIBRARY_PATH;
  const code = `require(${JSON.stringify(path.join(PKG, 'node_modules', 'koffi'))}).load('libhsession.so.0')`;
  return spawnSync(process.execPath, ['-e', code], { env }).status === 0;
}

const opts = { skip: !onThisPlatform && 'the platform package is for linux-x64' };

test('the platform package supplies the library', opts, () => {
  const dir = app(true);
  try {
    assert.equal(load(dir), `OK ${path.join(fs.realpathSync(dir), 'node_modules', PLATFORM, 'libhsession.so')} 0.1.0`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('HSESSION_LIB overrides the platform package; a bad one names only itself', opts, () => {
  const dir = app(true);
  try {
    assert.equal(load(dir, BUILT), `OK ${BUILT} 0.1.0`);
    const out = load(dir, path.join(dir, 'missing.so'));
    assert.match(out, /^HSESSION_LIB_NOT_FOUND hsession: cannot load libhsession: HSESSION_LIB is set/);
    assert.ok(out.includes(path.join(dir, 'missing.so')));
    assert.ok(!out.includes('target/release') && !out.includes(PLATFORM), out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without the platform package: the installed libhsession.so.0, and an error that says so', opts, () => {
  if (systemHasLibrary()) return; // installed system-wide here: it would load
  const dir = app(false);
  try {
    const out = load(dir);
    assert.match(out, /^HSESSION_LIB_NOT_FOUND /);
    assert.ok(out.includes(`${PLATFORM} is not installed`) && out.includes('libhsession.so.0') && out.includes('make install'), out);
    assert.ok(!out.includes('target/release') && !out.includes('cargo build'), out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without the platform package, the system loader finds libhsession.so.0', opts, () => {
  // target/release holds the soname link, as an install's lib directory does.
  const dir = app(false);
  try {
    assert.equal(load(dir, undefined, path.dirname(BUILT)), 'OK libhsession.so.0 0.1.0');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
