// Package localdb serves DynamoDB in process for the local stack and tests:
// minidyn's DynamoDB-compatible server on a loopback port, reached through the
// real AWS SDK over HTTP, so the store runs exactly the code it runs in AWS.
package localdb

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/switchboard/switchboard/internal/store"
)

// Server is a running in-process DynamoDB.
type Server struct {
	URL  string
	mini *server.Server
	http *http.Server
	ln   net.Listener

	mu       sync.Mutex
	failNext int
	failCode string
}

// Start listens on a free loopback port and serves DynamoDB there.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for local DynamoDB: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln, mini: server.NewServer()}
	s.http = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fail := s.failNext > 0
	code := s.failCode
	if fail {
		s.failNext--
	}
	s.mu.Unlock()
	if fail {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"emulated %s"}`, code, code)
		return
	}
	s.mini.ServeHTTP(w, r)
}

// FailNext makes the next n requests fail with the DynamoDB error code (for
// example ThrottlingException, which the SDK retries) before they reach the
// store: fault drills for the local stack and its tests.
func (s *Server) FailNext(n int, code string) {
	s.mu.Lock()
	s.failNext, s.failCode = n, code
	s.mu.Unlock()
}

// Emulator answers minidyn's own failure switches (EmulateFailure,
// EmulateUnprocessedItems).
func (s *Server) Emulator() *server.Server { return s.mini }

// Close stops the server.
func (s *Server) Close() error { return s.http.Close() }

// Client builds an SDK client for the server with static local credentials;
// opts are applied after, e.g. a request meter.
func (s *Server) Client(opts ...func(*dynamodb.Options)) *dynamodb.Client {
	cfg := aws.Config{
		Region:      "local",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	all := append([]func(*dynamodb.Options){func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.URL) }}, opts...)
	return dynamodb.NewFromConfig(cfg, all...)
}

// StartWithTable starts a server and creates the Switchboard table in it.
func StartWithTable(ctx context.Context, table string, opts ...func(*dynamodb.Options)) (*Server, *dynamodb.Client, error) {
	s, err := Start()
	if err != nil {
		return nil, nil, err
	}
	db := s.Client(opts...)
	if err := store.EnsureTable(ctx, db, table); err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, db, nil
}
