package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// RoleIndexBackfill counts what BackfillPartnerRoleIndex did.
type RoleIndexBackfill struct {
	Written int // partner roles given their index key
	Present int // partner roles that had it already
	Changed int // roles changed or removed while the backfill ran: run it again
}

// BackfillPartnerRoleIndex gives every partner-defined role written before
// the partner-roles index existed its GSI2 key, so the customer's role list
// (ListPartnerRoles) finds it. It is the upgrade step for such a table, run
// once the functions that write the key are deployed (a role saved since has
// it). Each write is conditioned on the role's version as scanned, so it is
// safe beside live traffic and can be repeated.
func BackfillPartnerRoleIndex(ctx context.Context, db Backfiller, table string) (RoleIndexBackfill, error) {
	var b RoleIndexBackfill
	var todo []roleItem
	err := scanTable(ctx, db, table, func(raw map[string]types.AttributeValue) error {
		it, partner, err := partnerRoleOf(raw)
		if err != nil || !partner {
			return err
		}
		if it.GSI2PK == partnerRolesPK(it.TenantID) {
			b.Present++
			return nil
		}
		todo = append(todo, it)
		return nil
	})
	if err != nil {
		return b, err
	}
	for _, it := range todo {
		ok, err := transact(ctx, db, types.TransactWriteItem{Update: &types.Update{TableName: &table, Key: key(it.PK, it.SK),
			UpdateExpression:         aws.String("SET #pk = :pk, #sk = :sk"),
			ConditionExpression:      aws.String(condVersion),
			ExpressionAttributeNames: map[string]string{"#pk": AttrGSI2PK, "#sk": AttrGSI2SK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk":   &types.AttributeValueMemberS{Value: partnerRolesPK(it.TenantID)},
				":sk":   &types.AttributeValueMemberS{Value: partnerRoleSK(it.DefinedBy, it.ID)},
				":prev": &types.AttributeValueMemberN{Value: fmt.Sprint(it.Version)},
			}}})
		if err != nil {
			return b, fmt.Errorf("%s %s: %w", it.PK, it.SK, err)
		}
		if ok {
			b.Written++
		} else {
			b.Changed++
		}
	}
	return b, nil
}

// partnerRoleOf decodes a custom role item and reports whether a partner
// defined it (the items that belong in the partner-roles index).
func partnerRoleOf(raw map[string]types.AttributeValue) (roleItem, bool, error) {
	var it roleItem
	if !strings.HasPrefix(str(raw[AttrPK]), "AUTHZ#") || !strings.HasPrefix(str(raw[AttrSK]), prefixRole) {
		return it, false, nil
	}
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return it, false, err
	}
	return it, it.DefinedBy != it.TenantID, nil
}
