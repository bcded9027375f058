package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/internal/registry"
)

// APIConfig wires the API.
type APIConfig struct {
	Params    *Params
	Functions *Functions
	Prod      bool

	// PortalOrigin is the console's origin, the one CORS allows.
	PortalOrigin *string
}

// API is the HTTP API: every route of the route table, each with the JWT
// authorizer except the public JWKS, throttled, with access logs and CORS for
// the admin portal.
type API struct {
	constructs.Construct
	API        awsapigatewayv2.HttpApi
	Stage      awsapigatewayv2.HttpStage
	Authorizer awsapigatewayv2authorizers.HttpJwtAuthorizer
	AccessLogs awslogs.LogGroup
}

// Throttling of the default stage: steady requests per second and burst.
const (
	apiRateLimit  = 500
	apiBurstLimit = 1000
)

// NewAPI creates it from the registry's routes.
func NewAPI(scope constructs.Construct, id string, cfg APIConfig) *API {
	c := constructs.NewConstruct(scope, jsii.String(id))
	a := &API{Construct: c}
	a.API = awsapigatewayv2.NewHttpApi(c, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("Switchboard"),
		CreateDefaultStage: jsii.Bool(false),
		CorsPreflight: &awsapigatewayv2.CorsPreflightOptions{
			AllowOrigins: &[]*string{cfg.PortalOrigin},
			AllowMethods: &[]awsapigatewayv2.CorsHttpMethod{awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST, awsapigatewayv2.CorsHttpMethod_DELETE},
			AllowHeaders: jsii.Strings("Authorization", "Content-Type", "Idempotency-Key"),
			MaxAge:       awscdk.Duration_Hours(jsii.Number(1)),
		},
	})
	a.Stage = awsapigatewayv2.NewHttpStage(c, jsii.String("Stage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    a.API,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle:   &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(apiRateLimit), BurstLimit: jsii.Number(apiBurstLimit)},
	})
	retention := awslogs.RetentionDays_TWO_WEEKS
	if cfg.Prod {
		retention = awslogs.RetentionDays_THREE_MONTHS
	}
	a.AccessLogs = awslogs.NewLogGroup(c, jsii.String("AccessLogs"), &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: awscdk.RemovalPolicy_DESTROY})
	a.Stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: a.AccessLogs.LogGroupArn(),
		Format: jsii.String(`{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime",` +
			`"route":"$context.routeKey","status":"$context.status","latency":"$context.responseLatency",` +
			`"integrationLatency":"$context.integrationLatency","tenant":"$context.authorizer.claims.tid","user":"$context.authorizer.claims.sub",` +
			`"error":"$context.error.message","authorizerError":"$context.authorizer.error"}`),
	})
	a.Authorizer = awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("Jwt"), cfg.Params.JwtIssuer.ValueAsString(),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{JwtAudience: &[]*string{cfg.Params.JwtAudience.ValueAsString()}})
	for _, rf := range registry.Functions {
		routes := rf.Routes()
		if len(routes) == 0 {
			continue
		}
		integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(rf.Name+"Integration"), cfg.Functions.ByName[rf.Name], nil)
		for _, r := range routes {
			opts := &awsapigatewayv2.AddRoutesOptions{
				Path:        jsii.String(r.Path),
				Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
				Integration: integration,
				Authorizer:  a.Authorizer,
			}
			if r.Public {
				opts.Authorizer = awsapigatewayv2.NewHttpNoneAuthorizer()
			}
			for _, route := range *a.API.AddRoutes(opts) {
				if r.Public {
					suppress(route, suppression{rule: "AwsSolutions-APIG4",
						reason: "A public route of the route table (the JWKS): verifiers fetch the public keys without credentials"})
				}
			}
		}
	}
	return a
}
