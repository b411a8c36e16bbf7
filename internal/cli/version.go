package cli

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X github.com/tollgate/tollgate/internal/cli.version=v1.2.3");
// otherwise it comes from the module build info.
var version = ""

// VersionString returns the program version.
func VersionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Version prints "tollgate <version>".
func Version(w io.Writer) error {
	_, err := fmt.Fprintf(w, "tollgate %s\n", VersionString())
	return err
}
