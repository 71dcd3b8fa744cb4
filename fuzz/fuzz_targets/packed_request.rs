//! Any bytes as a packed request (docs/packed-format.md): the parser
//! returns a request or an error, never panics or reads out of bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = ::hsession::ffi::packed::unpack_request(data) {
        let _ = format!("{req:?}");
    }
});
