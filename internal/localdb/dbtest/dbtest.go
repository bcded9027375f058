// Package dbtest gives tests a DynamoDB: DynamoDB Local, through the real
// SDK. `make test` starts one instance for the whole run and names it in
// SWITCHBOARD_TEST_DYNAMODB; a test binary run on its own (`go test ./x`)
// starts one for itself, which dies with it. Each test gets tables of its
// own, deleted when it ends, so tests and packages run side by side.
package dbtest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/store"
)

// EnvEndpoint names a running DynamoDB for the tests to use.
const EnvEndpoint = "SWITCHBOARD_TEST_DYNAMODB"

var (
	once     sync.Once
	endpoint string
	startErr error
	tables   atomic.Int64
)

// Endpoint answers the tests' DynamoDB endpoint, starting DynamoDB Local
// the first time when the environment names none.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if e := os.Getenv(EnvEndpoint); e != "" {
			endpoint = e
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		s, err := localdb.Start(ctx, localdb.Options{Progress: func(line string) { fmt.Fprintln(os.Stderr, "dbtest:", line) }})
		if err != nil {
			startErr = err
			return
		}
		// The server lives as long as this test binary: the kernel stops it
		// when the process ends.
		endpoint = s.URL
	})
	if startErr != nil {
		t.Fatalf("no DynamoDB for the tests: %v", startErr)
	}
	return endpoint
}

// Table creates a table with Switchboard's definition under a name no other
// test uses, and deletes it when the test ends. opts go to the client, e.g.
// a request meter.
func Table(t testing.TB, opts ...func(*dynamodb.Options)) (*dynamodb.Client, string) {
	t.Helper()
	return TableAt(t, Endpoint(t), opts...)
}

// TableAt is Table on another endpoint in front of the tests' DynamoDB,
// such as a fault proxy.
func TableAt(t testing.TB, endpoint string, opts ...func(*dynamodb.Options)) (*dynamodb.Client, string) {
	t.Helper()
	db := localdb.Client(endpoint, opts...)
	name := Name(t)
	if err := store.EnsureTable(context.Background(), db, name); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	return db, name
}

var unsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// Name answers a table name unique to this test in this run, for code that
// creates the table itself (the local stack); the table is deleted when the
// test ends.
func Name(t testing.TB) string {
	t.Helper()
	n := unsafe.ReplaceAllString(t.Name(), "-")
	if len(n) > 120 {
		n = n[:120]
	}
	name := fmt.Sprintf("%s-%d-%d", n, os.Getpid(), tables.Add(1))
	ep := Endpoint(t)
	t.Cleanup(func() {
		_, _ = localdb.Client(ep).DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}
