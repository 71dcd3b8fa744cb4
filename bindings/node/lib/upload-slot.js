'use strict';
// The shared slot through which the main thread hands a streamed request
// body to the upload worker (lib/upload.js, lib/upload-worker.js): Int32
// fields at the start of a SharedArrayBuffer, then up to BYTES of data.

const SLOT = {
  STATE: 0, // EMPTY, FULL, END or FAIL
  LENGTH: 1, // bytes in the slot
  OFFSET: 2, // bytes the worker has copied out so far
  HEADER: 16,
  BYTES: 256 * 1024,
  EMPTY: 0,
  FULL: 1,
  END: 2,
  FAIL: 3,
};

module.exports = { SLOT };
