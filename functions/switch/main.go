// Command switch is the switch Lambda: the tenant switcher's targets, the
// RFC 8693 token exchange signed with KMS, and the JWKS that verifies it.
package main

import (
	"context"
	"log"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/token"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	env, err := wiring.Require(wiring.EnvSigningKeys, wiring.EnvTokenIssuer, wiring.EnvTokenAudience)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := token.NewKMSSigner(kms.NewFromConfig(cfg), strings.Split(env[wiring.EnvSigningKeys], ","))
	if err != nil {
		log.Fatal(err)
	}
	issuer := token.NewIssuer(signer)
	parts, err := wiring.Build(cfg, func(c *tenancy.Config) {
		c.Minter, c.TokenIssuer, c.TokenAudience = issuer, env[wiring.EnvTokenIssuer], env[wiring.EnvTokenAudience]
	})
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(httpapi.New(parts.Service, httpapi.FunctionSwitch, parts.Log).WithKeys(issuer).WithIdempotency(parts.Store).Handle)
}
