// Package localdb serves DynamoDB in process for the local stack and tests:
// minidyn's DynamoDB-compatible server on a loopback port, reached through the
// real AWS SDK over HTTP, so the store runs exactly the code it runs in AWS.
package localdb

import (
	"context"
	"fmt"
	"net"
	"net/http"
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
	http *http.Server
	ln   net.Listener
}

// Start listens on a free loopback port and serves DynamoDB there.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for local DynamoDB: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), ln: ln,
		http: &http.Server{Handler: server.NewServer(), ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

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
