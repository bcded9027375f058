package store

import (
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Usage estimates what DynamoDB charges for calls: items read and written
// and capacity units, from item sizes by DynamoDB's sizing rules (attribute
// names count; reads round up to 4 KB per strongly consistent read, half for
// eventually consistent; writes to 1 KB; transactions cost double). minidyn
// reports no consumed capacity, so the meter works it out from the requests.
type Usage struct {
	ItemsRead    int
	ItemsWritten int
	ReadUnits    float64
	WriteUnits   float64
}

func (u *Usage) add(o Usage) {
	u.ItemsRead += o.ItemsRead
	u.ItemsWritten += o.ItemsWritten
	u.ReadUnits += o.ReadUnits
	u.WriteUnits += o.WriteUnits
}

// ItemSize is an item's size as DynamoDB bills it.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return len(x.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	}
	return 0
}

func readUnits(bytes int, consistent bool) float64 {
	u := math.Max(1, math.Ceil(float64(bytes)/4096))
	if !consistent {
		return u / 2
	}
	return u
}

func writeUnits(bytes int) float64 { return math.Max(1, math.Ceil(float64(bytes)/1024)) }

// usageOf estimates one call from its input and output.
func usageOf(in, out any) Usage {
	var u Usage
	switch x := in.(type) {
	case *dynamodb.GetItemInput:
		if o, ok := out.(*dynamodb.GetItemOutput); ok {
			size := 0
			if o.Item != nil {
				u.ItemsRead, size = 1, ItemSize(o.Item)
			}
			u.ReadUnits = readUnits(size, aws.ToBool(x.ConsistentRead))
		}
	case *dynamodb.QueryInput:
		if o, ok := out.(*dynamodb.QueryOutput); ok {
			size := 0
			for _, it := range o.Items {
				size += ItemSize(it)
			}
			u.ItemsRead = len(o.Items)
			u.ReadUnits = readUnits(size, aws.ToBool(x.ConsistentRead))
		}
	case *dynamodb.PutItemInput:
		u.ItemsWritten, u.WriteUnits = 1, writeUnits(ItemSize(x.Item))
	case *dynamodb.DeleteItemInput:
		u.ItemsWritten, u.WriteUnits = 1, 1
	case *dynamodb.BatchWriteItemInput:
		for _, reqs := range x.RequestItems {
			for _, r := range reqs {
				u.ItemsWritten++
				if r.PutRequest != nil {
					u.WriteUnits += writeUnits(ItemSize(r.PutRequest.Item))
				} else {
					u.WriteUnits++
				}
			}
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range x.TransactItems {
			switch {
			case it.Put != nil:
				u.ItemsWritten++
				u.WriteUnits += 2 * writeUnits(ItemSize(it.Put.Item))
			case it.Delete != nil, it.Update != nil:
				u.ItemsWritten++
				u.WriteUnits += 2
			case it.ConditionCheck != nil:
				u.ReadUnits += 2
			}
		}
	}
	return u
}
