package function_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
)

// deps builds functions without reaching AWS: nothing is called at build.
func deps() function.Deps {
	return function.Deps{Table: "t", Bus: "b", Operator: "platform", Now: time.Now, NewID: ids.New,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

type minter struct{ function.Minter }

// build is what the local stack does for each function of the registry;
// the mains call the same Builds (TestEveryMainBuildsItsOwnFunction).
func build(fn registry.Function) (http *httpapi.Handler, built string) {
	d := deps()
	switch {
	case fn.Name == routes.FunctionSwitch:
		return function.Switch(d, function.Tokens{Minter: minter{}}), "Switch"
	case len(fn.Routes()) > 0:
		return function.HTTP(fn.Name, d), "HTTP"
	case fn.Name == registry.FunctionAudit:
		function.Audit(d)
		return nil, "Audit"
	case fn.Name == registry.FunctionSync:
		function.Sync(d)
		return nil, "Sync"
	case fn.Name == registry.FunctionCleanup:
		function.Cleanup(d)
		return nil, "Cleanup"
	}
	return nil, ""
}

// TestEveryFunctionHasItsBuild: each function of the registry is built by
// one Build, which for an HTTP function serves its routes and honours
// Idempotency-Key exactly where the registry says.
func TestEveryFunctionHasItsBuild(t *testing.T) {
	for _, fn := range registry.Functions {
		h, built := build(fn)
		if built == "" {
			t.Errorf("function %s: no Build", fn.Name)
			continue
		}
		if len(fn.Routes()) == 0 {
			continue
		}
		if got := h.Idempotent(); got != fn.Idempotent {
			t.Errorf("function %s: handler honours Idempotency-Key = %v, registry says %v", fn.Name, got, fn.Idempotent)
		}
	}
}

// TestHTTPRefusesWhatItDoesNotBuild: the switch and the consumers have Builds
// of their own; an unknown name is a programming error.
func TestHTTPRefusesWhatItDoesNotBuild(t *testing.T) {
	for _, name := range []string{routes.FunctionSwitch, registry.FunctionAudit, registry.FunctionCleanup, "nope"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("function.HTTP(%q) built something", name)
				}
			}()
			function.HTTP(name, deps())
		}()
	}
}

// TestEveryMainBuildsItsOwnFunction: each main loads its own environment and
// starts, untouched, the handler of the Build the local stack calls for it —
// with its own name — so no main differs from what the local stack runs.
// (The layering test keeps mains from importing the packages they could
// build a function from by hand.)
func TestEveryMainBuildsItsOwnFunction(t *testing.T) {
	names := functionNames(t)
	for _, fn := range registry.Functions {
		_, want := build(fn)
		path := filepath.Join("..", "..", fn.Package, "main.go")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var loads, starts []string
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch qualified(call.Fun) {
			case "wiring.Load":
				loads = append(loads, names[qualified(call.Args[0])])
			case "lambda.Start":
				starts = append(starts, started(call.Args[0], names))
			}
			if s, ok := call.Fun.(*ast.SelectorExpr); ok && (s.Sel.Name == "WithIdempotency" || s.Sel.Name == "WithKeys") {
				t.Errorf("function %s: its main calls %s itself; the Build decides it", fn.Name, s.Sel.Name)
			}
			return true
		})
		wantStart := "function." + want
		if want == "HTTP" {
			wantStart += "(" + fn.Name + ")"
		}
		if strings.Join(loads, ",") != fn.Name || strings.Join(starts, ",") != wantStart {
			t.Errorf("%s: loads %v and starts %v, want the environment of %s and %s(…).Handle", path, loads, starts, fn.Name, wantStart)
		}
	}
}

// started names what a main gives lambda.Start when it is
// function.<Build>(…).Handle: "function.Audit", "function.HTTP(tenants)".
func started(arg ast.Expr, names map[string]string) string {
	sel, ok := arg.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Handle" {
		return "something else"
	}
	build, ok := sel.X.(*ast.CallExpr)
	if !ok {
		return "something else"
	}
	name := qualified(build.Fun)
	if name == "function.HTTP" {
		name += "(" + names[qualified(build.Args[0])] + ")"
	}
	return name
}

func qualified(e ast.Expr) string {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	x, ok := s.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return x.Name + "." + s.Sel.Name
}

// functionNames maps "routes.FunctionTenants" to "tenants" and
// "registry.FunctionAudit" to "audit", from the source of both packages.
func functionNames(t *testing.T) map[string]string {
	names := map[string]string{}
	for pkg, file := range map[string]string{"registry": "registry.go", "routes": "routes.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", pkg, file), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range g.Specs {
				v, ok := spec.(*ast.ValueSpec)
				if !ok || len(v.Values) != len(v.Names) {
					continue
				}
				for i, n := range v.Names {
					if lit, ok := v.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(n.Name, "Function") {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							names[pkg+"."+n.Name] = s
						}
					}
				}
			}
		}
	}
	return names
}
