package devstack

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/store"
)

// Database says where the stack keeps its table.
type Database struct {
	// Endpoint is a DynamoDB to use: one started by hand, a container, or a
	// real table's regional endpoint. "" starts DynamoDB Local as a child
	// process, stopped with the stack.
	Endpoint string
	// AWS is the SDK configuration for Endpoint (region and credentials from
	// the usual AWS environment); nil uses the static local credentials
	// DynamoDB Local accepts.
	AWS *aws.Config
	// Table is the table's name, TableName when empty. It is created from
	// the definition the CDK stack deploys when it is missing.
	Table string
	// DataDir keeps a started DynamoDB Local's data on disk there, so it
	// survives a restart; "" runs it in memory.
	DataDir string
	// CacheDir is where DynamoDB Local is fetched to; "" is
	// localdb.CacheDir().
	CacheDir string
	// Progress receives what the start is doing (fetching, starting, ready).
	Progress func(string)
}

// openDatabase starts or reaches the database, makes sure the table exists,
// and answers how to build clients of it.
func (s *Stack) openDatabase(ctx context.Context, db Database) (func(...func(*dynamodb.Options)) *dynamodb.Client, error) {
	s.Table = db.Table
	if s.Table == "" {
		s.Table = TableName
	}
	endpoint := db.Endpoint
	if endpoint == "" {
		local, err := localdb.Start(ctx, localdb.Options{CacheDir: db.CacheDir, DataDir: db.DataDir, Progress: db.Progress})
		if err != nil {
			return nil, err
		}
		s.Local, endpoint = local, local.URL
	}
	s.Endpoint = endpoint
	clientFor := func(opts ...func(*dynamodb.Options)) *dynamodb.Client {
		if db.AWS == nil {
			return localdb.Client(endpoint, opts...)
		}
		all := append([]func(*dynamodb.Options){func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }}, opts...)
		return dynamodb.NewFromConfig(*db.AWS, all...)
	}
	s.DynamoDB = clientFor()
	if err := store.EnsureTable(ctx, s.DynamoDB, s.Table); err != nil {
		s.Close()
		return nil, fmt.Errorf("table %s at %s: %w", s.Table, endpoint, err)
	}
	return clientFor, nil
}
