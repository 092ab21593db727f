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
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

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
	srv := runTLSServer(t, certFile, keyFile, "", &Authenticator{})
	ctx := t.Context()

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

// issueClientCert makes a CA and a client certificate it signed, and writes the CA to caFile.
func issueClientCert(t *testing.T, caFile string) tls.Certificate {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "services CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "ingest-service"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Mutual TLS for services: a gRPC caller presenting a client certificate the configured CA signed, without a bearer
// token, is the service role; the same call without a certificate is anonymous (Unauthenticated where a token is
// needed), and a bearer token still decides when one is sent.
func TestClientCertificateIsTheServiceRole(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "clients-ca.pem")
	serverCert := writeCert(t, certFile, keyFile, "server")
	clientCert := issueClientCert(t, caFile)
	srv := runTLSServer(t, certFile, keyFile, caFile, &Authenticator{ServiceCerts: true})
	ctx := t.Context()
	roots := x509.NewCertPool()
	roots.AddCert(serverCert)
	// RecordPlaybackEvents is for users and services only: Unimplemented here means it got past authorization.
	call := func(certs []tls.Certificate, md ...string) codes.Code {
		t.Helper()
		conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(
			&tls.Config{RootCAs: roots, Certificates: certs})))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		cctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, md...), 10*time.Second)
		defer cancel()
		_, err = pb.NewIngestServiceClient(conn).RecordPlaybackEvents(cctx, &pb.RecordPlaybackEventsRequest{
			Events: []*pb.PlaybackEvent{{EventId: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", UserId: "11111111-2222-4333-8444-555555555555",
				ContentId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", OccurTime: timestamppb.Now(), Device: pb.Device_DEVICE_TV,
				Quality: pb.VideoQuality_VIDEO_QUALITY_HD}}})
		return status.Code(err)
	}
	if got := call([]tls.Certificate{clientCert}); got != codes.Unimplemented {
		t.Fatalf("with a service certificate: %s, want past authorization (Unimplemented)", got)
	}
	if got := call(nil); got != codes.Unauthenticated {
		t.Fatalf("without a certificate: %s, want Unauthenticated", got)
	}
	if got := call([]tls.Certificate{clientCert}, "authorization", "Bearer unknown-token-0123456789"); got != codes.Unauthenticated {
		t.Fatalf("with a certificate and an unknown token: %s, want Unauthenticated (the token decides)", got)
	}
}

// runTLSServer starts a transport with Unimplemented services and the given TLS files on loopback ports; it stops
// when the test ends.
func runTLSServer(t *testing.T, certFile, keyFile, clientCAFile string, auth *Authenticator) *Server {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	srv, err := New(Options{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0",
		TLSCertFile: certFile, TLSKeyFile: keyFile, TLSClientCAFile: clientCAFile, MaxRecvBytes: 4 << 20,
		DefaultDeadline: 5 * time.Second, ShutdownGrace: 5 * time.Second}, log, &Interceptors{Log: log, Auth: auth},
		pb.UnimplementedCommandServiceServer{}, pb.UnimplementedQueryServiceServer{}, pb.UnimplementedIngestServiceServer{}, pb.UnimplementedPlaybackServiceServer{})
	if err != nil {
		t.Fatal(err)
	}
	run(t, srv)
	return srv
}

// run serves srv until the test ends.
func run(t *testing.T, srv *Server) {
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
}
