'use strict';
// The C ABI called directly through @2060.io/ffi-napi (the maintained fork of
// ffi-napi), without the koffi-based package: hsession_new, set_header,
// hsession_get (blocking; fine for a script), reading status, a header and
// the body, and the error detail of a failed call.
//   node examples/raw-abi-ffi-napi.js http://127.0.0.1:PORT
const path = require('node:path');
const ffi = require('@2060.io/ffi-napi');
const ref = require('@2060.io/ref-napi');

const libPath = process.env.HSESSION_LIB || path.resolve(__dirname, '..', '..', '..', 'target', 'release', 'libhsession.so');
const voidPtr = ref.refType(ref.types.void);
const voidPtrPtr = ref.refType(voidPtr);
const sizeT = ref.types.size_t;

const lib = ffi.Library(libPath, {
  hsession_version: ['string', []],
  hsession_new: ['uint32', [voidPtrPtr, voidPtrPtr]],
  hsession_free: ['void', [voidPtr]],
  hsession_set_header: ['uint32', [voidPtr, 'string', 'string', voidPtrPtr]],
  hsession_get: ['uint32', [voidPtr, 'string', voidPtrPtr, voidPtrPtr]],
  hsession_response_status: ['uint16', [voidPtr]],
  hsession_response_header: ['uint32', [voidPtr, 'string', sizeT, voidPtrPtr, ref.refType(sizeT)]],
  hsession_response_body: ['uint32', [voidPtr, voidPtrPtr, ref.refType(sizeT)]],
  hsession_response_free: ['void', [voidPtr]],
  hsession_result_str: ['string', ['uint32']],
  hsession_error_message: ['string', [voidPtr]],
  hsession_error_url: ['string', [voidPtr]],
  hsession_error_free: ['void', [voidPtr]],
});

function bytes(ptrOut, lenOut) {
  const len = lenOut.deref();
  return ref.reinterpret(ptrOut.deref(), len, 0);
}

function main(base) {
  console.log('libhsession', lib.hsession_version());
  const sOut = ref.alloc(voidPtr);
  if (lib.hsession_new(sOut, null) !== 0) throw new Error('hsession_new failed');
  const s = sOut.deref();
  lib.hsession_set_header(s, 'User-Agent', 'ffi-napi/1.0', null);

  const rOut = ref.alloc(voidPtr);
  const errOut = ref.alloc(voidPtr);
  let rc = lib.hsession_get(s, `${base}/json`, rOut, errOut);
  if (rc !== 0) throw new Error(lib.hsession_result_str(rc));
  const r = rOut.deref();
  const valPtr = ref.alloc(voidPtr);
  const valLen = ref.alloc(sizeT);
  lib.hsession_response_header(r, 'content-type', 0, valPtr, valLen);
  const bodyPtr = ref.alloc(voidPtr);
  const bodyLen = ref.alloc(sizeT);
  lib.hsession_response_body(r, bodyPtr, bodyLen);
  console.log('status', lib.hsession_response_status(r), 'content-type', bytes(valPtr, valLen).toString());
  console.log('body', bytes(bodyPtr, bodyLen).toString()); // copied by toString before the free below
  lib.hsession_response_free(r);

  // A failure: the error object carries the code, a message and the URL
  // without the credentials (redacted by the library).
  rc = lib.hsession_get(s, 'http://user:secret@127.0.0.1:1/', rOut, errOut);
  const err = errOut.deref();
  console.log('error', lib.hsession_result_str(rc), '|', lib.hsession_error_message(err), '|', lib.hsession_error_url(err));
  lib.hsession_error_free(err);
  lib.hsession_free(s);
}

main(process.argv[2] || process.env.HSESSION_URL);
