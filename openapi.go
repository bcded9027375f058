// Package switchboard holds what belongs to the whole repository: the API's
// OpenAPI document, embedded so that the local stack can serve it.
package switchboard

import _ "embed"

// OpenAPI is openapi.yaml, the contract of every route.
//
//go:embed openapi.yaml
var OpenAPI []byte
