package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/deskbot/deskbot/bot"
	"github.com/deskbot/deskbot/email"
	"github.com/deskbot/deskbot/webhook"
)

// Every outbox kind that any code declares or enqueues has a transport
// that claims and delivers it. A kind nobody claims is never delivered
// and never fails either: digests once waited in the outbox forever.
// The kinds are read from the source (every domain.Outbox* constant, and
// the Kind of every OutboxMessage built anywhere), so a new kind without
// a dispatcher fails here.
func TestEveryOutboxKindIsDelivered(t *testing.T) {
	consts := map[string]string{} // domain constant name → value
	used := map[string]string{}   // kind → where it is enqueued
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inDomain := filepath.Dir(path) == "domain"
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if inDomain && strings.HasPrefix(name.Name, "Outbox") && i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			case *ast.CompositeLit:
				if !isOutboxMessage(n.Type) {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "Kind") {
						used[kindName(kv.Value)] = fset.Position(kv.Pos()).String()
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	delivered := append(append(bot.OutboxKinds(), email.OutboxKinds()...), webhook.OutboxKinds()...)
	for name, value := range consts {
		if !slices.Contains(delivered, value) {
			t.Errorf("outbox kind domain.%s (%q) has no dispatcher", name, value)
		}
	}
	for kind, where := range used {
		value, ok := consts[kind]
		if !ok {
			value = kind // a string literal
		}
		if !slices.Contains(delivered, value) {
			t.Errorf("%s enqueues outbox kind %s, which no dispatcher claims", where, kind)
		}
	}
	// The scan itself must see what is known to be there.
	for _, k := range []string{"OutboxDigest", "OutboxCard", "OutboxSlackPost", "OutboxEmail", "OutboxWebhook"} {
		if _, ok := used[k]; !ok {
			t.Errorf("the scan found no code enqueueing %s", k)
		}
	}
}

func isOutboxMessage(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return e.Sel.Name == "OutboxMessage"
	case *ast.Ident:
		return e.Name == "OutboxMessage"
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// kindName is the constant a Kind is set to, or the literal's value.
func kindName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.Ident:
		return e.Name
	case *ast.BasicLit:
		s, _ := strconv.Unquote(e.Value)
		return s
	}
	return "an expression"
}
