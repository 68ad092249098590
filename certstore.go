package zmq4

import (
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// CertStore is a set of public certificates indexed by their Z85 public
// key, as CZMQ's zcertstore keeps them. A directory store loads every
// certificate file under its directory (recursively, skipping files whose
// names end in "_secret" and hidden files and directories) and reloads them
// when the directory's contents change. A memory store holds only what is
// inserted. A CertStore is safe for concurrent use.
type CertStore struct {
	mu        sync.Mutex
	dir       string           // "" for a memory store
	loaded    map[string]*Cert // from the directory, by Z85 public key
	inserted  map[string]*Cert // added with Insert, by Z85 public key
	stamp     uint64           // fingerprint of the directory when it was loaded
	haveStamp bool
}

// NewCertStore makes a store of the certificates under dir, which must be a
// directory. Files that are not valid certificates are skipped.
func NewCertStore(dir string) (*CertStore, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("zmq4: certificate store %s is not a directory", dir)
	}
	s := &CertStore{dir: dir, inserted: map[string]*Cert{}}
	s.mu.Lock()
	s.refreshLocked()
	s.mu.Unlock()
	return s, nil
}

// NewMemCertStore makes an empty store that holds only inserted
// certificates.
func NewMemCertStore() *CertStore {
	return &CertStore{loaded: map[string]*Cert{}, inserted: map[string]*Cert{}}
}

// Dir returns the store's directory, or "" for a memory store.
func (s *CertStore) Dir() string { return s.dir }

// Insert adds a certificate to the store, replacing one with the same public
// key. In a directory store it stays in memory only and wins over a file
// with the same key.
func (s *CertStore) Insert(c *Cert) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inserted[c.PublicTxt()] = c
}

// Remove drops an inserted certificate by its Z85 public key.
func (s *CertStore) Remove(publicTxt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inserted, publicTxt)
}

// Lookup returns the certificate whose Z85 public key is publicTxt, or nil.
// A directory store first reloads if its directory changed.
func (s *CertStore) Lookup(publicTxt string) *Cert {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshLocked()
	if c, ok := s.inserted[publicTxt]; ok {
		return c
	}
	return s.loaded[publicTxt]
}

// Certs returns every certificate in the store, ordered by public key.
func (s *CertStore) Certs() []*Cert {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshLocked()
	all := map[string]*Cert{}
	for k, c := range s.loaded {
		all[k] = c
	}
	for k, c := range s.inserted {
		all[k] = c
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	certs := make([]*Cert, len(keys))
	for i, k := range keys {
		certs[i] = all[k]
	}
	return certs
}

// refreshLocked reloads a directory store whose files changed (added,
// removed, resized or touched) since the last load.
func (s *CertStore) refreshLocked() {
	if s.dir == "" {
		return
	}
	files, stamp := s.scan()
	if s.haveStamp && stamp == s.stamp {
		return
	}
	loaded := map[string]*Cert{}
	for _, path := range files {
		c, err := loadCertFile(path)
		if err != nil {
			continue
		}
		loaded[c.PublicTxt()] = c
	}
	s.loaded = loaded
	s.stamp = stamp
	s.haveStamp = true
}

// scan lists the certificate files under the directory and fingerprints
// their names, sizes and modification times. A missing directory is empty.
func (s *CertStore) scan() ([]string, uint64) {
	var files []string
	h := fnv.New64a()
	filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && path != s.dir {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if path != s.dir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.HasSuffix(name, "_secret") {
			return nil
		}
		info, err := os.Stat(path) // follows symbolic links to files
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		files = append(files, path)
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return files, h.Sum64()
}
