// Command query is the query Lambda: it serves the routes the route table gives
// httpapi.FunctionQuery.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionQuery) }
