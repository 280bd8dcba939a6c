package testservers

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresBinDir is the folder of the server binaries of Debian 12's
// postgresql package (PostgreSQL 15). Other major versions under
// /usr/lib/postgresql are used when 15 is missing.
const postgresBinDir = "/usr/lib/postgresql/15/bin"

// postgresStartupTimeout bounds the wait for a new server to accept
// connections. initdb and the first start take about a second on an idle
// machine; the rest is for a loaded CI host.
const postgresStartupTimeout = 60 * time.Second

// postgresStopTimeout bounds the wait for a fast shutdown before the server
// is killed.
const postgresStopTimeout = 30 * time.Second

// postgresSuperuser is the superuser that initdb creates. Authentication is
// "trust", so the server takes no password, and it listens on 127.0.0.1 only.
const postgresSuperuser = "scimdoctor"

// postgresDatabaseCounter makes the names of the databases that
// CreatePostgresDatabase creates unique within the test binary.
var postgresDatabaseCounter atomic.Int64

// StartPostgres creates a PostgreSQL cluster in a temporary folder (initdb,
// trust authentication, UTF-8), starts the server on a free 127.0.0.1 port
// with its Unix socket in the same folder and fsync off, waits until it
// accepts connections, creates an empty database and returns its URL,
// postgres://scimdoctor@127.0.0.1:PORT/NAME?sslmode=disable. The server is
// stopped and the folder removed when the test ends.
//
// initdb and postgres refuse to run as root, so a root test runs them as the
// user "postgres" (created by Debian's postgresql package), or "nobody"
// when that user is missing, in a folder owned by that user.
//
// The test fails when the binaries are missing or the server does not
// start, with the server's output in the message. Debian package postgresql
// contains the binaries, and scripts/install-test-deps.sh installs it.
func StartPostgres(t testing.TB) (dsn string) {
	t.Helper()
	bin := lookPostgres(t)
	dir, cred := postgresDir(t)

	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", postgresSuperuser,
		"--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	// The server's user may not be allowed into the test's folder.
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("testservers: initdb -D %s: %v: %s", data, err, strings.TrimSpace(string(out)))
	}

	var lastErr error
	for range 3 {
		addr := freePort(t)
		_, port, _ := net.SplitHostPort(addr)
		lastErr = runPostgres(t, bin, data, dir, port, cred)
		if lastErr == nil {
			admin := fmt.Sprintf("postgres://%s@%s/postgres?sslmode=disable", postgresSuperuser, addr)
			return CreatePostgresDatabase(t, admin)
		}
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}

// CreatePostgresDatabase creates a new, empty database on the server that
// dsn reaches (a URL as StartPostgres returns) and returns the URL of the
// new database. The database is left for the server's cleanup to remove.
func CreatePostgresDatabase(t testing.TB, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), postgresStartupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("testservers: connecting to PostgreSQL to create a database: %v", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("scimdoctor_test_%d", postgresDatabaseCounter.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testservers: CREATE DATABASE %s: %v", name, err)
	}
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("testservers: parsing PostgreSQL URL: %v", err)
	}
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", config.User, net.JoinHostPort(config.Host, strconv.Itoa(int(config.Port))), name)
}

// lookPostgres returns the folder of the PostgreSQL server binaries.
func lookPostgres(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(postgresBinDir, "postgres")); err == nil {
		return postgresBinDir
	}
	others, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(others) == 0 {
		t.Fatalf("testservers: PostgreSQL server binaries not found in %s or another /usr/lib/postgresql/*/bin; install Debian package postgresql (scripts/install-test-deps.sh does)", postgresBinDir)
	}
	// The newest major version sorts last once the numbers are compared
	// as numbers.
	sort.Slice(others, func(i, j int) bool { return postgresMajor(others[i]) < postgresMajor(others[j]) })
	return filepath.Dir(others[len(others)-1])
}

func postgresMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// postgresDir returns a new folder for the cluster, and the credential to
// run the server with: nil when the test does not run as root.
func postgresDir(t testing.TB) (string, *syscall.Credential) {
	t.Helper()
	if os.Geteuid() != 0 {
		return t.TempDir(), nil
	}

	// t.TempDir's parent folder is private to root, so the server's user
	// could not reach a folder inside it.
	account, err := user.Lookup("postgres")
	if err != nil {
		account, err = user.Lookup("nobody")
	}
	if err != nil {
		t.Fatalf("testservers: PostgreSQL refuses to run as root, and neither user postgres nor user nobody was found: %v; install Debian package postgresql, which creates user postgres", err)
	}
	uid, _ := strconv.Atoi(account.Uid)
	gid, _ := strconv.Atoi(account.Gid)
	dir, err := os.MkdirTemp("", "scimdoctor-postgres-")
	if err != nil {
		t.Fatalf("testservers: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatalf("testservers: giving %s to user %s: %v", dir, account.Username, err)
	}
	return dir, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// runPostgres starts the server on 127.0.0.1:port and waits until it
// accepts a login. The error of a server that exits or does not become ready
// carries its output, so the caller can retry with another port.
func runPostgres(t testing.TB, bin, data, socketDir, port string, cred *syscall.Credential) error {
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", socketDir, "-h", "127.0.0.1", "-p", port,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = socketDir
	var output strings.Builder
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	// SIGINT requests a fast shutdown: the server ends open sessions and
	// exits with its children.
	stop := func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(postgresStopTimeout):
			cmd.Process.Kill()
			<-exited
		}
	}

	dsn := fmt.Sprintf("postgres://%s@127.0.0.1:%s/postgres?sslmode=disable&connect_timeout=5", postgresSuperuser, port)
	deadline := time.Now().Add(postgresStartupTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("postgres -D %s -p %s exited before accepting connections: %s", data, port, strings.TrimSpace(output.String()))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			conn.Close(ctx)
			cancel()
			t.Cleanup(stop)
			return nil
		}
		cancel()
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return fmt.Errorf("postgres -D %s did not accept connections on 127.0.0.1:%s within %s: %s", data, port, postgresStartupTimeout, strings.TrimSpace(output.String()))
}
