// Package lambdart is a local implementation of the Lambda Runtime API
// (2018-06-01) for one function's process: a bootstrap started with
// AWS_LAMBDA_RUNTIME_API set to Addr asks it for events (GET
// /runtime/invocation/next) and answers each (POST
// /runtime/invocation/{id}/response or /error), or reports that it could
// not start (POST /runtime/init/error), as it does inside Lambda. Invoke
// hands it one event and waits for the answer. The bootstrap test runs
// every function's real bootstrap under it; nothing of it is deployed.
package lambdart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// FunctionError is what a handler answered through /error.
type FunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// ErrInit: the bootstrap reported that it could not start.
var ErrInit = errors.New("the function failed to initialise")

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	arn      string
	done     chan result
}

type result struct {
	payload []byte
	err     error
}

// Server is the Runtime API of one function.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	queue   chan *invocation
	mu      sync.Mutex
	pending map[string]*invocation
	initErr error
	failed  chan struct{}
	once    sync.Once
	arn     string
}

// Start serves the Runtime API on a free loopback port for the function
// named name (its ARN is made up from it).
func Start(name string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, queue: make(chan *invocation), pending: map[string]*invocation{}, failed: make(chan struct{}),
		arn: "arn:aws:lambda:local:000000000000:function:" + name}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is what AWS_LAMBDA_RUNTIME_API is set to.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops serving; pending invocations fail.
func (s *Server) Close() error {
	s.Fail(errors.New("the runtime API closed"))
	return s.srv.Close()
}

// Fail ends every pending and later invocation with err: the process died.
func (s *Server) Fail(err error) {
	s.once.Do(func() {
		s.mu.Lock()
		if s.initErr == nil {
			s.initErr = err
		}
		s.mu.Unlock()
		close(s.failed)
	})
}

// Invoke sends payload as one event with requestID, the function having
// timeout to answer, and answers its response, or its error (a
// *FunctionError when the handler failed).
func (s *Server) Invoke(ctx context.Context, requestID string, payload []byte, timeout time.Duration) ([]byte, error) {
	inv := &invocation{id: requestID, payload: payload, deadline: time.Now().Add(timeout), arn: s.arn, done: make(chan result, 1)}
	ctx, cancel := context.WithTimeout(ctx, timeout+5*time.Second)
	defer cancel()
	s.mu.Lock()
	s.pending[requestID] = inv
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, requestID)
		s.mu.Unlock()
	}()
	select {
	case s.queue <- inv:
	case <-s.failed:
		return nil, s.failure()
	case <-ctx.Done():
		return nil, fmt.Errorf("invocation %s: the function never asked for it: %w", requestID, ctx.Err())
	}
	select {
	case r := <-inv.done:
		return r.payload, r.err
	case <-s.failed:
		return nil, s.failure()
	case <-ctx.Done():
		return nil, fmt.Errorf("invocation %s: no answer: %w", requestID, ctx.Err())
	}
}

func (s *Server) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr
}

// ServeHTTP is the Runtime API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		select {
		case inv := <-s.queue:
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
			h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
			h.Set("Content-Type", "application/json")
			_, _ = w.Write(inv.payload)
		case <-r.Context().Done():
		case <-s.failed:
			http.Error(w, "closed", http.StatusGone)
		}
	case r.Method == http.MethodPost && path == "init/error":
		var fe FunctionError
		_ = json.Unmarshal(body, &fe)
		s.Fail(fmt.Errorf("%w: %s", ErrInit, &fe))
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, what, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		s.mu.Lock()
		inv := s.pending[id]
		s.mu.Unlock()
		if inv == nil || (what != "response" && what != "error") {
			http.Error(w, "no such invocation", http.StatusBadRequest)
			return
		}
		res := result{payload: body}
		if what == "error" {
			fe := &FunctionError{}
			if err := json.Unmarshal(body, fe); err != nil {
				fe.Message = string(body)
			}
			res = result{err: fe}
		}
		select {
		case inv.done <- res:
		default: // answered twice: the first answer stands, as in Lambda
			http.Error(w, "already answered", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}
