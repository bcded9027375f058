// Command offboard is the offboard Lambda: it serves the routes the route table gives
// httpapi.FunctionOffboard.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionOffboard) }
