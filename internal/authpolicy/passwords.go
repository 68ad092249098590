package authpolicy

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// maxPasswordFileSize bounds how much of a password file is read.
const maxPasswordFileSize = 64 << 20

// passwordFile is a username=password file, re-read when it changes.
type passwordFile struct {
	path    string
	size    int64
	modTime time.Time
	users   map[string]string
}

// lookup returns a user's password, re-reading the file first if it
// changed. A file that went away or became unreadable lists nobody.
func (f *passwordFile) lookup(username string) (string, bool) {
	info, err := os.Stat(f.path)
	if err != nil {
		f.users, f.size, f.modTime = nil, -1, time.Time{}
		return "", false
	}
	if info.Size() != f.size || !info.ModTime().Equal(f.modTime) {
		if err := f.load(); err != nil {
			f.users = nil
		}
	}
	password, ok := f.users[username]
	return password, ok
}

// load reads the file.
func (f *passwordFile) load() error {
	file, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(file, maxPasswordFileSize+1))
	if err != nil {
		return err
	}
	if len(data) > maxPasswordFileSize {
		return fmt.Errorf("zmq4: password file %s is larger than %d bytes", f.path, maxPasswordFileSize)
	}
	f.users = parsePasswords(data)
	f.size, f.modTime = info.Size(), info.ModTime()
	return nil
}

// parsePasswords reads username=password lines as CZMQ's zhashx_load does.
func parsePasswords(data []byte) map[string]string {
	users := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' || line[0] == '=' {
			continue
		}
		username, password, found := strings.Cut(line, "=")
		if !found {
			continue
		}
		users[username] = password
	}
	return users
}
