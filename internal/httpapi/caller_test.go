package httpapi

import (
	"testing"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// TestCallerNamesItsClient: the OAuth client of the identity-provider token
// (RFC 9068 client_id, else OpenID Connect azp, else Entra ID v1 appid)
// becomes the caller's Client, which switch tokens carry as client_id.
func TestCallerNamesItsClient(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims map[string]string
		want   string
	}{
		{"client_id", map[string]string{"client_id": "cli", "azp": "web"}, "cli"},
		{"azp", map[string]string{"azp": "web", "appid": "old"}, "web"},
		{"appid", map[string]string{"appid": "old"}, "old"},
		{"none", map[string]string{}, ""},
		{"blank", map[string]string{"client_id": " ", "azp": "web"}, "web"},
	} {
		tc.claims["sub"], tc.claims["tid"] = "tom", "northwind"
		ev := lambdaevents.APIGatewayV2HTTPRequest{RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{
			Authorizer: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: tc.claims}}}}
		c, err := callerOf(ev)
		if err != nil || c.Client != tc.want {
			t.Errorf("%s: callerOf(%v).Client = %q (%v), want %q", tc.name, tc.claims, c.Client, err, tc.want)
		}
	}
}
