// Package schema is the table's shape as data: its key attributes, its TTL
// attribute and its global secondary indexes. The store keys its items on
// these names and infra creates the table from them, so the table the CDK
// deploys is the table the code expects — and infra reads them without
// linking the store or the SDK.
package schema

// Attribute and index names.
const (
	AttrPK     = "PK"
	AttrSK     = "SK"
	AttrGSI1PK = "GSI1PK"
	AttrGSI1SK = "GSI1SK"
	AttrGSI2PK = "GSI2PK"
	AttrGSI2SK = "GSI2SK"
	AttrGSI3PK = "GSI3PK"
	AttrGSI3SK = "GSI3SK"
	AttrGSI4PK = "GSI4PK"
	AttrGSI4SK = "GSI4SK"
	// AttrTTL holds an epoch-seconds expiry for items DynamoDB may delete.
	AttrTTL = "ttl"

	IndexGSI1 = "GSI1"
	IndexGSI2 = "GSI2"
	IndexGSI3 = "GSI3"
	IndexGSI4 = "GSI4"
)

// Index describes a global secondary index of the table.
type Index struct {
	Name, PartitionKey, SortKey string
}

// Indexes are the table's GSIs, all projecting every attribute.
var Indexes = []Index{
	{Name: IndexGSI1, PartitionKey: AttrGSI1PK, SortKey: AttrGSI1SK},
	{Name: IndexGSI2, PartitionKey: AttrGSI2PK, SortKey: AttrGSI2SK},
	{Name: IndexGSI3, PartitionKey: AttrGSI3PK, SortKey: AttrGSI3SK},
	{Name: IndexGSI4, PartitionKey: AttrGSI4PK, SortKey: AttrGSI4SK},
}
