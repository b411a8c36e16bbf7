package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// envInNetns marks the copy of the harness that runs inside the private
// network namespace; its value is the prepared work directory.
const envInNetns = "TOLLGATE_BENCH_NETNS_WORKDIR"

// unshareCommand returns the command that runs argv in a new network
// namespace, or an error saying why none can be made here. As root,
// `unshare -n`; otherwise `unshare -r -n` (a user namespace too) where the
// kernel allows unprivileged ones.
func unshareCommand(argv []string) ([]string, error) {
	if _, err := exec.LookPath("unshare"); err != nil {
		return nil, errors.New("unshare (util-linux) is not installed")
	}
	var tried []string
	for _, flags := range [][]string{{"-n"}, {"-r", "-n"}} {
		probe := append(append([]string{"unshare"}, flags...), "true")
		out, err := exec.Command(probe[0], probe[1:]...).CombinedOutput()
		if err == nil {
			return append(append(append([]string{"unshare"}, flags...), "--"), argv...), nil
		}
		tried = append(tried, fmt.Sprintf("%v: %v %s", probe, err, out))
	}
	return nil, fmt.Errorf("cannot create a network namespace: %v", tried)
}

// runInNetns re-executes this program inside a new network namespace with
// the same arguments and returns its exit code. Interrupts are passed on
// to it (and otherwise ignored here, so that this copy outlives it and can
// clean up).
func runInNetns(workdir string) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	argv, err := unshareCommand(append([]string{exe}, os.Args[1:]...))
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envInNetns+"="+workdir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	// Caught, not ignored: an ignored signal would stay ignored in every
	// process started below.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go func() {
		for sig := range sigs {
			_ = cmd.Process.Signal(sig)
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}

// loopbackUp brings up lo in the (new, empty) network namespace.
func loopbackUp() error {
	out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip link set lo up: %v %s", err, out)
	}
	return nil
}
