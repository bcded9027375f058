package store

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// guarded marks DynamoDB failures that a retry later may cure — the service
// unavailable or throttling after the SDK's own retries, the network down —
// as tenancy.ErrUnavailable, so callers answer 503 with a retry hint
// instead of a bare 500. Every call of the store goes through it.
type guarded struct{ db DB }

func unavailable(err error) error {
	if err == nil || !transient(err) {
		return err
	}
	return fmt.Errorf("%w: %w", tenancy.ErrUnavailable, err)
}

func transient(err error) bool {
	var (
		api      smithy.APIError
		maxTries *retry.MaxAttemptsError
		netErr   net.Error
		tce      *types.TransactionCanceledException
	)
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
				return true
			}
		}
		return false
	}
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InternalServerError", "InternalFailure", "ServiceUnavailable", "ThrottlingException",
			"ProvisionedThroughputExceededException", "RequestLimitExceeded", "LimitExceededException":
			return true
		}
		return false
	}
	return errors.As(err, &maxTries) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

func (g guarded) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := g.db.GetItem(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := g.db.PutItem(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	out, err := g.db.DeleteItem(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := g.db.Query(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	out, err := g.db.TransactWriteItems(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	out, err := g.db.BatchWriteItem(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	out, err := g.db.BatchGetItem(ctx, in, o...)
	return out, unavailable(err)
}

func (g guarded) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := g.db.UpdateItem(ctx, in, o...)
	return out, unavailable(err)
}
