package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/web"
)

// BuiltConsole is where `make console` leaves the console's build.
func BuiltConsole() (string, error) {
	if _, err := os.Stat(filepath.Join(web.DistDir, "index.html")); err != nil {
		return "", fmt.Errorf("%s/index.html is missing: run `make console` first", web.DistDir)
	}
	return web.DistDir, nil
}

// ConsoleConfig wires the console.
type ConsoleConfig struct {
	Params *Params
	// Dir holds the built console (index.html, assets/).
	Dir  string
	Prod bool
}

// Console is the web console in AWS: a private bucket (no public access,
// TLS only, read by CloudFront alone through origin access control), a
// CloudFront distribution that sends the console's security headers — the
// same Content-Security-Policy as the local stack — and answers the page for
// every console route, and the deployments of the build and of the config
// document naming the API and the identity provider.
type Console struct {
	constructs.Construct
	Bucket awss3.Bucket
	// Logs keeps the bucket's server access logs and the distribution's
	// standard logs (90 days).
	Logs         awss3.Bucket
	Headers      awscloudfront.ResponseHeadersPolicy
	Routing      awscloudfront.Function
	Distribution awscloudfront.Distribution
	Assets       awss3deployment.BucketDeployment
	Page         awss3deployment.BucketDeployment
	DeployLogs   awslogs.LogGroup
	// Origin is the distribution's origin, https://<domain>: the API's CORS
	// origin.
	Origin *string

	cfg ConsoleConfig
}

// consoleRouting serves index.html for the console's routes (the page routes
// itself), keeps the assets and the config document as they are, and sends
// the bare host to the console.
const consoleRouting = `function handler(event) {
  var uri = event.request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/console/assets/') !== 0 && uri !== '/console/config.json') {
    event.request.uri = '/console/index.html';
  }
  return event.request;
}`

// NewConsole creates the bucket and the distribution; Deploy adds the build
// once the API it calls exists (the API's CORS names the distribution).
func NewConsole(scope constructs.Construct, id string, cfg ConsoleConfig) *Console {
	c := constructs.NewConstruct(scope, jsii.String(id))
	con := &Console{Construct: c, cfg: cfg}
	removal := awscdk.RemovalPolicy_DESTROY
	if cfg.Prod {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	// CloudFront's standard logs are written with ACLs: the log bucket lets
	// the writer own its objects (and stays private).
	con.Logs = awss3.NewBucket(c, jsii.String("Logs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:   awss3.ObjectOwnership_OBJECT_WRITER,
		RemovalPolicy:     removal,
		LifecycleRules:    &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(90))}},
	})
	suppress(con.Logs, suppression{rule: "AwsSolutions-S1", reason: "The access-log bucket itself: logging its own access would log the logging."})
	con.Bucket = awss3.NewBucket(c, jsii.String("Bucket"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:          removal,
		ServerAccessLogsBucket: con.Logs,
		ServerAccessLogsPrefix: jsii.String("s3/"),
	})
	// The API cannot be named here (it names the distribution for CORS):
	// its regional execute-api host, the identity provider's origin and any
	// origins the deployer adds.
	issuerHost := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), cfg.Params.JwtIssuer.ValueAsString(), nil))
	apiHosts := "https://*.execute-api." + *awscdk.Aws_REGION() + ".amazonaws.com"
	csp := web.ContentSecurityPolicy(apiHosts, "https://"+*issuerHost, *cfg.Params.ConsoleOrigins.ValueAsString())
	con.Headers = awscloudfront.NewResponseHeadersPolicy(c, jsii.String("Headers"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Switchboard console: CSP and security headers"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{ContentSecurityPolicy: jsii.String(csp), Override: jsii.Bool(true)},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)),
				IncludeSubdomains: jsii.Bool(true), Override: jsii.Bool(true)},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions:       &awscloudfront.ResponseHeadersFrameOptions{FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true)},
			ReferrerPolicy:     &awscloudfront.ResponseHeadersReferrerPolicy{ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_NO_REFERRER, Override: jsii.Bool(true)},
		},
	})
	con.Routing = awscloudfront.NewFunction(c, jsii.String("Routing"), &awscloudfront.FunctionProps{
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(consoleRouting)),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
		Comment: jsii.String("Switchboard console: the page for every console route"),
	})
	con.Distribution = awscloudfront.NewDistribution(c, jsii.String("Distribution"), &awscloudfront.DistributionProps{
		Comment: jsii.String("Switchboard console"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(con.Bucket, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: con.Headers,
			Compress:              jsii.Bool(true),
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				Function: con.Routing, EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST}},
		},
		HttpVersion:            awscloudfront.HttpVersion_HTTP2_AND_3,
		MinimumProtocolVersion: awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021,
		PriceClass:             awscloudfront.PriceClass_PRICE_CLASS_100,
		EnableLogging:          jsii.Bool(true),
		LogBucket:              con.Logs,
		LogFilePrefix:          jsii.String("cloudfront/"),
	})
	suppress(con.Distribution,
		suppression{rule: "AwsSolutions-CFR1", reason: "The console's users are partners' and customers' administrators anywhere; the API they call decides who may do what, not the viewer's country."},
		suppression{rule: "AwsSolutions-CFR2", reason: "The distribution serves static, fingerprinted assets only; every request that matters goes to the API (JWT authorizer, stage throttling). A web ACL can be attached per deployment policy (docs/deploy.md)."},
		suppression{rule: "AwsSolutions-CFR4", reason: "The default *.cloudfront.net certificate, whose security policy CloudFront fixes; MinimumProtocolVersion TLSv1.2_2021 takes effect with a custom domain and ACM certificate (docs/deploy.md)."})
	con.Origin = jsii.String("https://" + *con.Distribution.DistributionDomainName())
	return con
}

// Deploy uploads the build under console/: the fingerprinted assets cached
// for good, then index.html and config.json never cached, naming apiURL and
// the identity provider; the distribution forgets the old page.
func (con *Console) Deploy(apiURL *string) {
	retention := awslogs.RetentionDays_TWO_WEEKS
	if con.cfg.Prod {
		retention = awslogs.RetentionDays_THREE_MONTHS
	}
	con.DeployLogs = awslogs.NewLogGroup(con.Construct, jsii.String("DeployLogs"), &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: awscdk.RemovalPolicy_DESTROY})
	prefix := jsii.String(web.BasePath[1:]) // console/
	con.Assets = awss3deployment.NewBucketDeployment(con.Construct, jsii.String("Assets"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket:    con.Bucket,
		DestinationKeyPrefix: prefix,
		Sources:              &[]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(con.cfg.Dir), &awss3assets.AssetOptions{Exclude: jsii.Strings("index.html")})},
		CacheControl:         &[]awss3deployment.CacheControl{awss3deployment.CacheControl_SetPublic(), awss3deployment.CacheControl_MaxAge(awscdk.Duration_Days(jsii.Number(365))), awss3deployment.CacheControl_Immutable()},
		// Old assets stay: a page loaded before a deployment still finds them.
		Prune:    jsii.Bool(false),
		LogGroup: con.DeployLogs,
	})
	doc := map[string]any{}
	b, _ := json.Marshal(web.Config{ // strings only: it always marshals
		Mode:           web.ModeOIDC,
		APIURL:         *apiURL,
		Issuer:         *con.cfg.Params.JwtIssuer.ValueAsString(),
		ClientID:       *con.cfg.Params.ConsoleClientID.ValueAsString(),
		Scope:          *con.cfg.Params.ConsoleScope.ValueAsString(),
		OperatorTenant: *con.cfg.Params.OperatorTenant.ValueAsString(),
	})
	_ = json.Unmarshal(b, &doc)
	con.Page = awss3deployment.NewBucketDeployment(con.Construct, jsii.String("Page"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket:    con.Bucket,
		DestinationKeyPrefix: prefix,
		Sources: &[]awss3deployment.ISource{
			awss3deployment.Source_Asset(jsii.String(con.cfg.Dir), &awss3assets.AssetOptions{Exclude: jsii.Strings("assets", "assets/*")}),
			awss3deployment.Source_JsonData(jsii.String(web.ConfigPath), doc, nil),
		},
		CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_NoCache()},
		Prune:             jsii.Bool(false),
		Distribution:      con.Distribution,
		DistributionPaths: jsii.Strings(web.BasePath+"index.html", web.BasePath+web.ConfigPath),
		LogGroup:          con.DeployLogs,
	})
	// The page names the assets: they are there before it is.
	con.Page.Node().AddDependency(con.Assets)
	// The deployments run in the CDK's own singleton function at the stack's
	// root: its runtime, managed policy and asset-bucket permissions are
	// the CDK's.
	if fn := awscdk.Stack_Of(con.Construct).Node().TryFindChild(jsii.String(bucketDeploymentHandler)); fn != nil {
		suppress(fn,
			suppression{rule: "AwsSolutions-L1", reason: "The CDK's BucketDeployment handler; its runtime is the CDK release's (aws-cdk-lib pinned in go.mod)."},
			suppression{rule: "AwsSolutions-IAM4", reason: "The CDK's BucketDeployment handler logs with AWSLambdaBasicExecutionRole (CloudWatch Logs writes only).",
				appliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}},
			suppression{rule: "AwsSolutions-IAM5", reason: "The CDK's BucketDeployment handler copies the build from the CDK asset bucket into the console bucket and invalidates the distribution: the CDK grants these object-level actions on those two buckets."})
	}
}

// bucketDeploymentHandler is the id the CDK gives BucketDeployment's
// singleton function (its fixed UUID).
const bucketDeploymentHandler = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C"
