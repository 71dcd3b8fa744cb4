// Gives the shared library a soname so programs link against the ABI major
// version (libhsession.so.0), not against the unversioned dev symlink.
fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhsession.so.{major}");
    println!("cargo:rerun-if-changed=build.rs");
}
