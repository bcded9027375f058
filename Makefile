# Switchboard — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'

.PHONY: run test vet build bench clean $(addprefix build-,$(FUNCTIONS))

## run: start the whole system locally (ADDR=127.0.0.1:8080 by default)
run:
	$(GO) build -o bin/switchboard-local ./cmd/switchboard-local
	exec bin/switchboard-local

## test: vet and every test, with the race detector; no cloud, no flags
test: vet
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }

## build: every Lambda as bin/<function>/bootstrap for provided.al2023 on arm64
build: $(addprefix build-,$(FUNCTIONS))

$(addprefix build-,$(FUNCTIONS)): build-%:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o bin/$*/bootstrap ./functions/$*

## bench: decision micro-benchmarks, DynamoDB requests per route, bootstrap sizes
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./internal/access/ ./internal/token/
	$(GO) test -run '^$$' -bench SwitchOverHTTP -benchtime 300x ./internal/devstack/
	$(GO) test -count=1 -run '^(TestWalkthrough|TestBusDeliveryLatency)$$' -v ./internal/devstack/ | sed -n -e '/DynamoDB requests per route/,/deliveries` |/p' -e '/local bus →/p'
	@echo "bootstrap sizes (stripped, linux/arm64):"; ls -l bin/*/bootstrap | awk '{printf "  %-28s %.1f MB\n", $$9, $$5/1048576}'

clean:
	rm -rf bin cdk.out
