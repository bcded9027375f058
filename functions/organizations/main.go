// Command organizations is the organizations Lambda: it serves the routes the route table gives
// httpapi.FunctionOrganizations.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionOrganizations) }
