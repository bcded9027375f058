// Command switchboard-local runs the whole system on one machine with no AWS
// account: `make run`. ADDR sets where it listens (default 127.0.0.1:8080);
// CONSOLE_DIR where the built console is (default web/dist, `make console`).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/switchboard/switchboard/internal/devstack"
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
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = devstack.DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set ADDR to use another address): %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	every := time.Minute
	if v := os.Getenv("CLEANUP_EVERY"); v != "" {
		if every, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("CLEANUP_EVERY=%q is not a duration such as 1m: %w", v, err)
		}
	}
	consoleDir := os.Getenv("CONSOLE_DIR")
	if consoleDir == "" {
		consoleDir = web.DistDir
	}
	if _, err := os.Stat(filepath.Join(consoleDir, "index.html")); err != nil {
		log.Warn("the console is not built: run `make console` (or `make run`, which builds it)", "dir", consoleDir)
	}
	stack, err := devstack.Start(ctx, devstack.Config{BaseURL: base, Seed: true, Log: log, CleanupEvery: every, ConsoleDir: consoleDir})
	if err != nil {
		return err
	}
	defer stack.Close()
	fmt.Print(devstack.Banner(base, stack.Demo))
	srv := &http.Server{Handler: stack, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
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
