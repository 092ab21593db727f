package grpcapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// writeCert writes a self-signed certificate for 127.0.0.1 named cn into certFile and keyFile and returns it.
func writeCert(t *testing.T, certFile, keyFile, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Written beside and renamed over, as a Secret volume's update swaps files whole.
	for path, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(path+".new", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// The API listeners speak TLS with the certificate from the files, and serve a renewed certificate from the next
// connection on without a restart; REST goes through the gateway's own TLS connection to the gRPC listener.
func TestTLSFromFilesWithRotation(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	first := writeCert(t, certFile, keyFile, "first")
	log := slog.New(slog.DiscardHandler)
	srv, err := New(Options{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0",
		TLSCertFile: certFile, TLSKeyFile: keyFile, MaxRecvBytes: 4 << 20, DefaultDeadline: 5 * time.Second,
		ShutdownGrace: 5 * time.Second}, log, &Interceptors{Log: log, Auth: &Authenticator{}},
		pb.UnimplementedCommandServiceServer{}, pb.UnimplementedQueryServiceServer{}, pb.UnimplementedIngestServiceServer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		srv.Run(ctx)
	}()
	t.Cleanup(func() {
		stop()
		<-ran
	})

	// served returns the certificate a new TLS connection to the gRPC listener is served, after a health check
	// over it, trusting only the certificates given.
	served := func(trusted ...*x509.Certificate) *x509.Certificate {
		t.Helper()
		pool := x509.NewCertPool()
		for _, c := range trusted {
			pool.AddCert(c)
		}
		var got *x509.Certificate
		cfg := &tls.Config{RootCAs: pool, VerifyConnection: func(cs tls.ConnectionState) error {
			got = cs.PeerCertificates[0]
			return nil
		}}
		conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if _, err := healthpb.NewHealthClient(conn).Check(cctx, &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatalf("health over TLS: %v", err)
		}
		return got
	}
	if got := served(first); got.Subject.CommonName != "first" {
		t.Fatalf("served %q", got.Subject.CommonName)
	}

	// Plaintext is refused.
	plain, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
	defer pcancel()
	if _, err := healthpb.NewHealthClient(plain).Check(pctx, &healthpb.HealthCheckRequest{}); err == nil {
		t.Fatal("a plaintext health check was answered")
	}

	// REST over HTTPS, through the gateway's own (pinned) TLS connection: an unimplemented query answers 501,
	// which only the gRPC server behind the gateway can say.
	https := func(want *x509.Certificate) int {
		pool := x509.NewCertPool()
		pool.AddCert(want)
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
		defer client.CloseIdleConnections()
		res, err := client.Get("https://" + srv.HTTPAddr() + "/v1/contents/0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b")
		if err != nil {
			t.Fatalf("REST over TLS: %v", err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := https(first); code != http.StatusUnauthorized && code != http.StatusNotImplemented {
		t.Fatalf("REST over TLS: %d, want an answer from the gRPC server (401 or 501)", code)
	}

	// Rotation: the files change; the next connections get the new certificate (the files are looked at no more
	// than once a second).
	second := writeCert(t, certFile, keyFile, "second")
	deadline := time.Now().Add(10 * time.Second)
	for served(first, second).Subject.CommonName != "second" {
		if time.Now().After(deadline) {
			t.Fatal("the renewed certificate was not served within 10 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code := https(second); code != http.StatusUnauthorized && code != http.StatusNotImplemented {
		t.Fatalf("REST over TLS after the rotation: %d (the gateway's pinned connection must follow the new certificate)", code)
	}
}
