package hsession

// #include "hsession.h"
import "C"

// resultName is the library's name for a code ("HSESSION_CONNECT"), or ""
// for a code the loaded library does not know. Tests hold the Code
// constants to it.
func resultName(c Code) string {
	p := C.hsession_result_name(C.hsession_result(c))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}
