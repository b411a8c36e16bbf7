package runtime

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// process is one running function process, the leader of its own process
// group so that everything it starts can be killed with it.
type process struct {
	cmd    *exec.Cmd
	pid    int
	stdout *os.File // read ends of the process's stdout and stderr pipes
	stderr *os.File
}

// startProcess starts cfg's executable with env in cfg.WorkDir.
func startProcess(cfg Config, env []string) (*process, error) {
	path := cfg.Executable
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.WorkDir, path)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        append([]string{path}, cfg.Args...),
		Env:         env,
		Dir:         cfg.WorkDir,
		Stdout:      outW,
		Stderr:      errW,
		SysProcAttr: sysProcAttr(),
	}
	err = cmd.Start()
	// The child holds its own copies of the write ends; ours must go so
	// that the readers see end of file when the child's are gone.
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, err
	}
	return &process{cmd: cmd, pid: cmd.Process.Pid, stdout: outR, stderr: errR}, nil
}

// kill sends SIGKILL to the whole process group. It is safe to call more
// than once and after the process has exited.
func (p *process) kill() {
	if err := syscall.Kill(-p.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = p.cmd.Process.Kill()
	}
}

// wait waits for the process to exit and describes how it ended, in the words
// Lambda uses: "" for a clean exit, else "exit status 3", "signal: killed"….
func (p *process) wait() string {
	err := p.cmd.Wait()
	// Whatever the leader left behind in its group goes with it.
	_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ProcessState.String()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
