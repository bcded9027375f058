# Switchboard — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'

# The CDK CLI, pinned (3.x refuses this CDK library); only `make deploy` needs it.
CDK := npx --yes aws-cdk@2.1148.1
STAGE ?= staging
export CDK_OUTDIR ?= cdk.out
# This machine's Node.js is 20: jsii would warn about it on every start.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: run test tools console screenshots vet build bench soak synth deploy diff clean $(addprefix build-,$(FUNCTIONS))

## run: start the whole system locally (ADDR=127.0.0.1:8080 by default; DynamoDB Local as a
## child process, fetched into the cache on first use; DYNAMODB_ENDPOINT, DATA_DIR, SEED — README),
## the console at /console/
run: tools console
	$(GO) build -o bin/switchboard-local ./cmd/switchboard-local
	exec bin/switchboard-local

## test: vet and every test, with the race detector, against one DynamoDB Local for the run; no cloud
test: tools console vet
	$(GO) build -o bin/dynamodb-local ./cmd/dynamodb-local
	$(GO) build -o bin/testprogress ./cmd/testprogress
	set -o pipefail; bin/dynamodb-local -- $(GO) test -json -race -count=1 ./... | bin/testprogress

## tools: what the tests and the local stack need beside Go — gcc for the race detector, Node.js for
## the CDK's jsii runtime, npm for the console's build, Chromium for its browser tests, a JDK (17+)
## for DynamoDB Local and its loopback launcher — installed from Debian's packages when missing
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
tools:
	@command -v gcc >/dev/null || { apt-get update -qq && $(APT_INSTALL) gcc; }
	@command -v node >/dev/null || { apt-get update -qq && $(APT_INSTALL) nodejs; }
	@command -v npm >/dev/null || { apt-get update -qq && $(APT_INSTALL) npm; }
	@command -v chromium >/dev/null || { apt-get update -qq && $(APT_INSTALL) chromium; }
	@command -v javac >/dev/null || { apt-get update -qq && $(APT_INSTALL) openjdk-17-jdk-headless; }

## console: the web console (web/, docs/console.md) built into web/dist — npm ci when the lock
## changed, then the esbuild build (fingerprinted assets, index.html)
console: web/node_modules/.package-lock.json
	cd web && node build.mjs

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || $(MAKE) tools
	cd web && npm ci --no-audit --no-fund

## screenshots: the main views of the console, from a browser test run, into docs/console/
screenshots: tools console
	$(GO) build -o bin/dynamodb-local ./cmd/dynamodb-local
	CONSOLE_SCREENSHOTS=1 bin/dynamodb-local -- $(GO) test -count=1 -run TestAccessibility ./web/e2e/

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

## build: every Lambda as bin/<function>/bootstrap for provided.al2023 on arm64
build: $(addprefix build-,$(FUNCTIONS))
	@echo "bootstrap sizes (stripped, linux/arm64):"; ls -l bin/*/bootstrap | awk '{printf "  %-28s %.1f MB\n", $$9, $$5/1048576}'

$(addprefix build-,$(FUNCTIONS)): build-%:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o bin/$*/bootstrap ./functions/$*

## bench: every measurement (decision benchmarks, requests and capacity per route, cold start and size, check-access under load) → one summary table, also written to docs/performance.md
bench: build
	$(GO) run ./cmd/benchreport -doc docs/performance.md

## soak: the long runs — every fuzz target (FUZZTIME each, default 60s) and 60 s of mixed load on the local stack
soak:
	FUZZTIME=$${FUZZTIME:-60s} bash scripts/soak-fuzz.sh
	$(GO) run ./cmd/loadgen -duration $${LOAD_DURATION:-60s} -clients $${LOAD_CLIENTS:-8}

## synth: the CloudFormation templates of both stages (or STAGE=… with SYNTH_STAGE) into $(CDK_OUTDIR); no AWS credentials needed
synth: tools build console
	$(GO) run ./infra $(if $(SYNTH_STAGE),-c stage=$(SYNTH_STAGE))
	@ls -1 $(CDK_OUTDIR)/*.template.json

## deploy: STAGE=staging|prod, with the parameters docs/deploy.md lists in PARAMS="JwtIssuer=… JwtAudience=… OperatorTenant=…" (LOG_LEVEL=DEBUG for the functions' debug lines; INFO by default)
deploy: build console
	$(CDK) deploy Switchboard-$(STAGE) -c stage=$(STAGE) $(if $(LOG_LEVEL),-c logLevel=$(LOG_LEVEL)) $(foreach p,$(PARAMS),--parameters $(p))

diff: build console
	$(CDK) diff Switchboard-$(STAGE) -c stage=$(STAGE)

clean:
	rm -rf bin cdk.out web/dist web/node_modules
