package hsession

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestCodesMatchTheLibrary checks that errors.go declares one Code constant
// for every result code the library names, each set from the C constant of
// that name, so a code added to the library cannot be missing here.
func TestCodesMatchTheLibrary(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" || len(vs.Values) != 1 {
				continue
			}
			if sel, ok := vs.Values[0].(*ast.SelectorExpr); ok {
				declared[sel.Sel.Name] = true
			}
		}
	}
	var library []string
	for c := Code(0); c < 1000; c++ {
		name := resultName(c)
		if name == "" {
			break
		}
		library = append(library, name)
		if !declared[name] {
			t.Errorf("errors.go has no Code constant for %s (%d)", name, c)
		}
		delete(declared, name)
	}
	if len(library) < 20 {
		t.Fatalf("the library names only %d codes", len(library))
	}
	for name := range declared {
		if strings.HasPrefix(name, "HSESSION_") {
			t.Errorf("errors.go declares %s, which the library does not name", name)
		}
	}
}
