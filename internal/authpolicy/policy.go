// Package authpolicy is the decision engine of zmq4's authenticator, a ZAP
// handler (RFC 27) in the style of pebbe/zmq4 and CZMQ's zauth: address
// whitelists and blacklists, PLAIN users (in memory and in password files),
// CURVE keys and certificate stores, all kept per ZAP domain, and the
// answer to one ZAP request. The root package owns the handler socket and
// the public Auth functions; this package sees only request and reply
// frames.
//
// Policies are kept per ZAP domain; the domain "*" (AllDomains) applies to
// every domain. Until policies are added, NULL connections are allowed and
// PLAIN and CURVE connections are denied.
package authpolicy

import (
	"fmt"
	"log"
	"log/slog"
	"maps"
	"sort"
	"sync"

	"github.com/purezmq/zmq4/internal/z85"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// AllDomains is the domain whose policies apply to every domain.
const AllDomains = "*"

// AnyKey, added as a CURVE key, allows every CURVE client (zmq4's
// CURVE_ALLOW_ANY).
const AnyKey = "*"

// curveKeyLen is the length of a CURVE public key in a ZAP request.
const curveKeyLen = 32

// MetadataHandler supplies the metadata of an allowed connection from the
// ZAP request's fields (credentials as sent). A "User-Id" entry becomes the
// reply's user id.
type MetadataHandler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string

// CertStore finds CURVE clients' certificates by public key.
type CertStore interface {
	// Metadata returns the metadata of the certificate whose Z85 public
	// key is key, and false when the store holds no such certificate.
	Metadata(key string) (map[string]string, bool)
}

// Policy is one authenticator's policies and log settings. It is safe for
// concurrent use; its zero value is not, use New.
type Policy struct {
	mu          sync.Mutex
	verbose     bool
	logger      *slog.Logger           // where verbose output goes; nil: the log package
	allow       map[string]*addressSet // whitelists by domain
	deny        map[string]*addressSet // blacklists by domain
	users       map[string]map[string]string
	passwords   map[string]*passwordFile
	pubkeys     map[string]map[string]bool
	stores      map[string]CertStore
	metaHandler MetadataHandler
}

// New returns a Policy with no policies: NULL is allowed, PLAIN and CURVE
// are denied.
func New() *Policy {
	return &Policy{
		allow:     map[string]*addressSet{},
		deny:      map[string]*addressSet{},
		users:     map[string]map[string]string{},
		passwords: map[string]*passwordFile{},
		pubkeys:   map[string]map[string]bool{},
		stores:    map[string]CertStore{},
	}
}

// Reply decides one ZAP request, given as the frames after the REP
// envelope (version, request id, domain, address, identity, mechanism,
// credentials...), and returns the six reply frames (version, request id,
// status code, status text, user id, metadata). A malformed request gets
// status 500, a refused one 400, an allowed one 200.
func (p *Policy) Reply(request [][]byte) [][]byte {
	if len(request) < 6 || string(request[0]) != "1.0" {
		p.Logf("AUTH: malformed request (%d frames)", len(request))
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

	allowed, userID, metadata := p.decide(domain, address, mechanismName, credentials)
	if !allowed {
		return [][]byte{[]byte(version), []byte(requestID), []byte("400"), []byte("No access"), {}, {}}
	}
	p.mu.Lock()
	handler := p.metaHandler
	p.mu.Unlock()
	if handler != nil {
		for k, v := range handler(version, requestID, domain, address, identity, mechanismName, credentials...) {
			metadata[k] = v
		}
	}
	if id, ok := metadata["User-Id"]; ok {
		userID = id
		delete(metadata, "User-Id")
	}
	return [][]byte{[]byte(version), []byte(requestID), []byte("200"), []byte("OK"), []byte(userID), encodeMetadata(metadata)}
}

// decide applies the address policy, then the mechanism's check. It
// returns the default user id (PLAIN user name, CURVE Z85 key) and the
// metadata of the client's certificate when one was found.
func (p *Policy) decide(domain, address, mechanismName string, credentials []string) (allowed bool, userID string, metadata map[string]string) {
	metadata = map[string]string{}
	p.mu.Lock()
	defer p.mu.Unlock()

	whitelisted := false
	switch {
	case hasAddresses(p.allow, domain):
		if !matchAddress(p.allow, domain, address) {
			p.logLocked("AUTH: DENIED (not in whitelist) domain=%q address=%q", domain, address)
			return false, "", nil
		}
		whitelisted = true
		p.logLocked("AUTH: PASSED (whitelist) domain=%q address=%q", domain, address)
	case hasAddresses(p.deny, domain):
		if matchAddress(p.deny, domain, address) {
			p.logLocked("AUTH: DENIED (blacklist) domain=%q address=%q", domain, address)
			return false, "", nil
		}
		p.logLocked("AUTH: PASSED (not in blacklist) domain=%q address=%q", domain, address)
	}

	switch mechanismName {
	case "NULL":
		if !whitelisted {
			p.logLocked("AUTH: ALLOWED (NULL)")
		}
		return true, "", metadata
	case "PLAIN":
		if len(credentials) != 2 {
			return false, "", nil
		}
		if !p.plainValid(domain, credentials[0], credentials[1]) {
			p.logLocked("AUTH: DENIED (PLAIN) domain=%q username=%q", domain, credentials[0])
			return false, "", nil
		}
		p.logLocked("AUTH: ALLOWED (PLAIN) domain=%q username=%q", domain, credentials[0])
		return true, credentials[0], metadata
	case "CURVE":
		if len(credentials) != 1 || len(credentials[0]) != curveKeyLen {
			return false, "", nil
		}
		key, _ := z85.Encode([]byte(credentials[0])) // 32 bytes always encode
		ok, certMetadata := p.curveValid(domain, key)
		if !ok {
			p.logLocked("AUTH: DENIED (CURVE) domain=%q client_key=%q", domain, key)
			return false, "", nil
		}
		p.logLocked("AUTH: ALLOWED (CURVE) domain=%q client_key=%q", domain, key)
		for name, value := range certMetadata {
			metadata[name] = value
		}
		return true, key, metadata
	}
	p.logLocked("AUTH: DENIED (mechanism %q) domain=%q", mechanismName, domain)
	return false, "", nil
}

// domainsOf lists the policy domains that apply to domain.
func domainsOf(domain string) []string {
	if domain == AllDomains {
		return []string{AllDomains}
	}
	return []string{domain, AllDomains}
}

// plainValid checks a PLAIN user name and password against the users and
// password files of domain and of "*". Call with p.mu held.
func (p *Policy) plainValid(domain, username, password string) bool {
	for _, d := range domainsOf(domain) {
		if want, ok := p.users[d][username]; ok && want == password {
			return true
		}
		if file := p.passwords[d]; file != nil {
			if want, ok := file.lookup(username); ok && want == password {
				return true
			}
		}
	}
	return false
}

// curveValid checks a Z85 client key against the keys and certificate
// stores of domain and of "*"; it returns the metadata of the certificate
// found in a store. Call with p.mu held.
func (p *Policy) curveValid(domain, key string) (bool, map[string]string) {
	for _, d := range domainsOf(domain) {
		if keys := p.pubkeys[d]; keys[AnyKey] || keys[key] {
			return true, nil
		}
		if store := p.stores[d]; store != nil {
			if metadata, ok := store.Metadata(key); ok {
				return true, metadata
			}
		}
	}
	return false, nil
}

// encodeMetadata encodes ZAP reply metadata in name order, skipping names
// the property encoding cannot carry.
func encodeMetadata(metadata map[string]string) []byte {
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

// Allow whitelists addresses (IP addresses or CIDR networks) for domain.
// When domain itself is an address, it and the others are whitelisted for
// every domain (pebbe/zmq4's reading). Invalid addresses are logged and
// skipped.
func (p *Policy) Allow(domain string, addresses []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addAddresses(p.allow, domain, addresses)
}

// Deny blacklists addresses for domain, read as for Allow.
func (p *Policy) Deny(domain string, addresses []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addAddresses(p.deny, domain, addresses)
}

// addAddresses adds addresses to the list of domain in lists. Call with
// p.mu held.
func (p *Policy) addAddresses(lists map[string]*addressSet, domain string, addresses []string) {
	if _, ok := parseAddressPattern(domain); ok {
		addresses = append([]string{domain}, addresses...)
		domain = AllDomains
	}
	set := lists[domain]
	if set == nil {
		set = &addressSet{}
		lists[domain] = set
	}
	for _, address := range addresses {
		prefix, ok := parseAddressPattern(address)
		if !ok {
			p.logLocked("AUTH: domain %q: %q is not a valid address or network", domain, address)
			continue
		}
		set.prefixes = append(set.prefixes, prefix)
	}
}

// PlainAdd adds a PLAIN user to domain.
func (p *Policy) PlainAdd(domain, username, password string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.users[domain] == nil {
		p.users[domain] = map[string]string{}
	}
	p.users[domain][username] = password
}

// PlainRemove removes PLAIN users added with PlainAdd from domain.
func (p *Policy) PlainRemove(domain string, usernames []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range usernames {
		delete(p.users[domain], u)
	}
}

// PlainRemoveAll removes every PLAIN user added with PlainAdd from domain.
func (p *Policy) PlainRemoveAll(domain string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.users, domain)
}

// PlainFile makes the users of a username=password file valid PLAIN users
// of domain; the file is read now and again whenever it changes. An empty
// path removes the domain's file. It fails if the file cannot be read now.
func (p *Policy) PlainFile(domain, path string) error {
	if path == "" {
		p.mu.Lock()
		delete(p.passwords, domain)
		p.mu.Unlock()
		return nil
	}
	file := &passwordFile{path: path}
	if err := file.load(); err != nil {
		return err
	}
	p.mu.Lock()
	p.passwords[domain] = file
	p.mu.Unlock()
	return nil
}

// CurveAdd allows CURVE clients of domain by their Z85 public keys; AnyKey
// allows every client.
func (p *Policy) CurveAdd(domain string, pubkeys []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pubkeys[domain] == nil {
		p.pubkeys[domain] = map[string]bool{}
	}
	for _, k := range pubkeys {
		p.pubkeys[domain][k] = true
	}
}

// CurveRemove removes keys added with CurveAdd from domain.
func (p *Policy) CurveRemove(domain string, pubkeys []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range pubkeys {
		delete(p.pubkeys[domain], k)
	}
}

// CurveRemoveAll removes every key added with CurveAdd from domain.
func (p *Policy) CurveRemoveAll(domain string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pubkeys, domain)
}

// SetCertStore allows the CURVE clients of domain whose certificates store
// holds; their metadata becomes the reply's metadata. A nil store removes
// the domain's store.
func (p *Policy) SetCertStore(domain string, store CertStore) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if store == nil {
		delete(p.stores, domain)
		return
	}
	p.stores[domain] = store
}

// SetVerbose turns logging (Logf and the decisions) on or off.
func (p *Policy) SetVerbose(verbose bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.verbose = verbose
}

// SetLogger sends the log to logger at Info level instead of the standard
// log package; nil restores the log package.
func (p *Policy) SetLogger(logger *slog.Logger) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logger = logger
}

// SetMetadataHandler sets the function that supplies an allowed
// connection's metadata; nil removes it.
func (p *Policy) SetMetadataHandler(handler MetadataHandler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.metaHandler = handler
}

// Logf logs when verbose is on.
func (p *Policy) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logLocked(format, args...)
}

// logLocked logs when verbose is on; call with p.mu held.
func (p *Policy) logLocked(format string, args ...any) {
	switch {
	case !p.verbose:
	case p.logger != nil:
		p.logger.Info(fmt.Sprintf(format, args...), "component", "zmq4.auth")
	default:
		log.Printf(format, args...)
	}
}

// Snapshot returns a copy of p's policies, verbose flag and metadata
// handler, for Restore; tests use the pair to undo what they add to a
// shared policy.
func (p *Policy) Snapshot() *Policy {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &Policy{
		verbose:     p.verbose,
		metaHandler: p.metaHandler,
		allow:       map[string]*addressSet{},
		deny:        map[string]*addressSet{},
		users:       map[string]map[string]string{},
		passwords:   map[string]*passwordFile{},
		pubkeys:     map[string]map[string]bool{},
		stores:      map[string]CertStore{},
	}
	for d, set := range p.allow {
		s.allow[d] = &addressSet{prefixes: append(set.prefixes[:0:0], set.prefixes...)}
	}
	for d, set := range p.deny {
		s.deny[d] = &addressSet{prefixes: append(set.prefixes[:0:0], set.prefixes...)}
	}
	for d, u := range p.users {
		s.users[d] = maps.Clone(u)
	}
	for d, k := range p.pubkeys {
		s.pubkeys[d] = maps.Clone(k)
	}
	maps.Copy(s.passwords, p.passwords)
	maps.Copy(s.stores, p.stores)
	return s
}

// Restore puts back the policies, verbose flag and metadata handler of a
// Snapshot (the logger is left as it is). The snapshot must not be used
// afterwards.
func (p *Policy) Restore(s *Policy) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.verbose, p.metaHandler = s.verbose, s.metaHandler
	p.allow, p.deny, p.users = s.allow, s.deny, s.users
	p.passwords, p.pubkeys, p.stores = s.passwords, s.pubkeys, s.stores
}
