// Command sleep is a test function that sleeps for {"ms": N} milliseconds
// (default: a minute, past any test timeout). Before sleeping it starts a
// child process of its own, which sleeps too and whose pid it logs as
// "grandchild-pid=N", so that tests can check the whole group is killed.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

func handler(_ context.Context, ev struct {
	Ms int `json:"ms"`
}) (int, error) {
	d := time.Minute
	if ev.Ms > 0 {
		d = time.Duration(ev.Ms) * time.Millisecond
	} else {
		self, err := os.Executable()
		if err != nil {
			return 0, err
		}
		child := exec.Command(self, "child")
		if err := child.Start(); err != nil {
			return 0, err
		}
		fmt.Printf("grandchild-pid=%d\n", child.Process.Pid)
	}
	time.Sleep(d)
	return os.Getpid(), nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		time.Sleep(time.Minute)
		return
	}
	lambda.Start(handler)
}
