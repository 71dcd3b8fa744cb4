module github.com/hsession/hsession/bindings/go

go 1.24
