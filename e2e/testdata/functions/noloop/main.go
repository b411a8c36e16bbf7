// noloop starts but never asks the Runtime API for an invocation.
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("noloop: started, never calling /next")
	time.Sleep(time.Hour)
}
