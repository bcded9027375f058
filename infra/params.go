package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Params are the deploy-time settings: CloudFormation parameters, so one
// synthesized template serves any account and identity provider.
type Params struct {
	JwtIssuer          awscdk.CfnParameter
	JwtAudience        awscdk.CfnParameter
	OperatorTenant     awscdk.CfnParameter
	TokenIssuer        awscdk.CfnParameter
	TokenAudience      awscdk.CfnParameter
	CleanupRateMinutes awscdk.CfnParameter

	// The console's OpenID Connect client at the identity provider (JwtIssuer).
	ConsoleClientID awscdk.CfnParameter
	ConsoleScope    awscdk.CfnParameter
	ConsoleOrigins  awscdk.CfnParameter
}

// NewParams declares the parameters.
func NewParams(stack awscdk.Stack) *Params {
	str := func(id, desc, def string) awscdk.CfnParameter {
		p := &awscdk.CfnParameterProps{Type: jsii.String("String"), Description: jsii.String(desc)}
		if def != "" {
			p.Default = jsii.String(def)
		}
		return awscdk.NewCfnParameter(stack, jsii.String(id), p)
	}
	return &Params{
		JwtIssuer:      str("JwtIssuer", "The identity provider's issuer URL (the iss of its tokens)", ""),
		JwtAudience:    str("JwtAudience", "The audience (aud) the identity provider puts in tokens for Switchboard", ""),
		OperatorTenant: str("OperatorTenant", "The platform operator's tenant id (the tid of its users)", ""),
		TokenIssuer:    str("SwitchTokenIssuer", "The iss of switch tokens", "https://switchboard"),
		TokenAudience:  str("SwitchTokenAudience", "The aud of switch tokens (what downstream services expect)", "switchboard-downstream"),
		CleanupRateMinutes: awscdk.NewCfnParameter(stack, jsii.String("CleanupRateMinutes"), &awscdk.CfnParameterProps{
			Type: jsii.String("Number"), Default: jsii.Number(60), MinValue: jsii.Number(1), MaxValue: jsii.Number(1440),
			Description: jsii.String("Minutes between cleanup runs (expiries, notices, outbox re-sends)")}),

		ConsoleClientID: str("ConsoleClientId", "The console's OpenID Connect client id at the identity provider (a public client: code + PKCE, redirect https://<console>/console/callback)", "switchboard-console"),
		ConsoleScope:    str("ConsoleScope", "The scopes the console asks for; the access token must carry JwtAudience", "openid profile"),
		ConsoleOrigins:  str("ConsoleConnectOrigins", "More origins the console may call, space-separated (an identity provider whose token endpoint is not on the issuer's origin)", " "),
	}
}
