module example.com/hsession-install-test

go 1.24

require github.com/hsession/hsession/bindings/go v0.0.0

// scripts/test-install.sh puts a copy of bindings/go here, as a module
// download would hold it.
replace github.com/hsession/hsession/bindings/go => ./hsession-go
