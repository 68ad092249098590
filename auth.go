package zmq4

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// The authenticator is a ZAP handler (RFC 27) in the style of pebbe/zmq4 and
// CZMQ's zauth. AuthStart binds a REP socket at inproc://zeromq.zap.01 in
// the default context, so it checks the connections of sockets made with the
// package-level NewSocket; as in libzmq, sockets of other contexts do not
// reach it. Policies are kept per ZAP domain; the domain "*" applies to
// every domain. Policies survive AuthStop.
//
// Until policies are added, NULL connections are allowed and PLAIN and
// CURVE connections are denied.

// authState is the authenticator's configuration.
type authState struct {
	mu          sync.Mutex
	verbose     bool
	allow       map[string]*addressSet // whitelists by domain
	deny        map[string]*addressSet // blacklists by domain
	users       map[string]map[string]string
	passwords   map[string]*passwordFile
	pubkeys     map[string]map[string]bool
	stores      map[string]*CertStore
	metaHandler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string
}

var auth = authState{
	allow:     map[string]*addressSet{},
	deny:      map[string]*addressSet{},
	users:     map[string]map[string]string{},
	passwords: map[string]*passwordFile{},
	pubkeys:   map[string]map[string]bool{},
	stores:    map[string]*CertStore{},
}

// authRunner is the running handler, guarded by authRunnerMu.
var (
	authRunnerMu sync.Mutex
	authHandler  *Socket
	authDone     chan struct{} // closed when the handler goroutine ends
)

// allDomains is the domain whose policies apply to every domain.
const allDomains = "*"

// AuthStart starts the ZAP handler on inproc://zeromq.zap.01 in the default
// context. It fails if a handler is already running there.
func AuthStart() error {
	authRunnerMu.Lock()
	defer authRunnerMu.Unlock()
	if authDone != nil {
		if !authHandler.ctx.terminated() {
			authLog("AUTH: Already running")
			return errors.New("zmq4: auth is already running")
		}
		// The handler ends with its context; Term may return a moment
		// before its goroutine has finished.
		<-authDone
	}
	handler, err := NewSocket(REP)
	if err != nil {
		return err
	}
	handler.SetLinger(0)
	if err := handler.Bind(zapEndpoint); err != nil {
		handler.Close()
		return err
	}
	done := make(chan struct{})
	authHandler, authDone = handler, done
	go authServe(handler, done)
	authLog("AUTH: Starting")
	return nil
}

// AuthStop stops the ZAP handler and waits until it has unbound. Policies
// are kept for a later AuthStart.
func AuthStop() {
	authRunnerMu.Lock()
	defer authRunnerMu.Unlock()
	if authDone == nil {
		authLog("AUTH: Not running, can't stop")
		return
	}
	authLog("AUTH: Stopping")
	authHandler.Close()
	<-authDone
	authHandler, authDone = nil, nil
	authLog("AUTH: Stopped")
}

// authServe answers ZAP requests until the socket is closed or its context
// ends.
func authServe(handler *Socket, done chan struct{}) {
	defer close(done)
	defer handler.Close()
	for {
		request, err := handler.RecvMessageBytes(0)
		if err != nil {
			authLog("AUTH: Quitting: %v", err)
			return
		}
		if _, err := handler.SendMessage(authReply(request)); err != nil {
			authLog("AUTH: Quitting: %v", err)
			return
		}
	}
}

// authReply decides one ZAP request and returns the reply frames (after the
// REP envelope).
func authReply(request [][]byte) [][]byte {
	if len(request) < 6 || string(request[0]) != "1.0" {
		authLog("AUTH: malformed request (%d frames)", len(request))
		requestID := []byte{}
		if len(request) > 1 {
			requestID = request[1]
		}
		return [][]byte{[]byte("1.0"), requestID, []byte("500"), []byte("Malformed request"), {}, {}}
	}
	version, requestID := string(request[0]), string(request[1])
	domain, address := string(request[2]), string(request[3])
	identity, mechanismName := string(request[4]), string(request[5])
	credentials := make([]string, len(request)-6)
	for i, c := range request[6:] {
		credentials[i] = string(c)
	}

	allowed, userID, metadata := authDecide(domain, address, mechanismName, credentials)
	if !allowed {
		return [][]byte{[]byte(version), []byte(requestID), []byte("400"), []byte("No access"), {}, {}}
	}
	auth.mu.Lock()
	handler := auth.metaHandler
	auth.mu.Unlock()
	if handler != nil {
		for k, v := range handler(version, requestID, domain, address, identity, mechanismName, credentials...) {
			metadata[k] = v
		}
	}
	if id, ok := metadata["User-Id"]; ok {
		userID = id
		delete(metadata, "User-Id")
	}
	return [][]byte{[]byte(version), []byte(requestID), []byte("200"), []byte("OK"), []byte(userID), encodeAuthMetadata(metadata)}
}

// authDecide applies the address policy, then the mechanism's check. It
// returns the default user id (PLAIN user name, CURVE Z85 key) and the
// metadata of the client's certificate when one was found.
func authDecide(domain, address, mechanismName string, credentials []string) (allowed bool, userID string, metadata map[string]string) {
	metadata = map[string]string{}
	auth.mu.Lock()
	defer auth.mu.Unlock()

	whitelisted := false
	switch {
	case auth.hasAddresses(auth.allow, domain):
		if !auth.matchAddress(auth.allow, domain, address) {
			authLogLocked("AUTH: DENIED (not in whitelist) domain=%q address=%q", domain, address)
			return false, "", nil
		}
		whitelisted = true
		authLogLocked("AUTH: PASSED (whitelist) domain=%q address=%q", domain, address)
	case auth.hasAddresses(auth.deny, domain):
		if auth.matchAddress(auth.deny, domain, address) {
			authLogLocked("AUTH: DENIED (blacklist) domain=%q address=%q", domain, address)
			return false, "", nil
		}
		authLogLocked("AUTH: PASSED (not in blacklist) domain=%q address=%q", domain, address)
	}

	switch mechanismName {
	case "NULL":
		if !whitelisted {
			authLogLocked("AUTH: ALLOWED (NULL)")
		}
		return true, "", metadata
	case "PLAIN":
		if len(credentials) != 2 {
			return false, "", nil
		}
		if !auth.plainValid(domain, credentials[0], credentials[1]) {
			authLogLocked("AUTH: DENIED (PLAIN) domain=%q username=%q", domain, credentials[0])
			return false, "", nil
		}
		authLogLocked("AUTH: ALLOWED (PLAIN) domain=%q username=%q", domain, credentials[0])
		return true, credentials[0], metadata
	case "CURVE":
		if len(credentials) != 1 || len(credentials[0]) != curveKeyLen {
			return false, "", nil
		}
		key := Z85encode(credentials[0])
		ok, cert := auth.curveValid(domain, key)
		if !ok {
			authLogLocked("AUTH: DENIED (CURVE) domain=%q client_key=%q", domain, key)
			return false, "", nil
		}
		authLogLocked("AUTH: ALLOWED (CURVE) domain=%q client_key=%q", domain, key)
		if cert != nil {
			for _, m := range cert.metaCopy() {
				metadata[m.name] = m.value
			}
		}
		return true, key, metadata
	}
	authLogLocked("AUTH: DENIED (mechanism %q) domain=%q", mechanismName, domain)
	return false, "", nil
}

// domainsOf lists the policy domains that apply to domain.
func domainsOf(domain string) []string {
	if domain == allDomains {
		return []string{allDomains}
	}
	return []string{domain, allDomains}
}

// hasAddresses reports whether any address list applies to domain.
func (a *authState) hasAddresses(lists map[string]*addressSet, domain string) bool {
	for _, d := range domainsOf(domain) {
		if set := lists[d]; set != nil && !set.empty() {
			return true
		}
	}
	return false
}

// matchAddress reports whether address is on a list that applies to domain.
func (a *authState) matchAddress(lists map[string]*addressSet, domain, address string) bool {
	for _, d := range domainsOf(domain) {
		if set := lists[d]; set != nil && set.contains(address) {
			return true
		}
	}
	return false
}

// plainValid checks a PLAIN user name and password against the users and
// password files of domain and of "*".
func (a *authState) plainValid(domain, username, password string) bool {
	for _, d := range domainsOf(domain) {
		if want, ok := a.users[d][username]; ok && want == password {
			return true
		}
		if file := a.passwords[d]; file != nil {
			if want, ok := file.lookup(username); ok && want == password {
				return true
			}
		}
	}
	return false
}

// curveValid checks a Z85 client key against the keys and certificate
// stores of domain and of "*"; it returns the certificate found in a store.
func (a *authState) curveValid(domain, key string) (bool, *Cert) {
	for _, d := range domainsOf(domain) {
		if keys := a.pubkeys[d]; keys[CURVE_ALLOW_ANY] || keys[key] {
			return true, nil
		}
		if store := a.stores[d]; store != nil {
			if cert := store.Lookup(key); cert != nil {
				return true, cert
			}
		}
	}
	return false, nil
}

// encodeAuthMetadata encodes ZAP reply metadata in name order, skipping
// names the property encoding cannot carry.
func encodeAuthMetadata(metadata map[string]string) []byte {
	names := make([]string, 0, len(metadata))
	for name := range metadata {
		if name != "" && len(name) <= 255 {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	blob := []byte{}
	for _, name := range names {
		blob = zmtp.AppendProperty(blob, name, metadata[name])
	}
	return blob
}

// AuthAllow whitelists addresses for a domain ("*" for every domain). An
// address is an IP address or a network in CIDR notation. Once a domain has
// a whitelist, other addresses are denied; NULL clients from listed
// addresses are accepted and PLAIN and CURVE clients must still
// authenticate. A whitelist makes any blacklist of the domain ineffective.
// As in pebbe/zmq4, when domain itself is an address it and the other
// addresses are whitelisted for every domain.
func AuthAllow(domain string, addresses ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	auth.addAddresses(auth.allow, domain, addresses)
}

// AuthDeny blacklists addresses for a domain ("*" for every domain):
// connections from them are refused whatever the mechanism. Addresses and
// domain are read as for AuthAllow.
func AuthDeny(domain string, addresses ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	auth.addAddresses(auth.deny, domain, addresses)
}

// addAddresses adds addresses to the list of domain in lists.
func (a *authState) addAddresses(lists map[string]*addressSet, domain string, addresses []string) {
	if _, ok := parseAddressPattern(domain); ok {
		addresses = append([]string{domain}, addresses...)
		domain = allDomains
	}
	set := lists[domain]
	if set == nil {
		set = &addressSet{}
		lists[domain] = set
	}
	for _, address := range addresses {
		prefix, ok := parseAddressPattern(address)
		if !ok {
			authLogLocked("AUTH: domain %q: %q is not a valid address or network", domain, address)
			continue
		}
		set.prefixes = append(set.prefixes, prefix)
	}
}

// addressSet is a list of IP networks (single addresses are /32 or /128).
type addressSet struct {
	prefixes []netip.Prefix
}

// empty reports whether the set lists nothing.
func (s *addressSet) empty() bool { return len(s.prefixes) == 0 }

// contains reports whether the textual address is in the set.
func (s *addressSet) contains(address string) bool {
	addr, err := netip.ParseAddr(address)
	if err != nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range s.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parseAddressPattern reads an IP address or a CIDR network.
func parseAddressPattern(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), p.IsValid()
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	addr = addr.Unmap().WithZone("")
	return netip.PrefixFrom(addr, addr.BitLen()), true
}

// AuthPlainAdd adds a PLAIN user for a domain ("*" for every domain).
func AuthPlainAdd(domain, username, password string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if auth.users[domain] == nil {
		auth.users[domain] = map[string]string{}
	}
	auth.users[domain][username] = password
}

// AuthPlainRemove removes PLAIN users of a domain added with AuthPlainAdd.
func AuthPlainRemove(domain string, usernames ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	for _, u := range usernames {
		delete(auth.users[domain], u)
	}
}

// AuthPlainRemoveAll removes every PLAIN user of a domain added with
// AuthPlainAdd.
func AuthPlainRemoveAll(domain string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	delete(auth.users, domain)
}

// AuthPlainFile makes the users listed in a password file valid PLAIN users
// of a domain, as CZMQ's zauth "PLAIN" command does. Each line is
// username=password, split at the first "="; lines starting with "#" or
// "=", and lines without "=", are ignored; nothing is trimmed but the line
// feed. The file is read again whenever it changes. An empty path removes
// the domain's password file. It fails if the file cannot be read now.
func AuthPlainFile(domain, path string) error {
	if path == "" {
		auth.mu.Lock()
		delete(auth.passwords, domain)
		auth.mu.Unlock()
		return nil
	}
	file := &passwordFile{path: path}
	if err := file.load(); err != nil {
		return err
	}
	auth.mu.Lock()
	auth.passwords[domain] = file
	auth.mu.Unlock()
	return nil
}

// AuthCurveAdd allows CURVE clients of a domain ("*" for every domain) by
// their Z85 public keys; the key CURVE_ALLOW_ANY allows every client.
func AuthCurveAdd(domain string, pubkeys ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if auth.pubkeys[domain] == nil {
		auth.pubkeys[domain] = map[string]bool{}
	}
	for _, k := range pubkeys {
		auth.pubkeys[domain][k] = true
	}
}

// AuthCurveRemove removes keys added with AuthCurveAdd from a domain.
func AuthCurveRemove(domain string, pubkeys ...string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	for _, k := range pubkeys {
		delete(auth.pubkeys[domain], k)
	}
}

// AuthCurveRemoveAll removes every key added with AuthCurveAdd from a
// domain.
func AuthCurveRemoveAll(domain string) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	delete(auth.pubkeys, domain)
}

// AuthCurveDirectory allows the CURVE clients of a domain whose public
// certificates are in dir (see CertStore), as CZMQ's zauth "CURVE" command
// does; the directory is re-read when it changes, and a certificate's
// metadata becomes the connection's ZAP metadata. dir CURVE_ALLOW_ANY allows
// every client, and "" removes the domain's directory.
func AuthCurveDirectory(domain, dir string) error {
	switch dir {
	case "":
		AuthCurveCertStore(domain, nil)
		return nil
	case CURVE_ALLOW_ANY:
		AuthCurveAdd(domain, CURVE_ALLOW_ANY)
		return nil
	}
	store, err := NewCertStore(dir)
	if err != nil {
		return err
	}
	AuthCurveCertStore(domain, store)
	return nil
}

// AuthCurveCertStore allows the CURVE clients of a domain whose
// certificates are in store (a directory or memory store); their metadata
// becomes the connection's ZAP metadata. A nil store removes the domain's
// store.
func AuthCurveCertStore(domain string, store *CertStore) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	if store == nil {
		delete(auth.stores, domain)
		return
	}
	auth.stores[domain] = store
}

// AuthSetVerbose turns logging of the authenticator's decisions on or off.
func AuthSetVerbose(verbose bool) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	auth.verbose = verbose
}

// AuthSetMetadataHandler sets a function that supplies the metadata of an
// allowed connection. It gets the ZAP request's fields (credentials as
// sent: PLAIN user name and password, CURVE 32-byte binary key). A
// "User-Id" entry becomes the reply's user id (by default the PLAIN user
// name or the Z85 CURVE key, as in CZMQ; none for NULL); the other entries
// are sent as metadata and show up as message properties on the server
// socket. nil removes the handler.
func AuthSetMetadataHandler(handler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) (metadata map[string]string)) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	auth.metaHandler = handler
}

// AuthMetaBlob encodes one metadata property as ZAP and ZMTP carry it. The
// key must be 1 to 255 bytes.
func AuthMetaBlob(key, value string) ([]byte, error) {
	if key == "" || len(key) > 255 {
		return nil, errors.New("zmq4: metadata key must be 1 to 255 bytes")
	}
	if len(value) > 1<<31-1 {
		return nil, errors.New("zmq4: metadata value too long")
	}
	return zmtp.AppendProperty(nil, key, value), nil
}

// authLog logs when verbose is on.
func authLog(format string, args ...interface{}) {
	auth.mu.Lock()
	defer auth.mu.Unlock()
	authLogLocked(format, args...)
}

// authLogLocked logs when verbose is on; call with auth.mu held.
func authLogLocked(format string, args ...interface{}) {
	if auth.verbose {
		log.Printf(format, args...)
	}
}

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
