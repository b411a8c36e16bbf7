package runtime

import "syscall"

// sysProcAttr puts the child in its own process group and has the kernel
// kill it should Tollgate die without cleaning up. (Pdeathsig follows the
// OS thread that started the child; Go keeps its threads alive unless a
// goroutine exits while locked to one, which Tollgate does not do.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
