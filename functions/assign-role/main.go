// Command assign-role is the assign-role Lambda: it serves the routes the route table gives
// httpapi.FunctionAssignRole.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionAssignRole) }
