package lambda

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// inotifyWatcher reports changes under a directory tree (each directory
// watched, new ones as they appear) or to one file, through inotify.
type inotifyWatcher struct {
	t       watchTarget
	fd      int      // the inotify descriptor (never f.Fd(), which would make it blocking)
	f       *os.File // fd, non-blocking: reads go through Go's poller, Close ends them
	dirs    map[int32]string
	changes chan<- string
}

const inotifyMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_MOVED_FROM |
	unix.IN_MOVED_TO | unix.IN_ATTRIB | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF

func newInotifyWatcher(t watchTarget, changes chan<- string) (watcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	w := &inotifyWatcher{t: t, fd: fd, f: os.NewFile(uintptr(fd), "inotify"), dirs: map[int32]string{}, changes: changes}
	if t.file != "" {
		// The file's directory, not the file: builds replace it.
		err = w.add(t.dir)
	} else {
		err = w.addTree(t.dir)
	}
	if err != nil {
		w.f.Close()
		return nil, err
	}
	return w, nil
}

func (w *inotifyWatcher) add(dir string) error {
	wd, err := unix.InotifyAddWatch(w.fd, dir, inotifyMask)
	if err != nil {
		return fmt.Errorf("inotify watch %s: %w", dir, err)
	}
	w.dirs[int32(wd)] = dir
	return nil
}

// addTree watches dir and the directories under it, but not ignored ones.
func (w *inotifyWatcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // gone meanwhile
		}
		if !d.IsDir() {
			return nil
		}
		if rel, _ := filepath.Rel(w.t.dir, path); rel != "." && ignoredPath(rel) {
			return filepath.SkipDir
		}
		return w.add(path)
	})
}

func (w *inotifyWatcher) run(ctx context.Context) {
	go func() {
		<-ctx.Done()
		w.f.Close() // ends the Read below
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) && ctx.Err() == nil {
				// Keep reloads working: fall back to polling.
				newPollWatcher(w.t, w.changes).run(ctx)
			}
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			w.handle(ctx, ev, string(trimNUL(nameBytes)))
		}
	}
}

func (w *inotifyWatcher) handle(ctx context.Context, ev *unix.InotifyEvent, name string) {
	if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
		w.send(ctx, w.t.dir) // events were lost: reload to be safe
		return
	}
	dir, ok := w.dirs[ev.Wd]
	if !ok {
		return
	}
	if ev.Mask&unix.IN_IGNORED != 0 {
		delete(w.dirs, ev.Wd)
		return
	}
	path := dir
	if name != "" {
		path = filepath.Join(dir, name)
	}
	if w.t.file == "" && ev.Mask&unix.IN_ISDIR != 0 && ev.Mask&(unix.IN_CREATE|unix.IN_MOVED_TO) != 0 {
		// A new directory: watch it (and what may already be in it).
		if rel, _ := filepath.Rel(w.t.dir, path); !ignoredPath(rel) {
			_ = w.addTree(path)
		}
	}
	if w.t.relevant(path) {
		w.send(ctx, path)
	}
}

func (w *inotifyWatcher) send(ctx context.Context, path string) {
	select {
	case w.changes <- path:
	case <-ctx.Done():
	}
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
