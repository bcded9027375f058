package localdb

import "syscall"

// childAttrs puts the server in a process group of its own (Close stops the
// group) and has the kernel kill it when this process dies, however it dies:
// no JVM outlives the stack or the test that started it.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
