// Command switch is the switch Lambda: the tenant switcher's targets, the
// RFC 8693 token exchange signed with KMS, and the JWKS that verifies it.
package main

import (
	"log"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/kmssign"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/token"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	cfg, err := wiring.LambdaConfig()
	if err != nil {
		log.Fatal(err)
	}
	env, err := wiring.Require(wiring.EnvSigningKeys, wiring.EnvTokenIssuer, wiring.EnvTokenAudience)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := kmssign.New(kms.NewFromConfig(cfg), strings.Split(env[wiring.EnvSigningKeys], ","))
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
	lambda.Start(httpapi.New(parts.Service, httpapi.FunctionSwitch, parts.Log).WithKeys(issuer).Handle)
}
