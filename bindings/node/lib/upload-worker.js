'use strict';
// The worker thread behind streamed request bodies (lib/upload.js). The
// library reads such a body through hsession_body_read_callback on a
// thread of its blocking pool, and the function must return the bytes
// there and then; koffi runs a JS callback on the thread that registered
// it and holds the calling thread meanwhile. Registered on the main thread
// it could not wait for a stream that the main thread itself feeds, so it
// is registered here: this thread blocks (Atomics.wait) until the main
// thread has put the next chunk into the upload's shared slot, and the
// main thread's event loop runs on.
//
// A slot is a SharedArrayBuffer: Int32 state, length, offset, then the
// bytes. The main thread moves EMPTY -> FULL | END | FAIL; this thread
// moves FULL -> EMPTY once it has copied everything out.

const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const koffi = require('koffi');
const { SLOT } = require('./upload-slot');

const { port } = workerData;
const uploads = new Map(); // id -> { ctl, data }

function take(msg) {
  if (msg.drop) uploads.delete(msg.id);
  else uploads.set(msg.id, { ctl: new Int32Array(msg.sab, 0, SLOT.HEADER / 4), data: new Uint8Array(msg.sab, SLOT.HEADER) });
}
port.on('message', take);

// Returns bytes copied, 0 at the end, -1 to fail the request (HSESSION_IO).
// An exception would reach the library as 0, the end of the body, so none
// may escape.
function read(id, buf, cap) {
  try {
    let u = uploads.get(id);
    // The upload was announced before the request started: its message is
    // queued on the port if the event loop has not delivered it yet.
    while (u === undefined) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) return -1;
      take(m.message);
      u = uploads.get(id);
    }
    const { ctl, data } = u;
    for (;;) {
      const state = Atomics.load(ctl, SLOT.STATE);
      if (state === SLOT.EMPTY) {
        Atomics.wait(ctl, SLOT.STATE, SLOT.EMPTY);
        continue;
      }
      if (state !== SLOT.FULL) {
        uploads.delete(id);
        return state === SLOT.END ? 0 : -1;
      }
      const off = ctl[SLOT.OFFSET];
      const n = Math.min(Number(cap), ctl[SLOT.LENGTH] - off);
      if (n <= 0) return -1;
      new Uint8Array(koffi.view(buf, n)).set(data.subarray(off, off + n));
      if (off + n === ctl[SLOT.LENGTH]) {
        ctl[SLOT.OFFSET] = 0;
        Atomics.compareExchange(ctl, SLOT.STATE, SLOT.FULL, SLOT.EMPTY);
        Atomics.notify(ctl, SLOT.STATE);
      } else {
        ctl[SLOT.OFFSET] = off + n;
      }
      return n;
    }
  } catch {
    return -1;
  }
}

const ReadProto = koffi.proto('int64_t hsession_node_body_read(uintptr_t user_data, void *buf, size_t cap)');
const fn = koffi.register(read, koffi.pointer(ReadProto));
parentPort.postMessage({ read: fn });
