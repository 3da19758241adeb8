package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	_ "github.com/lib/pq"
)

// pgCluster is a PostgreSQL cluster of the harness's own, on a free port in
// a temporary directory, so the faults never touch the machine's server.
type pgCluster struct {
	bin, dir string
	port     int
	cred     *syscall.Credential // initdb refuses to run as root
	log      string
}

// findPGBin finds the directory of initdb and pg_ctl: $PG_BIN, the newest
// /usr/lib/postgresql/*/bin, or $PATH.
func findPGBin() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errNoPostgres
}

var errNoPostgres = errors.New("chaos: no PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin, $PG_BIN or $PATH")

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startCluster(ctx context.Context, work string) (*pgCluster, error) {
	bin, err := findPGBin()
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: filepath.Join(work, "pgdata"), log: filepath.Join(work, "postgres.log")}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("chaos: running as root needs a postgres user for initdb: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(work, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := c.run(ctx, "initdb", "-D", c.dir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		return nil, fmt.Errorf("chaos: initdb: %v\n%s", err, out)
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	db, err := sql.Open("postgres", c.url("postgres"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE deskbot"); err != nil {
		return nil, fmt.Errorf("chaos: create database: %w", err)
	}
	return c, nil
}

func (c *pgCluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

func (c *pgCluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = os.TempDir()
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// start runs the server; fsync is off because the faults kill processes,
// not the machine, and the page cache survives a process.
func (c *pgCluster) start(ctx context.Context) error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=200", c.port, filepath.Dir(c.dir))
	out, err := c.run(ctx, "pg_ctl", "-D", c.dir, "-l", c.log, "-o", opts, "-w", "-t", "60", "start")
	if err != nil {
		return fmt.Errorf("chaos: pg_ctl start: %v\n%s", err, out)
	}
	return nil
}

// stop stops the server: mode "immediate" is a crash (recovery at the next
// start), "fast" a clean shutdown that cuts every connection.
func (c *pgCluster) stop(ctx context.Context, mode string) error {
	out, err := c.run(ctx, "pg_ctl", "-D", c.dir, "-m", mode, "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("chaos: pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func (c *pgCluster) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.stop(ctx, "immediate")
}
