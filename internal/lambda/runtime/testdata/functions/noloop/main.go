// Command noloop is a test "function" that never calls the Runtime API:
// NOLOOP_MODE=exit0 (default) exits cleanly, exit1 exits with status 1 and
// sleep sleeps for a minute.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	switch os.Getenv("NOLOOP_MODE") {
	case "sleep":
		time.Sleep(time.Minute)
	case "exit1":
		fmt.Fprintln(os.Stderr, "cannot start: no configuration")
		os.Exit(1)
	default:
		fmt.Println("nothing to do")
	}
}
