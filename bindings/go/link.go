//go:build hsession_pkgconfig

package hsession

// With -tags hsession_pkgconfig the package links an installed library
// (make install PREFIX=...) found by pkg-config; set PKG_CONFIG_PATH to
// PREFIX/lib/pkgconfig, and LD_LIBRARY_PATH if PREFIX/lib is not searched.

// #cgo pkg-config: hsession
import "C"
