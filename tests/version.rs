//! The header's version macros and hsession_version() match Cargo.toml.

use std::ffi::CStr;

#[test]
fn header_and_library_versions_match_cargo_toml() {
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/hsession.h"))
            .unwrap();
    let define = |name: &str| -> String {
        let prefix = format!("#define {name} ");
        let line = header
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{name} missing from the header"));
        line[prefix.len()..].trim().trim_matches('"').to_owned()
    };
    assert_eq!(define("HSESSION_VERSION"), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        define("HSESSION_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        define("HSESSION_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        define("HSESSION_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    assert_eq!(
        define("HSESSION_ABI_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    let lib = unsafe { CStr::from_ptr(hsession::ffi::hsession_version()) };
    assert_eq!(lib.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        hsession::ffi::hsession_abi_version().to_string(),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
}
