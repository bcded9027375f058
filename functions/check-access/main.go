// Command check-access is the check-access Lambda: it serves the routes the route table gives
// httpapi.FunctionCheckAccess.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionCheckAccess) }
