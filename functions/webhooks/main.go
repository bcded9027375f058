// Command webhooks is the webhooks Lambda: it serves the routes the route table gives
// httpapi.FunctionWebhooks.
package main

import (
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() { wiring.ServeHTTP(httpapi.FunctionWebhooks) }
