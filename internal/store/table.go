package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/store/schema"
)

// Index describes a global secondary index of the table.
type Index = schema.Index

// Indexes are the table's GSIs (internal/store/schema).
var Indexes = schema.Indexes

// CreateTableInput is the table definition (on-demand billing) for stacks that
// create the table through the API, such as the local one.
func CreateTableInput(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AttrSK), KeyType: types.KeyTypeRange},
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(AttrPK), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(AttrSK), AttributeType: types.ScalarAttributeTypeS},
		},
	}
	for _, ix := range Indexes {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(ix.PartitionKey), AttributeType: types.ScalarAttributeTypeS},
			types.AttributeDefinition{AttributeName: aws.String(ix.SortKey), AttributeType: types.ScalarAttributeTypeS})
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(ix.PartitionKey), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(ix.SortKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	return in
}

// TableDB is what EnsureTable calls.
type TableDB interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// EnsureTable creates the table unless it exists, from the definition the
// CDK stack deploys (keys, indexes, on-demand billing, TTL on AttrTTL), and
// waits until it is active. A table of that name without Switchboard's keys
// and indexes is an error, not something to write into.
func EnsureTable(ctx context.Context, db TableDB, name string) error {
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err == nil {
		return checkTable(desc.Table)
	}
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		return fmt.Errorf("describe table %s: %w", name, err)
	}
	out, err := db.CreateTable(ctx, CreateTableInput(name))
	if err != nil {
		var inUse *types.ResourceInUseException
		if !errors.As(err, &inUse) { // created meanwhile by another process
			return fmt.Errorf("create table %s: %w", name, err)
		}
	}
	if out == nil || out.TableDescription == nil || out.TableDescription.TableStatus != types.TableStatusActive {
		waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
			o.MinDelay = 100 * time.Millisecond
			o.MaxDelay = 5 * time.Second
		})
		if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 10*time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", name, err)
		}
	}
	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(AttrTTL), Enabled: aws.Bool(true)}}); err != nil {
		return fmt.Errorf("enable TTL on %s: %w", name, err)
	}
	return nil
}

// checkTable refuses an existing table without the keys and indexes the
// store queries.
func checkTable(t *types.TableDescription) error {
	name := aws.ToString(t.TableName)
	keys := func(schema []types.KeySchemaElement) (string, string) {
		var pk, sk string
		for _, k := range schema {
			if k.KeyType == types.KeyTypeHash {
				pk = aws.ToString(k.AttributeName)
			} else {
				sk = aws.ToString(k.AttributeName)
			}
		}
		return pk, sk
	}
	if pk, sk := keys(t.KeySchema); pk != AttrPK || sk != AttrSK {
		return fmt.Errorf("table %s has the keys (%s, %s), not Switchboard's (%s, %s)", name, pk, sk, AttrPK, AttrSK)
	}
	have := map[string][2]string{}
	for _, g := range t.GlobalSecondaryIndexes {
		pk, sk := keys(g.KeySchema)
		have[aws.ToString(g.IndexName)] = [2]string{pk, sk}
	}
	for _, ix := range Indexes {
		if have[ix.Name] != [2]string{ix.PartitionKey, ix.SortKey} {
			return fmt.Errorf("table %s lacks the index %s (%s, %s) Switchboard queries", name, ix.Name, ix.PartitionKey, ix.SortKey)
		}
	}
	return nil
}
