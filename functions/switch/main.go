// Command switch is the switch Lambda: the tenant switcher's targets, the
// RFC 8693 token exchange signed with KMS, and the JWKS that verifies it.
package main

import (
	"log"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/kmssign"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
	"github.com/switchboard/switchboard/internal/token"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	env, cfg, err := wiring.Load(routes.FunctionSwitch)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := kmssign.New(kms.NewFromConfig(cfg), strings.Split(env[registry.EnvSigningKeys], ","))
	if err != nil {
		log.Fatal(err)
	}
	tokens := function.Tokens{Minter: token.NewIssuer(signer), Issuer: env[registry.EnvTokenIssuer], Audience: env[registry.EnvTokenAudience]}
	lambda.Start(function.Switch(wiring.Deps(env, cfg), tokens).Handle)
}
