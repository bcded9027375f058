// Command tenants is the tenants Lambda: it serves the routes the route table gives
// httpapi.FunctionTenants.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionTenants) }
