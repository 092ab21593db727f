package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// The stack's TLS material (STACK_TLS=on), made once under STACK_HOME/tls: a CA of its own and one server
// certificate for the stack's address, shared by PostgreSQL, Redis and Cassandra. Local use only.
const (
	serverCertFile   = "server.pem"        // the server certificate
	serverKeyFile    = "server-key.pem"    // its key, unencrypted PKCS #8
	serverBundleFile = "server-bundle.pem" // key and certificate in one file (Cassandra's PEM key store)
)

// ensureCerts makes the CA and the server certificate when they are missing or expire within a week.
func ensureCerts(cfg stackenv.Settings) error {
	dir := cfg.TLSDir()
	if fresh(filepath.Join(dir, serverCertFile)) && fresh(cfg.CAFile()) {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: "streaming local stack CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{SerialNumber: serial(), Subject: pkix.Name{CommonName: cfg.Host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP(cfg.Host), net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	for name, data := range map[string][]byte{
		"ca.pem":         pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		serverCertFile:   certPEM,
		serverKeyFile:    keyPEM,
		serverBundleFile: append(append([]byte{}, keyPEM...), certPEM...),
	} {
		mode := os.FileMode(0o644)
		if name != "ca.pem" && name != serverCertFile {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, mode); err != nil {
			return fmt.Errorf("TLS material: %w", err)
		}
	}
	return nil
}

// fresh reports whether the certificate in path exists and is valid for at least another week.
func fresh(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return false
	}
	c, err := x509.ParseCertificate(block.Bytes)
	return err == nil && time.Until(c.NotAfter) > 7*24*time.Hour
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// stackTLS is a client configuration that trusts the stack's CA, for the probes.
func stackTLS(cfg stackenv.Settings) (*tls.Config, error) {
	b, err := os.ReadFile(cfg.CAFile())
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no certificate", cfg.CAFile())
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
