// Package web holds what the Go side shares about the console in this folder
// (docs/console.md): where its build lands, the Content-Security-Policy every
// server of it sends, and the config document that tells the page which
// sign-in mode it runs in. The local stack serves the build with them; the
// CDK stack writes the same document and header for CloudFront.
package web

import "strings"

// DistDir is where `make console` (npm ci and build.mjs) writes the build,
// relative to the repository root: index.html and assets/.
const DistDir = "web/dist"

// BasePath is where the console lives, locally and behind CloudFront.
const BasePath = "/console/"

// ConfigPath is the config document's path under BasePath.
const ConfigPath = "config.json"

// Sign-in modes of the config document.
const (
	// ModeDev signs in through the local stack's POST /dev/token.
	ModeDev = "dev"
	// ModeOIDC signs in with OpenID Connect, authorization code + PKCE.
	ModeOIDC = "oidc"
)

// Config is /console/config.json, the one document the page reads before it
// signs anyone in.
type Config struct {
	Mode string `json:"mode"`
	// APIURL is the HTTP API's base URL; empty means the page's own origin.
	APIURL string `json:"apiUrl"`
	// OperatorTenant shows the operator's views to its people.
	OperatorTenant string `json:"operatorTenant,omitempty"`
	// OIDC mode: the identity provider and the console's client there.
	Issuer   string `json:"issuer,omitempty"`
	ClientID string `json:"clientId,omitempty"`
	Scope    string `json:"scope,omitempty"`
	// Dev mode: the demo seed's people, offered on the sign-in page.
	DemoUsers []DemoUser `json:"demoUsers,omitempty"`
}

// DemoUser is one person of the demo seed.
type DemoUser struct {
	Sub  string `json:"sub"`
	Tid  string `json:"tid"`
	Role string `json:"role"`
}

// ContentSecurityPolicy is the policy the console is served with: scripts and
// styles only from the console's own files (no inline code, no eval), no
// plugins, no framing, and requests only to the page's origin and the
// origins given (the API and the identity provider when they live elsewhere).
func ContentSecurityPolicy(connectOrigins ...string) string {
	connect := append([]string{"'self'"}, connectOrigins...)
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src " + strings.Join(connect, " "),
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}
