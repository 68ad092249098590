package zmq4

import (
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// The authenticator is a ZAP handler (RFC 27) in the style of pebbe/zmq4 and
// CZMQ's zauth. Each context has its own: ctx.AuthStart binds a REP socket
// at inproc://zeromq.zap.01 in ctx, so it checks the connections of ctx's
// sockets, and only those (as in libzmq, a ZAP handler serves the context
// it is bound in). Its policies are set with the Context's Auth methods and
// are kept per ZAP domain; the domain "*" applies to every domain. Policies
// survive AuthStop.
//
// The package-level functions (AuthStart, AuthAllow, ...) configure and run
// the default context's authenticator, whose policies also survive Term of
// the default context: a later AuthStart runs them in the new default
// context.
//
// Until policies are added, NULL connections are allowed and PLAIN and
// CURVE connections are denied.

// authenticator is one ZAP handler: its policies and its running state.
type authenticator struct {
	mu          sync.Mutex // guards the fields up to metaHandler
	verbose     bool
	logger      *slog.Logger           // where verbose output goes; nil: the log package
	allow       map[string]*addressSet // whitelists by domain
	deny        map[string]*addressSet // blacklists by domain
	users       map[string]map[string]string
	passwords   map[string]*passwordFile
	pubkeys     map[string]map[string]bool
	stores      map[string]*CertStore
	metaHandler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string

	runMu   sync.Mutex    // guards handler and done
	handler *Socket       // the REP socket while running
	done    chan struct{} // closed when the handler goroutine ends; nil when never started or stopped
}

func newAuthenticator() *authenticator {
	return &authenticator{
		allow:     map[string]*addressSet{},
		deny:      map[string]*addressSet{},
		users:     map[string]map[string]string{},
		passwords: map[string]*passwordFile{},
		pubkeys:   map[string]map[string]bool{},
		stores:    map[string]*CertStore{},
	}
}

// defaultAuth is the authenticator of the package-level Auth functions.
// Every default context shares it, so its policies outlive Term.
var defaultAuth = newAuthenticator()

// authenticator returns the context's authenticator, making it on first
// use.
func (c *Context) authenticator() *authenticator {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.auth == nil {
		c.auth = newAuthenticator()
	}
	return c.auth
}

// allDomains is the domain whose policies apply to every domain.
const allDomains = "*"

// AuthStart starts the default context's authenticator (see
// Context.AuthStart). Sockets of contexts made with NewContext are not
// checked by it; start theirs with their Context's AuthStart.
func AuthStart() error { return defaultAuth.start(getDefaultContext()) }

// AuthStart starts the context's authenticator: a ZAP handler bound at
// inproc://zeromq.zap.01 in c. From then on c's sockets ask it about their
// peers as libzmq asks its ZAP handler (PLAIN and CURVE servers always,
// NULL sockets when they have a ZAP domain), and it decides by the policies
// set with c's Auth methods. It fails if a handler is
// already bound there or c is terminated. The handler stops with AuthStop
// or when c is terminated.
func (c *Context) AuthStart() error { return c.authenticator().start(c) }

// start runs the authenticator in context c.
func (a *authenticator) start(c *Context) error {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	if a.done != nil {
		if !a.handler.ctx.terminated() {
			a.log("AUTH: Already running")
			return errors.New("zmq4: auth is already running")
		}
		// The handler ends with its context; Term may return a moment
		// before its goroutine has finished.
		<-a.done
	}
	handler, err := c.NewSocket(REP)
	if err != nil {
		return err
	}
	handler.SetLinger(0)
	if err := handler.Bind(zapEndpoint); err != nil {
		handler.Close()
		return err
	}
	done := make(chan struct{})
	a.handler, a.done = handler, done
	go a.serve(handler, done)
	a.log("AUTH: Starting")
	return nil
}

// AuthStop stops the default context's authenticator (see
// Context.AuthStop).
func AuthStop() { defaultAuth.stop() }

// AuthStop stops the context's authenticator and waits until its handler
// has unbound; it does nothing when the authenticator is not running.
// Policies are kept for a later AuthStart.
func (c *Context) AuthStop() { c.authenticator().stop() }

func (a *authenticator) stop() {
	a.runMu.Lock()
	defer a.runMu.Unlock()
	if a.done == nil {
		a.log("AUTH: Not running, can't stop")
		return
	}
	a.log("AUTH: Stopping")
	a.handler.Close()
	<-a.done
	a.handler, a.done = nil, nil
	a.log("AUTH: Stopped")
}

// serve answers ZAP requests until the socket is closed or its context
// ends.
func (a *authenticator) serve(handler *Socket, done chan struct{}) {
	defer close(done)
	defer handler.Close()
	for {
		request, err := handler.RecvMessageBytes(0)
		if err != nil {
			a.log("AUTH: Quitting: %v", err)
			return
		}
		if _, err := handler.SendMessage(a.reply(request)); err != nil {
			a.log("AUTH: Quitting: %v", err)
			return
		}
	}
}

// reply decides one ZAP request and returns the reply frames (after the
// REP envelope).
func (a *authenticator) reply(request [][]byte) [][]byte {
	if len(request) < 6 || string(request[0]) != "1.0" {
		a.log("AUTH: malformed request (%d frames)", len(request))
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

	allowed, userID, metadata := a.decide(domain, address, mechanismName, credentials)
	if !allowed {
		return [][]byte{[]byte(version), []byte(requestID), []byte("400"), []byte("No access"), {}, {}}
	}
	a.mu.Lock()
	handler := a.metaHandler
	a.mu.Unlock()
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

// decide applies the address policy, then the mechanism's check. It
// returns the default user id (PLAIN user name, CURVE Z85 key) and the
// metadata of the client's certificate when one was found.
func (a *authenticator) decide(domain, address, mechanismName string, credentials []string) (allowed bool, userID string, metadata map[string]string) {
	metadata = map[string]string{}
	a.mu.Lock()
	defer a.mu.Unlock()

	whitelisted := false
	switch {
	case a.hasAddresses(a.allow, domain):
		if !a.matchAddress(a.allow, domain, address) {
			a.logLocked("AUTH: DENIED (not in whitelist) domain=%q address=%q", domain, address)
			return false, "", nil
		}
		whitelisted = true
		a.logLocked("AUTH: PASSED (whitelist) domain=%q address=%q", domain, address)
	case a.hasAddresses(a.deny, domain):
		if a.matchAddress(a.deny, domain, address) {
			a.logLocked("AUTH: DENIED (blacklist) domain=%q address=%q", domain, address)
			return false, "", nil
		}
		a.logLocked("AUTH: PASSED (not in blacklist) domain=%q address=%q", domain, address)
	}

	switch mechanismName {
	case "NULL":
		if !whitelisted {
			a.logLocked("AUTH: ALLOWED (NULL)")
		}
		return true, "", metadata
	case "PLAIN":
		if len(credentials) != 2 {
			return false, "", nil
		}
		if !a.plainValid(domain, credentials[0], credentials[1]) {
			a.logLocked("AUTH: DENIED (PLAIN) domain=%q username=%q", domain, credentials[0])
			return false, "", nil
		}
		a.logLocked("AUTH: ALLOWED (PLAIN) domain=%q username=%q", domain, credentials[0])
		return true, credentials[0], metadata
	case "CURVE":
		if len(credentials) != 1 || len(credentials[0]) != curveKeyLen {
			return false, "", nil
		}
		key := Z85encode(credentials[0])
		ok, cert := a.curveValid(domain, key)
		if !ok {
			a.logLocked("AUTH: DENIED (CURVE) domain=%q client_key=%q", domain, key)
			return false, "", nil
		}
		a.logLocked("AUTH: ALLOWED (CURVE) domain=%q client_key=%q", domain, key)
		if cert != nil {
			for _, m := range cert.metaCopy() {
				metadata[m.name] = m.value
			}
		}
		return true, key, metadata
	}
	a.logLocked("AUTH: DENIED (mechanism %q) domain=%q", mechanismName, domain)
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
func (a *authenticator) hasAddresses(lists map[string]*addressSet, domain string) bool {
	for _, d := range domainsOf(domain) {
		if set := lists[d]; set != nil && !set.empty() {
			return true
		}
	}
	return false
}

// matchAddress reports whether address is on a list that applies to domain.
func (a *authenticator) matchAddress(lists map[string]*addressSet, domain, address string) bool {
	for _, d := range domainsOf(domain) {
		if set := lists[d]; set != nil && set.contains(address) {
			return true
		}
	}
	return false
}

// plainValid checks a PLAIN user name and password against the users and
// password files of domain and of "*".
func (a *authenticator) plainValid(domain, username, password string) bool {
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
func (a *authenticator) curveValid(domain, key string) (bool, *Cert) {
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

// AuthAllow whitelists addresses for a domain ("*" for every domain) in
// the default context's authenticator. An address is an IP address or a
// network in CIDR notation. Once a domain has a whitelist, other addresses
// are denied; NULL clients from listed addresses are accepted and PLAIN and
// CURVE clients must still authenticate. A whitelist makes any blacklist of
// the domain ineffective. As in pebbe/zmq4, when domain itself is an
// address it and the other addresses are whitelisted for every domain.
func AuthAllow(domain string, addresses ...string) { defaultAuth.allowAddresses(domain, addresses) }

// AuthAllow is the package-level AuthAllow for c's authenticator.
func (c *Context) AuthAllow(domain string, addresses ...string) {
	c.authenticator().allowAddresses(domain, addresses)
}

func (a *authenticator) allowAddresses(domain string, addresses []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addAddresses(a.allow, domain, addresses)
}

// AuthDeny blacklists addresses for a domain ("*" for every domain) in the
// default context's authenticator: connections from them are refused
// whatever the mechanism. Addresses and domain are read as for AuthAllow.
func AuthDeny(domain string, addresses ...string) { defaultAuth.denyAddresses(domain, addresses) }

// AuthDeny is the package-level AuthDeny for c's authenticator.
func (c *Context) AuthDeny(domain string, addresses ...string) {
	c.authenticator().denyAddresses(domain, addresses)
}

func (a *authenticator) denyAddresses(domain string, addresses []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addAddresses(a.deny, domain, addresses)
}

// addAddresses adds addresses to the list of domain in lists.
func (a *authenticator) addAddresses(lists map[string]*addressSet, domain string, addresses []string) {
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
			a.logLocked("AUTH: domain %q: %q is not a valid address or network", domain, address)
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

// AuthPlainAdd adds a PLAIN user for a domain ("*" for every domain) to the
// default context's authenticator.
func AuthPlainAdd(domain, username, password string) {
	defaultAuth.plainAdd(domain, username, password)
}

// AuthPlainAdd is the package-level AuthPlainAdd for c's authenticator.
func (c *Context) AuthPlainAdd(domain, username, password string) {
	c.authenticator().plainAdd(domain, username, password)
}

func (a *authenticator) plainAdd(domain, username, password string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.users[domain] == nil {
		a.users[domain] = map[string]string{}
	}
	a.users[domain][username] = password
}

// AuthPlainRemove removes PLAIN users of a domain added with AuthPlainAdd
// from the default context's authenticator.
func AuthPlainRemove(domain string, usernames ...string) { defaultAuth.plainRemove(domain, usernames) }

// AuthPlainRemove is the package-level AuthPlainRemove for c's
// authenticator.
func (c *Context) AuthPlainRemove(domain string, usernames ...string) {
	c.authenticator().plainRemove(domain, usernames)
}

func (a *authenticator) plainRemove(domain string, usernames []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, u := range usernames {
		delete(a.users[domain], u)
	}
}

// AuthPlainRemoveAll removes every PLAIN user of a domain added with
// AuthPlainAdd from the default context's authenticator.
func AuthPlainRemoveAll(domain string) { defaultAuth.plainRemoveAll(domain) }

// AuthPlainRemoveAll is the package-level AuthPlainRemoveAll for c's
// authenticator.
func (c *Context) AuthPlainRemoveAll(domain string) { c.authenticator().plainRemoveAll(domain) }

func (a *authenticator) plainRemoveAll(domain string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.users, domain)
}

// AuthPlainFile makes the users listed in a password file valid PLAIN users
// of a domain in the default context's authenticator, as CZMQ's zauth
// "PLAIN" command does. Each line is username=password, split at the first
// "="; lines starting with "#" or "=", and lines without "=", are ignored;
// nothing is trimmed but the line feed. The file is read again whenever it
// changes. An empty path removes the domain's password file. It fails if
// the file cannot be read now.
func AuthPlainFile(domain, path string) error { return defaultAuth.plainFile(domain, path) }

// AuthPlainFile is the package-level AuthPlainFile for c's authenticator.
func (c *Context) AuthPlainFile(domain, path string) error {
	return c.authenticator().plainFile(domain, path)
}

func (a *authenticator) plainFile(domain, path string) error {
	if path == "" {
		a.mu.Lock()
		delete(a.passwords, domain)
		a.mu.Unlock()
		return nil
	}
	file := &passwordFile{path: path}
	if err := file.load(); err != nil {
		return err
	}
	a.mu.Lock()
	a.passwords[domain] = file
	a.mu.Unlock()
	return nil
}

// AuthCurveAdd allows CURVE clients of a domain ("*" for every domain) by
// their Z85 public keys in the default context's authenticator; the key
// CURVE_ALLOW_ANY allows every client.
func AuthCurveAdd(domain string, pubkeys ...string) { defaultAuth.curveAdd(domain, pubkeys) }

// AuthCurveAdd is the package-level AuthCurveAdd for c's authenticator.
func (c *Context) AuthCurveAdd(domain string, pubkeys ...string) {
	c.authenticator().curveAdd(domain, pubkeys)
}

func (a *authenticator) curveAdd(domain string, pubkeys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pubkeys[domain] == nil {
		a.pubkeys[domain] = map[string]bool{}
	}
	for _, k := range pubkeys {
		a.pubkeys[domain][k] = true
	}
}

// AuthCurveRemove removes keys added with AuthCurveAdd from a domain of the
// default context's authenticator.
func AuthCurveRemove(domain string, pubkeys ...string) { defaultAuth.curveRemove(domain, pubkeys) }

// AuthCurveRemove is the package-level AuthCurveRemove for c's
// authenticator.
func (c *Context) AuthCurveRemove(domain string, pubkeys ...string) {
	c.authenticator().curveRemove(domain, pubkeys)
}

func (a *authenticator) curveRemove(domain string, pubkeys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range pubkeys {
		delete(a.pubkeys[domain], k)
	}
}

// AuthCurveRemoveAll removes every key added with AuthCurveAdd from a
// domain of the default context's authenticator.
func AuthCurveRemoveAll(domain string) { defaultAuth.curveRemoveAll(domain) }

// AuthCurveRemoveAll is the package-level AuthCurveRemoveAll for c's
// authenticator.
func (c *Context) AuthCurveRemoveAll(domain string) { c.authenticator().curveRemoveAll(domain) }

func (a *authenticator) curveRemoveAll(domain string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.pubkeys, domain)
}

// AuthCurveDirectory allows the CURVE clients of a domain whose public
// certificates are in dir (see CertStore) in the default context's
// authenticator, as CZMQ's zauth "CURVE" command does; the directory is
// re-read when it changes, and a certificate's metadata becomes the
// connection's ZAP metadata. dir CURVE_ALLOW_ANY allows every client, and
// "" removes the domain's directory.
func AuthCurveDirectory(domain, dir string) error { return defaultAuth.curveDirectory(domain, dir) }

// AuthCurveDirectory is the package-level AuthCurveDirectory for c's
// authenticator.
func (c *Context) AuthCurveDirectory(domain, dir string) error {
	return c.authenticator().curveDirectory(domain, dir)
}

func (a *authenticator) curveDirectory(domain, dir string) error {
	switch dir {
	case "":
		a.curveCertStore(domain, nil)
		return nil
	case CURVE_ALLOW_ANY:
		a.curveAdd(domain, []string{CURVE_ALLOW_ANY})
		return nil
	}
	store, err := NewCertStore(dir)
	if err != nil {
		return err
	}
	a.curveCertStore(domain, store)
	return nil
}

// AuthCurveCertStore allows the CURVE clients of a domain whose
// certificates are in store (a directory or memory store) in the default
// context's authenticator; their metadata becomes the connection's ZAP
// metadata. A nil store removes the domain's store.
func AuthCurveCertStore(domain string, store *CertStore) { defaultAuth.curveCertStore(domain, store) }

// AuthCurveCertStore is the package-level AuthCurveCertStore for c's
// authenticator.
func (c *Context) AuthCurveCertStore(domain string, store *CertStore) {
	c.authenticator().curveCertStore(domain, store)
}

func (a *authenticator) curveCertStore(domain string, store *CertStore) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if store == nil {
		delete(a.stores, domain)
		return
	}
	a.stores[domain] = store
}

// AuthSetVerbose turns logging of the default context's authenticator's
// decisions on or off.
func AuthSetVerbose(verbose bool) { defaultAuth.setVerbose(verbose) }

// AuthSetVerbose turns logging of c's authenticator's decisions on or off.
func (c *Context) AuthSetVerbose(verbose bool) { c.authenticator().setVerbose(verbose) }

func (a *authenticator) setVerbose(verbose bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.verbose = verbose
}

// AuthSetLogger sends the default context's authenticator's log to logger,
// at Info level, instead of the standard log package; nil restores the log
// package. AuthSetVerbose still decides whether it logs.
func AuthSetLogger(logger *slog.Logger) { defaultAuth.setLogger(logger) }

// AuthSetLogger is the package-level AuthSetLogger for c's authenticator.
func (c *Context) AuthSetLogger(logger *slog.Logger) { c.authenticator().setLogger(logger) }

func (a *authenticator) setLogger(logger *slog.Logger) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logger = logger
}

// AuthSetMetadataHandler sets a function that supplies the metadata of a
// connection the default context's authenticator allowed. It gets the ZAP
// request's fields (credentials as sent: PLAIN user name and password,
// CURVE 32-byte binary key). A "User-Id" entry becomes the reply's user id
// (by default the PLAIN user name or the Z85 CURVE key, as in CZMQ; none
// for NULL); the other entries are sent as metadata and show up as message
// properties on the server socket. nil removes the handler.
func AuthSetMetadataHandler(handler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) (metadata map[string]string)) {
	defaultAuth.setMetadataHandler(handler)
}

// AuthSetMetadataHandler is the package-level AuthSetMetadataHandler for
// c's authenticator.
func (c *Context) AuthSetMetadataHandler(handler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) (metadata map[string]string)) {
	c.authenticator().setMetadataHandler(handler)
}

func (a *authenticator) setMetadataHandler(handler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.metaHandler = handler
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

// log logs when verbose is on.
func (a *authenticator) log(format string, args ...interface{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logLocked(format, args...)
}

// logLocked logs when verbose is on; call with a.mu held.
func (a *authenticator) logLocked(format string, args ...interface{}) {
	switch {
	case !a.verbose:
	case a.logger != nil:
		a.logger.Info(fmt.Sprintf(format, args...), "component", "zmq4.auth")
	default:
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
