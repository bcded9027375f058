package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// CheckAWSSolutions runs cdk-nag's AwsSolutions pack over scope at
// synthesis: every finding becomes an error or warning annotation (which
// fails `cdk deploy`), unless the resource carries a suppression with its
// reason — each one written beside the resource it concerns (see suppress).
func CheckAWSSolutions(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// suppression is one intended exception to a cdk-nag rule: the rule, why,
// and (for rules that list findings) exactly which findings.
type suppression struct {
	rule, reason string
	appliesTo    []string
}

// suppress records intended exceptions on c and its children.
func suppress(c constructs.IConstruct, ss ...suppression) {
	var out []*cdknag.NagPackSuppression
	for _, s := range ss {
		p := &cdknag.NagPackSuppression{Id: jsii.String(s.rule), Reason: jsii.String(s.reason)}
		if len(s.appliesTo) > 0 {
			applies := make([]any, len(s.appliesTo))
			for i, a := range s.appliesTo {
				applies[i] = a
			}
			p.AppliesTo = &applies
		}
		out = append(out, p)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &out, jsii.Bool(true))
}
