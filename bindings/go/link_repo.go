//go:build !hsession_pkgconfig

package hsession

// By default the package links the library built in this repository
// (cargo build --release), found at run time through an rpath.

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../target/release -lhsession -Wl,-rpath,${SRCDIR}/../../target/release
import "C"
