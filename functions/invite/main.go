// Command invite is the invite Lambda: it serves the routes the route table gives
// httpapi.FunctionInvite.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionInvite) }
