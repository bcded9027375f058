//go:build !linux

package localdb

import "syscall"

// childAttrs puts the server in a process group of its own, which Close
// stops. Outside Linux there is no parent-death signal: a process killed
// with SIGKILL leaves the server running.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
