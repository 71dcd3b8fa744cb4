// Gives the shared library a soname so programs link against the ABI major
// version (libhsession.so.0), not against the unversioned dev symlink.
fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libhsession.so.{major}");
    println!("cargo:rerun-if-changed=build.rs");
    soname_link(&major);
}

// Programs linked against target/release/libhsession.so (the Go binding's
// cgo flags) look for libhsession.so.MAJOR at run time, so the build
// directory gets that name as a symlink next to the library, as an install
// has. OUT_DIR is <profile dir>/build/<pkg>-<hash>/out; the link may dangle
// until the library is linked.
#[cfg(unix)]
fn soname_link(major: &str) {
    let Some(out) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let Some(profile) = std::path::Path::new(&out).ancestors().nth(3) else {
        return;
    };
    let link = profile.join(format!("libhsession.so.{major}"));
    if std::fs::symlink_metadata(&link).is_err() {
        let _ = std::os::unix::fs::symlink("libhsession.so", &link);
    }
}

#[cfg(not(unix))]
fn soname_link(_major: &str) {}
