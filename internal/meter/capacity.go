package meter

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Usage is what DynamoDB says calls consumed: items read and written, and
// the capacity units it reports (ReturnConsumedCapacity, which the meter
// asks for on every call it sees).
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

// askCapacity sets ReturnConsumedCapacity on the calls that take it.
func askCapacity(in any) {
	total := types.ReturnConsumedCapacityTotal
	switch x := in.(type) {
	case *dynamodb.GetItemInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.QueryInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.ScanInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.PutItemInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.BatchWriteItemInput:
		x.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		x.ReturnConsumedCapacity = total
	}
}

// usageOf reads one call's usage from its input and output.
func usageOf(in, out any) Usage {
	var u Usage
	read := func(c *types.ConsumedCapacity) {
		if c != nil && c.CapacityUnits != nil {
			u.ReadUnits += *c.CapacityUnits
		}
	}
	write := func(cs ...types.ConsumedCapacity) {
		for _, c := range cs {
			if c.CapacityUnits != nil {
				u.WriteUnits += *c.CapacityUnits
			}
		}
	}
	switch o := out.(type) {
	case *dynamodb.GetItemOutput:
		if o.Item != nil {
			u.ItemsRead = 1
		}
		read(o.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		u.ItemsRead = len(o.Items)
		read(o.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		u.ItemsRead = len(o.Items)
		read(o.ConsumedCapacity)
	case *dynamodb.PutItemOutput:
		u.ItemsWritten = 1
		if o.ConsumedCapacity != nil {
			write(*o.ConsumedCapacity)
		}
	case *dynamodb.UpdateItemOutput:
		u.ItemsWritten = 1
		if o.ConsumedCapacity != nil {
			write(*o.ConsumedCapacity)
		}
	case *dynamodb.DeleteItemOutput:
		u.ItemsWritten = 1
		if o.ConsumedCapacity != nil {
			write(*o.ConsumedCapacity)
		}
	case *dynamodb.BatchWriteItemOutput:
		if x, ok := in.(*dynamodb.BatchWriteItemInput); ok {
			for table, reqs := range x.RequestItems {
				u.ItemsWritten += len(reqs) - len(o.UnprocessedItems[table])
			}
		}
		write(o.ConsumedCapacity...)
	case *dynamodb.TransactWriteItemsOutput:
		// A transaction's units cover its condition checks too; DynamoDB
		// reports them together as write capacity.
		if x, ok := in.(*dynamodb.TransactWriteItemsInput); ok {
			for _, it := range x.TransactItems {
				if it.ConditionCheck == nil {
					u.ItemsWritten++
				}
			}
		}
		write(o.ConsumedCapacity...)
	}
	return u
}
