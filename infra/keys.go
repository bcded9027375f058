package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// SigningKey is the asymmetric KMS key that signs switch tokens; only the
// switch function may use it.
type SigningKey struct {
	constructs.Construct
	Key awskms.Key
}

// NewSigningKey creates an ECC_NIST_P256 SIGN_VERIFY key.
func NewSigningKey(scope constructs.Construct, id, stage string, prod bool) *SigningKey {
	c := constructs.NewConstruct(scope, jsii.String(id))
	removal := awscdk.RemovalPolicy_DESTROY
	if prod {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	k := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		KeySpec:       awskms.KeySpec_ECC_NIST_P256,
		KeyUsage:      awskms.KeyUsage_SIGN_VERIFY,
		Description:   jsii.String("Signs Switchboard switch tokens (" + stage + ")"),
		Alias:         jsii.String("alias/switchboard-" + stage + "-switch"),
		RemovalPolicy: removal,
		PendingWindow: awscdk.Duration_Days(jsii.Number(30)),
	})
	return &SigningKey{Construct: c, Key: k}
}
