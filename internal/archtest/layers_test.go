package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/deskbot/deskbot"

// inner are the layers that must know no transport: the use cases, the
// domain, storage, the mail package the use cases read mail with, and
// the export file's format and mappers.
var inner = []string{"./commands/...", "./domain/...", "./storage/...", "./mail/...", "./backup/..."}

// transports are the packages that talk to the outside world: Slack, the
// mail servers and clients, the ticket page. Each entry is a path or a
// path prefix (its subpackages count).
var transports = []string{
	module + "/bot",
	module + "/email",
	module + "/portal",
	module + "/webhook",
	// The issue trackers' clients and webhooks: the use cases reach them
	// through commands.IssueTracker only.
	module + "/tracker",
	"gitlab.com/gitlab-org/api/client-go",
	"github.com/slack-go/slack",
	"github.com/emersion/go-smtp",
	"github.com/emersion/go-imap",
	"github.com/wneessen/go-mail",
}

// TestUseCasesKnowNoTransport fails when a package of an inner layer
// imports a transport, directly or through another package, and names
// the chain of imports that links it.
func TestUseCasesKnowNoTransport(t *testing.T) {
	pkgs := listDeps(t, inner...)
	for _, root := range pkgs {
		if root.DepOnly || root.Standard {
			continue
		}
		if chain := transportChain(pkgs, root.ImportPath); chain != nil {
			t.Errorf("%s imports the transport %s (%s): use cases, domain, storage and mail know no transport",
				root.ImportPath, chain[len(chain)-1], strings.Join(chain, " → "))
		}
	}
}

// TestLayerCheckSeesTransports proves the check above can fail: the entry
// point wires every transport, so it must be found importing them.
func TestLayerCheckSeesTransports(t *testing.T) {
	pkgs := listDeps(t, ".")
	chain := transportChain(pkgs, module)
	if chain == nil {
		t.Fatalf("the main package links no transport: the layer check sees nothing")
	}
}

// TestBackupIsPure: the export format and the other helpdesks' mappers
// are plain functions over bytes, importing the standard library only —
// no SQL, no deskbot layer — so storage and the command line both use
// them and they test (and fuzz) without a database.
func TestBackupIsPure(t *testing.T) {
	pkgs := listDeps(t, "./backup/...")
	for _, p := range pkgs {
		if p.DepOnly || p.Standard {
			continue
		}
		for _, imp := range p.Imports {
			if dep := pkgs[imp]; dep == nil || !dep.Standard {
				t.Errorf("%s imports %s: backup imports the standard library only", p.ImportPath, imp)
			}
		}
	}
}

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
	DepOnly    bool
}

// listDeps runs go list -deps over patterns from the module's root:
// production imports only, since tests may use transports' helpers.
func listDeps(t *testing.T, patterns ...string) map[string]*pkg {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list imports: %v", err)
	}
	cmd := exec.Command(goBin, append([]string{"list", "-deps", "-json=ImportPath,Imports,Standard,DepOnly"}, patterns...)...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: unable to decode its output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs
}

// transportChain is the shortest chain of imports from root to a
// transport, or nil.
func transportChain(pkgs map[string]*pkg, root string) []string {
	from := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if path != root && isTransport(path) {
			chain := []string{path}
			for p := from[path]; p != ""; p = from[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return chain
		}
		p := pkgs[path]
		if p == nil {
			continue
		}
		for _, imp := range p.Imports {
			if _, seen := from[imp]; !seen {
				from[imp] = path
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

func isTransport(path string) bool {
	for _, t := range transports {
		if path == t || strings.HasPrefix(path, t+"/") {
			return true
		}
	}
	return false
}
