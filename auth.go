package zmq4

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/purezmq/zmq4/internal/authpolicy"
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
// CURVE connections are denied. The policies and the decision on each
// request live in internal/authpolicy; this file has the public functions
// and the handler socket.

// authenticator is one ZAP handler: its policies and its running state.
type authenticator struct {
	policy *authpolicy.Policy // safe for concurrent use on its own

	runMu   sync.Mutex    // guards handler and done
	handler *Socket       // the REP socket while running
	done    chan struct{} // closed when the handler goroutine ends; nil when never started or stopped
}

func newAuthenticator() *authenticator {
	return &authenticator{policy: authpolicy.New()}
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
			a.policy.Logf("AUTH: Already running")
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
	a.policy.Logf("AUTH: Starting")
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
		a.policy.Logf("AUTH: Not running, can't stop")
		return
	}
	a.policy.Logf("AUTH: Stopping")
	a.handler.Close()
	<-a.done
	a.handler, a.done = nil, nil
	a.policy.Logf("AUTH: Stopped")
}

// serve answers ZAP requests until the socket is closed or its context
// ends.
func (a *authenticator) serve(handler *Socket, done chan struct{}) {
	defer close(done)
	defer handler.Close()
	for {
		request, err := handler.RecvMessageBytes(0)
		if err != nil {
			a.policy.Logf("AUTH: Quitting: %v", err)
			return
		}
		if _, err := handler.SendMessage(a.policy.Reply(request)); err != nil {
			a.policy.Logf("AUTH: Quitting: %v", err)
			return
		}
	}
}

// AuthAllow whitelists addresses for a domain ("*" for every domain) in
// the default context's authenticator. An address is an IP address or a
// network in CIDR notation. Once a domain has a whitelist, other addresses
// are denied; NULL clients from listed addresses are accepted and PLAIN and
// CURVE clients must still authenticate. A whitelist makes any blacklist of
// the domain ineffective. As in pebbe/zmq4, when domain itself is an
// address it and the other addresses are whitelisted for every domain.
func AuthAllow(domain string, addresses ...string) { defaultAuth.policy.Allow(domain, addresses) }

// AuthAllow is the package-level AuthAllow for c's authenticator.
func (c *Context) AuthAllow(domain string, addresses ...string) {
	c.authenticator().policy.Allow(domain, addresses)
}

// AuthDeny blacklists addresses for a domain ("*" for every domain) in the
// default context's authenticator: connections from them are refused
// whatever the mechanism. Addresses and domain are read as for AuthAllow.
func AuthDeny(domain string, addresses ...string) { defaultAuth.policy.Deny(domain, addresses) }

// AuthDeny is the package-level AuthDeny for c's authenticator.
func (c *Context) AuthDeny(domain string, addresses ...string) {
	c.authenticator().policy.Deny(domain, addresses)
}

// AuthPlainAdd adds a PLAIN user for a domain ("*" for every domain) to the
// default context's authenticator.
func AuthPlainAdd(domain, username, password string) {
	defaultAuth.policy.PlainAdd(domain, username, password)
}

// AuthPlainAdd is the package-level AuthPlainAdd for c's authenticator.
func (c *Context) AuthPlainAdd(domain, username, password string) {
	c.authenticator().policy.PlainAdd(domain, username, password)
}

// AuthPlainRemove removes PLAIN users of a domain added with AuthPlainAdd
// from the default context's authenticator.
func AuthPlainRemove(domain string, usernames ...string) {
	defaultAuth.policy.PlainRemove(domain, usernames)
}

// AuthPlainRemove is the package-level AuthPlainRemove for c's
// authenticator.
func (c *Context) AuthPlainRemove(domain string, usernames ...string) {
	c.authenticator().policy.PlainRemove(domain, usernames)
}

// AuthPlainRemoveAll removes every PLAIN user of a domain added with
// AuthPlainAdd from the default context's authenticator.
func AuthPlainRemoveAll(domain string) { defaultAuth.policy.PlainRemoveAll(domain) }

// AuthPlainRemoveAll is the package-level AuthPlainRemoveAll for c's
// authenticator.
func (c *Context) AuthPlainRemoveAll(domain string) { c.authenticator().policy.PlainRemoveAll(domain) }

// AuthPlainFile makes the users listed in a password file valid PLAIN users
// of a domain in the default context's authenticator, as CZMQ's zauth
// "PLAIN" command does. Each line is username=password, split at the first
// "="; lines starting with "#" or "=", and lines without "=", are ignored;
// nothing is trimmed but the line feed. The file is read again whenever it
// changes. An empty path removes the domain's password file. It fails if
// the file cannot be read now.
func AuthPlainFile(domain, path string) error { return defaultAuth.policy.PlainFile(domain, path) }

// AuthPlainFile is the package-level AuthPlainFile for c's authenticator.
func (c *Context) AuthPlainFile(domain, path string) error {
	return c.authenticator().policy.PlainFile(domain, path)
}

// AuthCurveAdd allows CURVE clients of a domain ("*" for every domain) by
// their Z85 public keys in the default context's authenticator; the key
// CURVE_ALLOW_ANY allows every client.
func AuthCurveAdd(domain string, pubkeys ...string) { defaultAuth.policy.CurveAdd(domain, pubkeys) }

// AuthCurveAdd is the package-level AuthCurveAdd for c's authenticator.
func (c *Context) AuthCurveAdd(domain string, pubkeys ...string) {
	c.authenticator().policy.CurveAdd(domain, pubkeys)
}

// AuthCurveRemove removes keys added with AuthCurveAdd from a domain of the
// default context's authenticator.
func AuthCurveRemove(domain string, pubkeys ...string) {
	defaultAuth.policy.CurveRemove(domain, pubkeys)
}

// AuthCurveRemove is the package-level AuthCurveRemove for c's
// authenticator.
func (c *Context) AuthCurveRemove(domain string, pubkeys ...string) {
	c.authenticator().policy.CurveRemove(domain, pubkeys)
}

// AuthCurveRemoveAll removes every key added with AuthCurveAdd from a
// domain of the default context's authenticator.
func AuthCurveRemoveAll(domain string) { defaultAuth.policy.CurveRemoveAll(domain) }

// AuthCurveRemoveAll is the package-level AuthCurveRemoveAll for c's
// authenticator.
func (c *Context) AuthCurveRemoveAll(domain string) { c.authenticator().policy.CurveRemoveAll(domain) }

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

// curveDirectory loads dir as a CertStore for domain, or applies "" and
// CURVE_ALLOW_ANY as AuthCurveDirectory describes.
func (a *authenticator) curveDirectory(domain, dir string) error {
	switch dir {
	case "":
		a.curveCertStore(domain, nil)
		return nil
	case CURVE_ALLOW_ANY:
		a.policy.CurveAdd(domain, []string{CURVE_ALLOW_ANY})
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

// curveCertStore gives the policy store (nil removes the domain's store).
func (a *authenticator) curveCertStore(domain string, store *CertStore) {
	if store == nil {
		a.policy.SetCertStore(domain, nil)
		return
	}
	a.policy.SetCertStore(domain, certStoreKeys{store})
}

// certStoreKeys lets the policy find CURVE clients' certificates in a
// CertStore.
type certStoreKeys struct{ store *CertStore }

// Metadata returns the metadata of the store's certificate with the Z85
// public key key.
func (k certStoreKeys) Metadata(key string) (map[string]string, bool) {
	cert := k.store.Lookup(key)
	if cert == nil {
		return nil, false
	}
	metadata := map[string]string{}
	for _, m := range cert.metaCopy() {
		metadata[m.name] = m.value
	}
	return metadata, true
}

// AuthSetVerbose turns logging of the default context's authenticator's
// decisions on or off.
func AuthSetVerbose(verbose bool) { defaultAuth.policy.SetVerbose(verbose) }

// AuthSetVerbose turns logging of c's authenticator's decisions on or off.
func (c *Context) AuthSetVerbose(verbose bool) { c.authenticator().policy.SetVerbose(verbose) }

// AuthSetLogger sends the default context's authenticator's log to logger,
// at Info level, instead of the standard log package; nil restores the log
// package. AuthSetVerbose still decides whether it logs.
func AuthSetLogger(logger *slog.Logger) { defaultAuth.policy.SetLogger(logger) }

// AuthSetLogger is the package-level AuthSetLogger for c's authenticator.
func (c *Context) AuthSetLogger(logger *slog.Logger) { c.authenticator().policy.SetLogger(logger) }

// AuthSetMetadataHandler sets a function that supplies the metadata of a
// connection the default context's authenticator allowed. It gets the ZAP
// request's fields (credentials as sent: PLAIN user name and password,
// CURVE 32-byte binary key). A "User-Id" entry becomes the reply's user id
// (by default the PLAIN user name or the Z85 CURVE key, as in CZMQ; none
// for NULL); the other entries are sent as metadata and show up as message
// properties on the server socket. nil removes the handler.
func AuthSetMetadataHandler(handler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) (metadata map[string]string)) {
	defaultAuth.policy.SetMetadataHandler(handler)
}

// AuthSetMetadataHandler is the package-level AuthSetMetadataHandler for
// c's authenticator.
func (c *Context) AuthSetMetadataHandler(handler func(version, requestID, domain, address, identity, mechanism string, credentials ...string) (metadata map[string]string)) {
	c.authenticator().policy.SetMetadataHandler(handler)
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
