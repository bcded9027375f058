// Command switchboard-local runs the whole system on one machine with no AWS
// account: `make run`.
//
//	ADDR              where it listens (default 127.0.0.1:8080)
//	DYNAMODB_ENDPOINT another DynamoDB instead of a DynamoDB Local child
//	                  process (region and credentials from the usual AWS
//	                  environment; static local ones for a loopback endpoint
//	                  when the environment has none)
//	TABLE_NAME        the table (default switchboard), created when missing
//	DATA_DIR          keep DynamoDB Local's data there across restarts
//	SEED              demo (default), msp-large, or none
//	CLEANUP_EVERY     the cleanup schedule (default 1m)
//	CONSOLE_DIR       where the built console is (default web/dist, `make console`)
//	LOG_LEVEL         DEBUG, INFO (default), WARN or ERROR, as the functions read it
//	LOG_FORMAT        json: the functions' lines as Lambda writes them (EMF
//	                  metrics included); default readable text
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/telemetry"
	"github.com/switchboard/switchboard/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard-local:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	began := time.Now()
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = devstack.DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set ADDR to use another address): %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	level, err := telemetry.ParseLevel(os.Getenv("LOG_LEVEL"))
	if err != nil {
		return fmt.Errorf("LOG_LEVEL: %w", err)
	}
	format := telemetry.FormatText
	switch v := os.Getenv("LOG_FORMAT"); v {
	case "", telemetry.FormatText:
	case telemetry.FormatJSON:
		format = telemetry.FormatJSON
	default:
		return fmt.Errorf("LOG_FORMAT=%q: use %s or %s", v, telemetry.FormatJSON, telemetry.FormatText)
	}
	log := telemetry.NewLogger(os.Stderr, format, level)
	every := time.Minute
	if v := os.Getenv("CLEANUP_EVERY"); v != "" {
		if every, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("CLEANUP_EVERY=%q is not a duration such as 1m: %w", v, err)
		}
	}
	seed := os.Getenv("SEED")
	switch seed {
	case "", devstack.SeedDemo, devstack.SeedMSPLarge, devstack.SeedNone:
	default:
		return fmt.Errorf("SEED=%q: use %s, %s or %s", seed, devstack.SeedDemo, devstack.SeedMSPLarge, devstack.SeedNone)
	}
	consoleDir := os.Getenv("CONSOLE_DIR")
	if consoleDir == "" {
		consoleDir = web.DistDir
	}
	if _, err := os.Stat(filepath.Join(consoleDir, "index.html")); err != nil {
		log.Warn("the console is not built: run `make console` (or `make run`, which builds it)", "dir", consoleDir)
	}
	db, err := database(ctx)
	if err != nil {
		return err
	}
	stack, err := devstack.Start(ctx, devstack.Config{BaseURL: base, Seed: seed != devstack.SeedNone && seed != devstack.SeedMSPLarge, Log: log,
		CleanupEvery: every, Database: db, ConsoleDir: consoleDir})
	if err != nil {
		return err
	}
	defer stack.Close()
	if seed == devstack.SeedMSPLarge {
		sz := devstack.MSPLarge
		if _, err := stack.SeedLarge(ctx, sz, 16, progressLine); err != nil {
			return fmt.Errorf("seed %s: %w", seed, err)
		}
	}
	fmt.Print(devstack.Banner(base, stack))
	fmt.Printf("Ready in %.1f s.\n", time.Since(began).Seconds())
	srv := &http.Server{Handler: stack, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var died <-chan struct{}
	if stack.Local != nil {
		died = stack.Local.Done()
	}
	select {
	case err := <-errc:
		return err
	case <-died:
		return fmt.Errorf("DynamoDB Local stopped: %s", stack.Local.Output())
	case <-ctx.Done():
	}
	fmt.Println("\nshutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// database reads DYNAMODB_ENDPOINT, TABLE_NAME and DATA_DIR.
func database(ctx context.Context) (devstack.Database, error) {
	db := devstack.Database{Endpoint: os.Getenv("DYNAMODB_ENDPOINT"), Table: os.Getenv("TABLE_NAME"), DataDir: os.Getenv("DATA_DIR"),
		Progress: func(line string) { fmt.Println(line) }}
	if db.Endpoint == "" {
		return db, nil
	}
	if db.DataDir != "" {
		return db, errors.New("DATA_DIR keeps the data of the DynamoDB Local the stack starts; with DYNAMODB_ENDPOINT the data lives where that DynamoDB keeps it")
	}
	u, err := url.Parse(db.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return db, fmt.Errorf("DYNAMODB_ENDPOINT=%q is not an http(s) URL such as http://127.0.0.1:8000", db.Endpoint)
	}
	// A DynamoDB on this machine takes any credentials: static local ones
	// unless the environment names some.
	if loopback(u.Hostname()) && os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
		return db, nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return db, fmt.Errorf("AWS configuration for DYNAMODB_ENDPOINT: %w", err)
	}
	if loopback(u.Hostname()) && cfg.Region == "" {
		cfg.Region = "local"
	}
	if cfg.Region == "" {
		return db, fmt.Errorf("DYNAMODB_ENDPOINT=%s: set AWS_REGION (and credentials) for it", db.Endpoint)
	}
	db.AWS = &cfg
	return db, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// progressLine rewrites one terminal line.
func progressLine(line string, final bool) {
	if final {
		fmt.Printf("\r%s\033[K\n", line)
		return
	}
	fmt.Printf("\r%s\033[K", line)
}
