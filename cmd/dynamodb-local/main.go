// Command dynamodb-local runs DynamoDB Local (fetched into the cache on first
// use) on a free loopback port.
//
//	dynamodb-local [-data DIR]                 until Ctrl-C, printing its endpoint
//	dynamodb-local [-data DIR] -- cmd args…    for as long as cmd runs, with
//	                                           SWITCHBOARD_TEST_DYNAMODB and
//	                                           DYNAMODB_LOCAL_ENDPOINT naming it
//
// `make test` runs the tests under it, so the whole run shares one instance
// and each test uses tables of its own. The exit status is the command's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
)

func main() {
	data := flag.String("data", "", "keep the data in this directory (default: in memory)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: dynamodb-local [-data DIR] [-- command args…]")
		flag.PrintDefaults()
	}
	flag.Parse()
	code, err := run(*data, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "dynamodb-local:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(data string, command []string) (int, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := localdb.Start(ctx, localdb.Options{DataDir: data, Progress: func(line string) { fmt.Fprintln(os.Stderr, line) }})
	if err != nil {
		return 1, err
	}
	defer srv.Close()
	if !srv.Loopback {
		fmt.Fprintln(os.Stderr, "warning: no JDK for the loopback launcher, so DynamoDB Local listens on every interface")
	}
	if len(command) == 0 {
		fmt.Printf("DYNAMODB_ENDPOINT=%s\n", srv.URL)
		select {
		case <-ctx.Done():
			return 0, nil
		case <-srv.Done():
			return 1, fmt.Errorf("DynamoDB Local stopped: %s", srv.Output())
		}
	}
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), dbtest.EnvEndpoint+"="+srv.URL, "DYNAMODB_LOCAL_ENDPOINT="+srv.URL)
	if err := cmd.Start(); err != nil {
		return 1, err
	}
	// Ctrl-C reaches the command through the terminal's process group;
	// SIGTERM sent to this process alone is passed on.
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}
