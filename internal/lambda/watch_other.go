//go:build !linux

package lambda

import "errors"

// newInotifyWatcher: inotify is Linux's; elsewhere the files are polled.
func newInotifyWatcher(watchTarget, chan<- string) (watcher, error) {
	return nil, errors.New("inotify is not available")
}
