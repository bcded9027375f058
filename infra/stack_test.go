package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
	"github.com/switchboard/switchboard/internal/store/schema"
)

func TestMain(m *testing.M) {
	// This machine's Node.js is 20; jsii warns about it on every start.
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	// jsii.Close is not called: it races with the runtime's own reader
	// goroutine (the race detector reports it inside jsii-runtime-go), and the
	// node process ends with the test binary anyway.
	os.Exit(m.Run())
}

type resource struct {
	Type       string
	Properties map[string]any
}

// template is what the tests read of one stage's template.
type template struct {
	Resources  map[string]resource
	Conditions map[string]any
}

var (
	synthOnce sync.Once
	templates map[string]map[string]resource
	docs      map[string]template
	findings  map[string][]string // stage → cdk-nag errors and warnings
	synthErr  error
)

// synth builds both stages once (jsii starts a node process: seconds, not
// milliseconds), with a stand-in bootstrap per function: the template only
// sees the asset's hash, and `make build` is the build's own check.
func synth(t *testing.T) map[string]map[string]resource {
	t.Helper()
	synthOnce.Do(func() {
		assets := t.TempDir()
		// TempDir is removed when this first test ends; synthesis happens now.
		dirFor := func(fn registry.Function) (string, error) {
			dir := filepath.Join(assets, fn.Name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", err
			}
			return dir, os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("stand-in for "+fn.Name), 0o755)
		}
		// A stand-in console build: the template sees only its asset hash.
		consoleDir := func() (string, error) {
			dir := filepath.Join(assets, "console")
			if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
				return "", err
			}
			if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>"), 0o644); err != nil {
				return "", err
			}
			return dir, os.WriteFile(filepath.Join(dir, "assets", "main-X.js"), []byte("stand-in"), 0o644)
		}
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(assets, "cdk.out"))})
		CheckAWSSolutions(app)
		templates, docs = map[string]map[string]resource{}, map[string]template{}
		stacks := map[string]*SwitchboardStack{}
		findings = map[string][]string{}
		for _, stage := range []string{StageStaging, StageProd} {
			s, err := NewSwitchboardStack(app, stage, StackConfig{Stage: stage, AssetDir: dirFor, ConsoleDir: consoleDir})
			if err != nil {
				synthErr = err
				return
			}
			stacks[stage] = s
		}
		for stage, s := range stacks {
			raw, _ := json.Marshal(assertions.Template_FromStack(s.Stack, nil).ToJSON())
			var doc template
			if err := json.Unmarshal(raw, &doc); err != nil {
				synthErr = err
				return
			}
			templates[stage], docs[stage] = doc.Resources, doc
			ann := assertions.Annotations_FromStack(s.Stack)
			rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))
			for kind, found := range map[string]*[]*cxapi.SynthesisMessage{
				"error":   ann.FindError(jsii.String("*"), rule),
				"warning": ann.FindWarning(jsii.String("*"), rule),
			} {
				for _, m := range *found {
					findings[stage] = append(findings[stage], fmt.Sprintf("%s at %s: %v", kind, *m.Id, m.Entry.Data))
				}
			}
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	return templates
}

func ofType(res map[string]resource, typ string) map[string]resource {
	out := map[string]resource{}
	for id, r := range res {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

func TestTableMatchesTheStore(t *testing.T) {
	for stage, res := range synth(t) {
		tables := ofType(res, "AWS::DynamoDB::GlobalTable")
		if len(tables) != 1 {
			t.Fatalf("%s: %d tables, want 1", stage, len(tables))
		}
		for _, tbl := range tables {
			p := tbl.Properties
			if got := fmt.Sprint(p["KeySchema"]); got != fmt.Sprintf("[map[AttributeName:%s KeyType:HASH] map[AttributeName:%s KeyType:RANGE]]", schema.AttrPK, schema.AttrSK) {
				t.Errorf("%s: key schema %s", stage, got)
			}
			var gsis []string
			for _, g := range p["GlobalSecondaryIndexes"].([]any) {
				m := g.(map[string]any)
				ks := m["KeySchema"].([]any)
				gsis = append(gsis, fmt.Sprintf("%s:%s/%s", m["IndexName"], ks[0].(map[string]any)["AttributeName"], ks[1].(map[string]any)["AttributeName"]))
			}
			var want []string
			for _, ix := range schema.Indexes {
				want = append(want, fmt.Sprintf("%s:%s/%s", ix.Name, ix.PartitionKey, ix.SortKey))
			}
			sort.Strings(gsis)
			if !slices.Equal(gsis, want) {
				t.Errorf("%s: GSIs %v, want %v", stage, gsis, want)
			}
			if ttl := fmt.Sprint(p["TimeToLiveSpecification"]); ttl != fmt.Sprintf("map[AttributeName:%s Enabled:true]", schema.AttrTTL) {
				t.Errorf("%s: TTL %s", stage, ttl)
			}
			if p["BillingMode"] != "PAY_PER_REQUEST" {
				t.Errorf("%s: billing %v, want on demand", stage, p["BillingMode"])
			}
			replica := fmt.Sprint(p["Replicas"])
			if !strings.Contains(replica, "PointInTimeRecoveryEnabled:true") {
				t.Errorf("%s: point-in-time recovery is off: %s", stage, replica)
			}
			if prot := strings.Contains(replica, "DeletionProtectionEnabled:true"); prot != (stage == StageProd) {
				t.Errorf("%s: deletion protection %v", stage, prot)
			}
		}
	}
}

func TestFunctions(t *testing.T) {
	for stage, res := range synth(t) {
		fns := ofType(res, "AWS::Lambda::Function")
		named := 0
		for id, fn := range fns {
			p := fn.Properties
			if desc, _ := p["Description"].(string); strings.HasPrefix(desc, "Switchboard ") {
				named++
			} else {
				continue // CDK's own helpers (none expected)
			}
			if fmt.Sprint(p["Architectures"]) != "[arm64]" || p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" {
				t.Errorf("%s %s: %v %v %v, want arm64 provided.al2023 bootstrap", stage, id, p["Architectures"], p["Runtime"], p["Handler"])
			}
			if fmt.Sprint(p["TracingConfig"]) != "map[Mode:Active]" {
				t.Errorf("%s %s: tracing %v", stage, id, p["TracingConfig"])
			}
			if _, ok := p["LoggingConfig"].(map[string]any)["LogGroup"]; !ok {
				t.Errorf("%s %s: no log group of its own", stage, id)
			}
		}
		if named != len(registry.Functions) {
			t.Errorf("%s: %d functions, want the registry's %d", stage, named, len(registry.Functions))
		}
		for id, lg := range ofType(res, "AWS::Logs::LogGroup") {
			if lg.Properties["RetentionInDays"] == nil {
				t.Errorf("%s %s: log group without retention", stage, id)
			}
		}
	}
}

// TestRoutesAgreeWithTheLocalStack: the deployed API serves exactly the
// route table the local stack serves, every route behind the JWT authorizer
// but the public ones.
func TestRoutesAgreeWithTheLocalStack(t *testing.T) {
	for stage, res := range synth(t) {
		var got, want []string
		for id, r := range ofType(res, "AWS::ApiGatewayV2::Route") {
			key := r.Properties["RouteKey"].(string)
			got = append(got, key)
			auth := r.Properties["AuthorizationType"]
			route, _, _, _ := routes.Match(strings.SplitN(key, " ", 2)[0], strings.SplitN(key, " ", 2)[1])
			if route.Public && auth != "NONE" || !route.Public && auth != "JWT" {
				t.Errorf("%s %s (%s): authorization %v", stage, id, key, auth)
			}
		}
		for _, r := range routes.All {
			want = append(want, r.Key())
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: routes %v\nwant the route table's %v", stage, got, want)
		}
		if n := len(ofType(res, "AWS::ApiGatewayV2::Authorizer")); n != 1 {
			t.Errorf("%s: %d authorizers, want one JWT authorizer", stage, n)
		}
		for _, st := range ofType(res, "AWS::ApiGatewayV2::Stage") {
			if st.Properties["AccessLogSettings"] == nil || st.Properties["DefaultRouteSettings"] == nil {
				t.Errorf("%s: stage without access logs or throttling: %v", stage, st.Properties)
			}
		}
	}
}

func TestRulesAgreeWithTheCatalogue(t *testing.T) {
	for stage, res := range synth(t) {
		patterns := map[string]bool{}
		schedules := 0
		for id, r := range ofType(res, "AWS::Events::Rule") {
			if r.Properties["ScheduleExpression"] != nil {
				schedules++
			} else {
				b, _ := json.Marshal(r.Properties["EventPattern"])
				patterns[string(b)] = true
			}
			targets, _ := r.Properties["Targets"].([]any)
			if len(targets) == 0 {
				t.Errorf("%s %s: a rule without a target", stage, id)
			}
			for _, tg := range targets {
				m := tg.(map[string]any)
				if m["DeadLetterConfig"] == nil || m["RetryPolicy"] == nil {
					t.Errorf("%s %s: target without dead-letter queue or retry policy: %v", stage, id, m)
				}
			}
		}
		for _, rule := range events.Rules {
			var v any
			_ = json.Unmarshal([]byte(rule.Pattern), &v)
			b, _ := json.Marshal(v)
			if !patterns[string(b)] {
				t.Errorf("%s: no rule with the catalogue's pattern %s for %s", stage, b, rule.Name)
			}
		}
		if len(patterns) != len(events.Rules) || schedules != 1 {
			t.Errorf("%s: %d pattern rules and %d schedules, want %d and 1", stage, len(patterns), schedules, len(events.Rules))
		}
		if len(ofType(res, "AWS::Events::Archive")) != 1 {
			t.Errorf("%s: no archive for replay", stage)
		}
		queues := ofType(res, "AWS::SQS::Queue")
		dlqAlarms := 0
		for _, a := range ofType(res, "AWS::CloudWatch::Alarm") {
			if a.Properties["Namespace"] == "AWS/SQS" {
				dlqAlarms++
			}
		}
		if len(queues) == 0 || dlqAlarms != len(queues) {
			t.Errorf("%s: %d queues, %d queue alarms: every dead-letter queue needs its alarm", stage, len(queues), dlqAlarms)
		}
		for id, cfg := range ofType(res, "AWS::Lambda::EventInvokeConfig") {
			if cfg.Properties["DestinationConfig"] == nil {
				t.Errorf("%s %s: async invocations without an on-failure destination", stage, id)
			}
		}
	}
}

func TestSigningKey(t *testing.T) {
	for stage, res := range synth(t) {
		keys := ofType(res, "AWS::KMS::Key")
		if len(keys) != 1 {
			t.Fatalf("%s: %d keys, want 1", stage, len(keys))
		}
		for _, k := range keys {
			if k.Properties["KeySpec"] != "ECC_NIST_P256" || k.Properties["KeyUsage"] != "SIGN_VERIFY" {
				t.Errorf("%s: key %v/%v", stage, k.Properties["KeySpec"], k.Properties["KeyUsage"])
			}
		}
	}
}

// TestLeastPrivilege: no wildcard actions, no managed FullAccess policies,
// each function holds exactly the DynamoDB actions the registry derives for
// it (readers cannot write, the audit consumer only appends, nobody scans
// or reads a stream the table does not have), on the table and its indexes
// by name; only publishers may PutEvents, only the switch signs.
func TestLeastPrivilege(t *testing.T) {
	writes := []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
	never := []string{"dynamodb:Scan", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"}
	for stage, res := range synth(t) {
		roleOf := map[string]string{} // role logical id → function name
		for id, fn := range ofType(res, "AWS::Lambda::Function") {
			role := fmt.Sprint(fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0])
			for _, rf := range registry.Functions {
				if strings.HasPrefix(id, "Fn"+strings.ReplaceAll(rf.Name, "-", "")) {
					roleOf[role] = rf.Name
				}
			}
		}
		if len(roleOf) != len(registry.Functions) {
			t.Fatalf("%s: matched %d function roles, want %d", stage, len(roleOf), len(registry.Functions))
		}
		for _, tbl := range ofType(res, "AWS::DynamoDB::GlobalTable") {
			if tbl.Properties["StreamSpecification"] != nil {
				t.Errorf("%s: the table has a stream; these checks assume none", stage)
			}
		}
		dynamo := map[string][]string{} // function → its DynamoDB actions
		for id, pol := range ofType(res, "AWS::IAM::Policy") {
			roles := fmt.Sprint(pol.Properties["Roles"])
			fnName := ""
			for role, name := range roleOf {
				if strings.Contains(roles, role) {
					fnName = name
				}
			}
			rf, _ := registry.ByName(fnName)
			stmts := pol.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any)
			for _, s := range stmts {
				st := s.(map[string]any)
				var actions []string
				switch a := st["Action"].(type) {
				case string:
					actions = []string{a}
				case []any:
					for _, x := range a {
						actions = append(actions, x.(string))
					}
				}
				if resources := fmt.Sprint(st["Resource"]); strings.Contains(resources, "/index/*") {
					t.Errorf("%s %s: a wildcard over the table's indexes: %s", stage, id, resources)
				}
				for _, a := range actions {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("%s %s: wildcard action %s", stage, id, a)
					}
					if strings.HasPrefix(a, "dynamodb:") && fnName != "" {
						dynamo[fnName] = append(dynamo[fnName], a)
					}
					if slices.Contains(never, a) {
						t.Errorf("%s: %s may %s", stage, fnName, a)
					}
					if fnName != "" && rf.Table == registry.TableRead && slices.Contains(writes, a) {
						t.Errorf("%s: reader %s may %s", stage, fnName, a)
					}
					if a == "events:PutEvents" && fnName != "" && !rf.Publishes {
						t.Errorf("%s: %s may PutEvents but publishes nothing", stage, fnName)
					}
					if strings.HasPrefix(a, "kms:Sign") && !rf.Signs {
						t.Errorf("%s: %s may sign with KMS", stage, fnName)
					}
				}
			}
		}
		for _, rf := range registry.Functions {
			got := dynamo[rf.Name]
			slices.Sort(got)
			if !slices.Equal(got, rf.TableActions()) {
				t.Errorf("%s: %s may %v, want exactly %v", stage, rf.Name, got, rf.TableActions())
			}
		}
		if audit := dynamo["audit"]; slices.Contains(audit, "dynamodb:DeleteItem") || slices.Contains(audit, "dynamodb:Scan") || len(audit) == 0 {
			t.Errorf("%s: the audit consumer may %v, want only to append", stage, audit)
		}
		for id, role := range ofType(res, "AWS::IAM::Role") {
			if strings.Contains(fmt.Sprint(role.Properties["ManagedPolicyArns"]), "FullAccess") {
				t.Errorf("%s %s: a FullAccess managed policy", stage, id)
			}
		}
	}
}

func TestStagesDiffer(t *testing.T) {
	res := synth(t)
	retention := func(stage string) any {
		for _, t := range ofType(res[stage], "AWS::DynamoDB::GlobalTable") {
			_ = t
		}
		for _, lg := range ofType(res[stage], "AWS::Logs::LogGroup") {
			return lg.Properties["RetentionInDays"]
		}
		return nil
	}
	if reflect.DeepEqual(retention(StageStaging), retention(StageProd)) {
		t.Errorf("staging and prod keep logs equally long (%v)", retention(StageProd))
	}
}

// TestAWSSolutions: cdk-nag's AwsSolutions pack finds nothing that is not
// suppressed, with its reason, beside the resource it concerns.
func TestAWSSolutions(t *testing.T) {
	synth(t)
	for _, stage := range []string{StageStaging, StageProd} {
		for _, f := range findings[stage] {
			t.Errorf("%s: cdk-nag %s", stage, f)
		}
	}
}

// TestArchiveHasNoEmptyKey: the CDK writes KmsKeyIdentifier: "" for an
// archive without a key, which some regions refuse; the stack removes it.
func TestArchiveHasNoEmptyKey(t *testing.T) {
	for stage, res := range synth(t) {
		for id, a := range ofType(res, "AWS::Events::Archive") {
			if k, ok := a.Properties["KmsKeyIdentifier"]; ok && (k == "" || k == nil) {
				t.Errorf("%s %s: KmsKeyIdentifier = %q, want a key or no such property", stage, id, k)
			}
		}
	}
}

// TestCleanupScheduleUnit: the schedule expression CloudFormation resolves
// for CleanupRateMinutes uses the unit EventBridge accepts.
func TestCleanupScheduleUnit(t *testing.T) {
	for stage, res := range synth(t) {
		var expr any
		for _, r := range ofType(res, "AWS::Events::Rule") {
			if e := r.Properties["ScheduleExpression"]; e != nil {
				expr = e
			}
		}
		for _, tc := range []struct{ minutes, want string }{{"1", "rate(1 minute)"}, {"2", "rate(2 minutes)"}, {"60", "rate(60 minutes)"}} {
			params := map[string]string{"CleanupRateMinutes": tc.minutes}
			if got, err := resolve(expr, params, docs[stage].Conditions); err != nil || got != tc.want {
				t.Errorf("%s: CleanupRateMinutes=%s: schedule %v, want %q (%v)", stage, tc.minutes, got, tc.want, err)
			}
		}
	}
}

// resolve evaluates the intrinsics a schedule expression uses — Ref to a
// parameter, Fn::Join, Fn::If over a condition of Fn::Equals — as
// CloudFormation would for the given parameter values.
func resolve(v any, params map[string]string, conditions map[string]any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return v, nil
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Ref":
			p, ok := params[arg.(string)]
			if !ok {
				return nil, fmt.Errorf("no value for parameter %v", arg)
			}
			return p, nil
		case "Fn::Join":
			var parts []string
			for _, x := range args[1].([]any) {
				r, err := resolve(x, params, conditions)
				if err != nil {
					return nil, err
				}
				parts = append(parts, fmt.Sprint(r))
			}
			return strings.Join(parts, args[0].(string)), nil
		case "Fn::If":
			cond, err := resolve(conditions[args[0].(string)], params, conditions)
			if err != nil {
				return nil, err
			}
			if cond == true {
				return resolve(args[1], params, conditions)
			}
			return resolve(args[2], params, conditions)
		case "Fn::Equals":
			a, err := resolve(args[0], params, conditions)
			if err != nil {
				return nil, err
			}
			b, err := resolve(args[1], params, conditions)
			if err != nil {
				return nil, err
			}
			return fmt.Sprint(a) == fmt.Sprint(b), nil
		}
		return nil, fmt.Errorf("intrinsic %s is not evaluated here", fn)
	}
	return nil, nil
}

// TestAlarmTopicEnforcesSSL: publishing to the alarm topic without TLS is denied.
func TestAlarmTopicEnforcesSSL(t *testing.T) {
	for stage, res := range synth(t) {
		enforced := false
		for _, p := range ofType(res, "AWS::SNS::TopicPolicy") {
			for _, st := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				m := st.(map[string]any)
				enforced = enforced || m["Effect"] == "Deny" && strings.Contains(fmt.Sprint(m["Condition"]), "aws:SecureTransport:false")
			}
		}
		if !enforced {
			t.Errorf("%s: the alarm topic accepts publishing without TLS", stage)
		}
	}
}

// TestConsole: the console is a private bucket behind CloudFront with the
// console's CSP; the build and its config document are deployed into it;
// the API's CORS allows exactly the distribution's origin.
func TestConsole(t *testing.T) {
	for stage, res := range synth(t) {
		buckets := ofType(res, "AWS::S3::Bucket")
		if len(buckets) != 2 {
			t.Fatalf("%s: %d buckets, want the console's and its access logs'", stage, len(buckets))
		}
		bucketID := ""
		for id, b := range buckets {
			if b.Properties["LoggingConfiguration"] != nil { // the console's: it logs to the other
				bucketID = id
			}
			pab := fmt.Sprint(b.Properties["PublicAccessBlockConfiguration"])
			for _, k := range []string{"BlockPublicAcls:true", "BlockPublicPolicy:true", "IgnorePublicAcls:true", "RestrictPublicBuckets:true"} {
				if !strings.Contains(pab, k) {
					t.Errorf("%s: bucket public access block %s lacks %s", stage, pab, k)
				}
			}
			if b.Properties["WebsiteConfiguration"] != nil {
				t.Errorf("%s: the bucket is a public website", stage)
			}
		}
		policies := ofType(res, "AWS::S3::BucketPolicy")
		tlsOnly, cloudFrontReads := false, false
		for _, p := range policies {
			doc, _ := json.Marshal(p.Properties["PolicyDocument"])
			tlsOnly = tlsOnly || strings.Contains(string(doc), `"aws:SecureTransport":"false"`) && strings.Contains(string(doc), `"Effect":"Deny"`)
			cloudFrontReads = cloudFrontReads || strings.Contains(string(doc), `"Service":"cloudfront.amazonaws.com"`) && strings.Contains(string(doc), `"AWS:SourceArn"`)
			if strings.Contains(string(doc), `"Principal":"*","Effect":"Allow"`) || strings.Contains(string(doc), `"Effect":"Allow","Principal":"*"`) {
				t.Errorf("%s: bucket policy allows anyone: %s", stage, doc)
			}
		}
		if !tlsOnly || !cloudFrontReads {
			t.Errorf("%s: bucket policy TLS-only %v, read by CloudFront (OAC) only %v", stage, tlsOnly, cloudFrontReads)
		}
		if bucketID == "" {
			t.Errorf("%s: the console bucket keeps no server access logs", stage)
		}
		for _, d := range ofType(res, "AWS::CloudFront::Distribution") {
			if cfg, _ := d.Properties["DistributionConfig"].(map[string]any); cfg["Logging"] == nil {
				t.Errorf("%s: the distribution keeps no access logs", stage)
			}
		}
		if n := len(ofType(res, "AWS::CloudFront::OriginAccessControl")); n != 1 {
			t.Errorf("%s: %d origin access controls, want 1", stage, n)
		}
		dists := ofType(res, "AWS::CloudFront::Distribution")
		if len(dists) != 1 {
			t.Fatalf("%s: %d distributions, want 1", stage, len(dists))
		}
		distID := ""
		for id, d := range dists {
			distID = id
			cfg := d.Properties["DistributionConfig"].(map[string]any)
			beh := cfg["DefaultCacheBehavior"].(map[string]any)
			if beh["ViewerProtocolPolicy"] != "redirect-to-https" || beh["ResponseHeadersPolicyId"] == nil || beh["FunctionAssociations"] == nil {
				t.Errorf("%s: default behavior %v: want https, the security headers and the routing function", stage, beh)
			}
			if o := fmt.Sprint(cfg["Origins"]); !strings.Contains(o, bucketID) || !strings.Contains(o, "OriginAccessControlId") {
				t.Errorf("%s: origins %s, want the console bucket through OAC", stage, o)
			}
		}
		for _, p := range ofType(res, "AWS::CloudFront::ResponseHeadersPolicy") {
			b, _ := json.Marshal(p.Properties)
			h := string(b)
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "execute-api", "StrictTransportSecurity", `"FrameOption":"DENY"`} {
				if !strings.Contains(h, want) {
					t.Errorf("%s: response headers %s lack %s", stage, h, want)
				}
			}
			if strings.Contains(h, "unsafe-inline") || strings.Contains(h, "unsafe-eval") {
				t.Errorf("%s: the CSP allows unsafe code: %s", stage, h)
			}
		}
		deployments := ofType(res, "Custom::CDKBucketDeployment")
		config := false
		for _, d := range deployments {
			b, _ := json.Marshal(d.Properties)
			if !strings.Contains(string(b), bucketID) || d.Properties["DestinationBucketKeyPrefix"] != "console/" {
				t.Errorf("%s: a deployment not into the console bucket's console/: %s", stage, b)
			}
			if strings.Contains(string(b), "config.json") || strings.Contains(string(b), `"mode":"oidc"`) || strings.Contains(string(b), "markers") {
				config = config || strings.Contains(string(b), "JwtIssuer") && strings.Contains(string(b), "ConsoleClientId") && strings.Contains(string(b), "HttpApi")
			}
		}
		if len(deployments) != 2 || !config {
			t.Errorf("%s: %d console deployments, config document naming the issuer, client id and API: %v", stage, len(deployments), config)
		}
		for _, api := range ofType(res, "AWS::ApiGatewayV2::Api") {
			cors, _ := json.Marshal(api.Properties["CorsConfiguration"])
			if !strings.Contains(string(cors), distID) || !strings.Contains(string(cors), "DomainName") {
				t.Errorf("%s: CORS %s, want the console distribution's origin", stage, cors)
			}
		}
	}
}

// TestOwnMetricsAlarms: an event dead-lettered in the outbox pages at
// once, and so does an outbox event left unsent for a quarter of an hour —
// on the metrics the functions' EMF lines define, not on log filters.
func TestOwnMetricsAlarms(t *testing.T) {
	for stage, res := range synth(t) {
		if n := len(ofType(res, "AWS::Logs::MetricFilter")); n != 0 {
			t.Errorf("%s: %d metric filters; the functions emit their metrics as EMF", stage, n)
		}
		want := map[string]string{metric.OutboxDeadLettered: "Sum ≥ 1", metric.OutboxOldestAge: fmt.Sprintf("Maximum ≥ %d", OutboxAgeAlarmSeconds)}
		for _, a := range ofType(res, "AWS::CloudWatch::Alarm") {
			p := a.Properties
			name, _ := p["MetricName"].(string)
			if p["Namespace"] != metric.Namespace || want[name] == "" {
				continue
			}
			if got := fmt.Sprintf("%v ≥ %v", p["Statistic"], p["Threshold"]); got == want[name] && p["Dimensions"] == nil &&
				p["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" && len(fmt.Sprint(p["AlarmActions"])) > 2 {
				delete(want, name)
			}
		}
		for name, cond := range want {
			t.Errorf("%s: no alarm with an action on %s/%s %s", stage, metric.Namespace, name, cond)
		}
	}
}

// TestLogging: every function writes JSON lines, which Lambda filters at
// the application level the stack sets and passes to the function as
// LOG_LEVEL, the same value.
func TestLogging(t *testing.T) {
	for stage, res := range synth(t) {
		for id, fn := range ofType(res, "AWS::Lambda::Function") {
			if desc, _ := fn.Properties["Description"].(string); !strings.HasPrefix(desc, "Switchboard ") {
				continue
			}
			lc, _ := fn.Properties["LoggingConfig"].(map[string]any)
			env, _ := fn.Properties["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			if lc["LogFormat"] != "JSON" || lc["ApplicationLogLevel"] != "INFO" || lc["SystemLogLevel"] != "INFO" || vars[registry.EnvLogLevel] != "INFO" {
				t.Errorf("%s %s: logging %v, %s=%v; want JSON at INFO, the same in the environment", stage, id, lc, registry.EnvLogLevel, vars[registry.EnvLogLevel])
			}
		}
	}
}

// TestLogLevelBelowWarn: a stack at WARN would have Lambda drop the metric
// lines (INFO), and the alarms on them would never fire: refused.
func TestLogLevelBelowWarn(t *testing.T) {
	for _, level := range []string{"WARN", "ERROR", "verbose"} {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		_, err := NewSwitchboardStack(app, StageStaging, StackConfig{Stage: StageStaging, LogLevel: level,
			AssetDir: func(registry.Function) (string, error) { return "", fmt.Errorf("not reached") }})
		if err == nil || !strings.Contains(err.Error(), "INFO or DEBUG") {
			t.Errorf("log level %s: %v", level, err)
		}
	}
}
