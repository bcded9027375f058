// Command accept is the accept Lambda: it serves the routes the route table gives
// httpapi.FunctionAccept.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionAccept) }
