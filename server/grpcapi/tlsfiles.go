package grpcapi

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certFiles serves the certificate in a PEM certificate file and key file, read again when either file changes, so a
// rotated certificate (a renewed Secret, cert-manager) is served from the next handshake on, without a restart. A
// change that does not load (a half-written pair) keeps the previous certificate and is logged.
type certFiles struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [2]fileStamp
	checked time.Time
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// certCheckEvery bounds how often handshakes look at the files.
const certCheckEvery = time.Second

func newCertFiles(certFile, keyFile string, log *slog.Logger) (*certFiles, error) {
	c := &certFiles{certFile: certFile, keyFile: keyFile, log: log}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}

// load reads the pair; c.mu is held or c is not shared yet.
func (c *certFiles) load() error {
	var stamp [2]fileStamp
	for i, p := range []string{c.certFile, c.keyFile} {
		st, err := stampOf(p)
		if err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		stamp[i] = st
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS: %s and %s: %w", c.certFile, c.keyFile, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("TLS: %s: %w", c.certFile, err)
		}
	}
	c.cert, c.stamp = &cert, stamp
	return nil
}

// current is the certificate to serve, reloaded first when a file changed.
func (c *certFiles) current() *tls.Certificate {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.checked) >= certCheckEvery {
		c.checked = now
		changed := false
		for i, p := range []string{c.certFile, c.keyFile} {
			if st, err := stampOf(p); err == nil && st != c.stamp[i] {
				changed = true
			}
		}
		if changed {
			if err := c.load(); err != nil {
				c.log.Error("TLS certificate change not loaded; serving the previous one", "err", err)
			} else {
				c.log.Info("TLS certificate reloaded", "subject", c.cert.Leaf.Subject.String(), "not_after", c.cert.Leaf.NotAfter)
			}
		}
	}
	return c.cert
}

// serverConfig is the API listeners' TLS configuration. With clientCAs, a client certificate is verified against
// them when one is presented (not required: users and REST callers have none).
func (c *certFiles) serverConfig(clientCAs *x509.CertPool) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return c.current(), nil }}
	if clientCAs != nil {
		cfg.ClientCAs, cfg.ClientAuth = clientCAs, tls.VerifyClientCertIfGiven
	}
	return cfg
}

// loadCAs reads the PEM certificates of a CA file.
func loadCAs(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("TLS: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("TLS: %s holds no PEM certificate", path)
	}
	return pool, nil
}

// selfConfig is the configuration of the gateway's connection to this process's own gRPC listener: it trusts
// exactly the certificate this server serves (pinned), whatever names it carries and whoever issued it.
func (c *certFiles) selfConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin below: the peer must present our own current certificate
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !bytes.Equal(raw[0], c.current().Certificate[0]) {
				return errors.New("the gateway's own gRPC listener presented another certificate")
			}
			return nil
		}}
}
