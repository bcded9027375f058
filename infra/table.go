package main

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/store/schema"
)

// Table is the single table, defined from the store's schema.
type Table struct {
	constructs.Construct
	Table awsdynamodb.TableV2
}

// NewTable creates it: on demand, point-in-time recovery, TTL; in production
// deletion protection and retained on stack deletion.
func NewTable(scope constructs.Construct, id string, prod bool) *Table {
	c := constructs.NewConstruct(scope, jsii.String(id))
	str := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}
	var gsis []*awsdynamodb.GlobalSecondaryIndexPropsV2
	for _, ix := range schema.Indexes {
		gsis = append(gsis, &awsdynamodb.GlobalSecondaryIndexPropsV2{IndexName: jsii.String(ix.Name), PartitionKey: str(ix.PartitionKey), SortKey: str(ix.SortKey)})
	}
	removal := awscdk.RemovalPolicy_DESTROY
	if prod {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	t := awsdynamodb.NewTableV2(c, jsii.String("Table"), &awsdynamodb.TablePropsV2{
		PartitionKey:           str(schema.AttrPK),
		SortKey:                str(schema.AttrSK),
		GlobalSecondaryIndexes: &gsis,
		Billing:                awsdynamodb.Billing_OnDemand(nil),
		TimeToLiveAttribute:    jsii.String(schema.AttrTTL),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(prod),
		RemovalPolicy:      removal,
	})
	return &Table{Construct: c, Table: t}
}

// Statement allows actions on the table and, when they include Query, on
// each of its indexes by name (no wildcard). The table has no stream, so no
// stream action is ever granted.
func (t *Table) Statement(actions []string) awsiam.PolicyStatement {
	resources := []*string{t.Table.TableArn()}
	if slices.Contains(actions, registry.ActionQuery) {
		for _, ix := range schema.Indexes {
			resources = append(resources, awscdk.Fn_Join(jsii.String(""), &[]*string{t.Table.TableArn(), jsii.String("/index/" + ix.Name)}))
		}
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(actions...), Resources: &resources})
}
