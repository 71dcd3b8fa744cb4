package hsession

// The package links the installed library, found by pkg-config: `make
// install` (PREFIX=/usr/local by default) writes hsession.pc, whose Libs
// carry an rpath to the library, so programs run with no LD_LIBRARY_PATH.
// For another PREFIX, set PKG_CONFIG_PATH=PREFIX/lib/pkgconfig. When the
// build fails with "Package hsession was not found in the pkg-config search
// path", libhsession is not installed (or PKG_CONFIG_PATH misses it): build
// and install it from the hsession repository with `make install`.

// #cgo pkg-config: hsession
import "C"
