package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// The image is built, read back from its tarball, unpacked, and streamingd is started from the image's own files
// (chroot into them, as the image's user), then answers over gRPC against the local stack and stops on SIGTERM.
func TestImage(t *testing.T) {
	ctx := storetest.Context(t, 10*time.Minute)
	out := filepath.Join(t.TempDir(), "streamingd.tar")
	started := time.Now()
	r, err := build(ctx, options{out: out, tag: "streamingd:test", arch: runtime.GOARCH, certs: "/etc/ssl/certs/ca-certificates.crt"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %s in %s: %s tarball, %s unpacked", r.digest, time.Since(started).Round(time.Millisecond), mb(r.tarballBytes), mb(r.unpackedBytes))

	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := img.Digest(); err != nil || d != r.digest {
		t.Fatalf("digest read back = %v, %v; built %v", d, err, r.digest)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg := cf.Config
	root := filepath.Join(t.TempDir(), "rootfs")
	rc := mutate.Extract(img)
	defer rc.Close()
	if err := unpack(rc, root); err != nil {
		t.Fatalf("unpack the image: %v", err)
	}
	uid, gid, err := numericUser(cfg.User)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("contents", func(t *testing.T) {
		if uid == 0 || gid == 0 {
			t.Errorf("User = %q: the image must not run as root", cfg.User)
		}
		if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
			t.Errorf("platform = %s/%s", cf.OS, cf.Architecture)
		}
		for _, shell := range []string{"/bin/sh", "/bin/bash", "/bin/busybox", "/usr/bin/sh"} {
			if _, err := os.Lstat(filepath.Join(root, shell)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s in the image: %v", shell, err)
			}
		}
		var files []string
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(root, p)
				files = append(files, "/"+rel)
			}
			return err
		})
		if want := []string{"/etc/group", "/etc/passwd", certsPath, binPath}; !slices.Equal(files, want) {
			t.Errorf("files in the image = %v, want exactly %v", files, want)
		}
		if len(cfg.Entrypoint) != 1 || cfg.Entrypoint[0] != binPath || len(cfg.Cmd) != 0 {
			t.Errorf("Entrypoint %q, Cmd %q: want the server itself, no shell", cfg.Entrypoint, cfg.Cmd)
		}
		for _, port := range []string{grpcPort + "/tcp", httpPort + "/tcp", opsPort + "/tcp"} {
			if _, ok := cfg.ExposedPorts[port]; !ok {
				t.Errorf("ExposedPorts %v lacks %s", cfg.ExposedPorts, port)
			}
		}
		if err := checkStatic(filepath.Join(root, binPath)); err != nil {
			t.Error(err)
		}
		if st, err := os.Stat(filepath.Join(root, binPath)); err != nil || st.Mode().Perm()&0o002 != 0 {
			t.Errorf("%s: %v (must exist and not be world-writable)", binPath, st)
		}
		if b, err := os.ReadFile(filepath.Join(root, certsPath)); err != nil || bytes.Count(b, []byte("BEGIN CERTIFICATE")) < 10 {
			t.Errorf("%s: %v, %d certificates", certsPath, err, bytes.Count(b, []byte("BEGIN CERTIFICATE")))
		}
		if st, err := os.Stat(filepath.Join(root, "tmp")); err != nil || st.Mode()&fs.ModeSticky == 0 || st.Mode().Perm() != 0o777 {
			t.Errorf("/tmp: %v, %v (want a sticky, world-writable folder)", st, err)
		}
		if st, err := os.Stat(filepath.Join(root, "home", userName)); err != nil || !st.IsDir() ||
			os.Geteuid() == 0 && st.Sys().(*syscall.Stat_t).Uid != uid {
			t.Errorf("/home/%s: %v, %v (want a folder of the image's user)", userName, st, err)
		}
		passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
		if err != nil || !strings.Contains(string(passwd), fmt.Sprintf(":x:%d:%d:", uid, gid)) {
			t.Errorf("/etc/passwd has no entry for %d:%d: %v\n%s", uid, gid, err, passwd)
		}
	})

	t.Run("serves", func(t *testing.T) {
		if os.Geteuid() != 0 {
			storetest.Missing(t, "starting the image's binary in a chroot needs root (CAP_SYS_CHROOT and setuid)")
		}
		s := storetest.Settings(t)
		storetest.Require(t, "Redis", s.RedisAddr())
		storetest.Require(t, "Cassandra", s.CassandraAddr())
		storetest.Require(t, "Neo4j", s.Neo4jAddr())
		storetest.Require(t, "the search server", s.SearchAddr())
		pgURL, _ := storetest.PostgresSchema(t, "image")

		// The image's environment, then the test's: the last value of a variable wins (os/exec).
		adminToken := "image-test-admin-token-" + storetest.Unique()
		env := append([]string{}, cfg.Env...)
		for _, v := range s.ServerSettings() {
			if v.Env != "STREAMING_POSTGRES_URL" {
				env = append(env, v.Env+"="+v.Value)
			}
		}
		env = append(env,
			"STREAMING_POSTGRES_URL="+pgURL,
			"STREAMING_CASSANDRA_KEYSPACE=streaming_test",
			"STREAMING_CASSANDRA_CONSISTENCY=ONE",
			// Port 0: the "serving" log line says which ports the kernel gave.
			"STREAMING_GRPC_ADDR=127.0.0.1:0",
			"STREAMING_HTTP_ADDR=127.0.0.1:0",
			"STREAMING_OPS_ADDR=127.0.0.1:0",
			"STREAMING_ADMIN_TOKEN="+adminToken,
		)
		if err := os.Chmod(root, 0o755); err != nil { // t.TempDir folders are 0700: the user could not reach "/"
			t.Fatal(err)
		}
		cmd := exec.Command(cfg.Entrypoint[0], cfg.Cmd...) // a path inside the chroot
		cmd.Dir = cfg.WorkingDir
		cmd.Env = env
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Chroot:     root,
			Credential: &syscall.Credential{Uid: uid, Gid: gid}, // no supplementary groups
			Pdeathsig:  syscall.SIGKILL,                         // never outlives the test
		}
		srv := start(t, cmd)

		// The process runs from the image's files, as the image's user.
		if got, err := os.Readlink(fmt.Sprintf("/proc/%d/root", cmd.Process.Pid)); err != nil || got != root {
			t.Errorf("the server's root is %q (%v), want the unpacked image %s", got, err, root)
		}
		if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err != nil ||
			!strings.Contains(string(status), fmt.Sprintf("\nUid:\t%d\t%d\t%d\t%d\n", uid, uid, uid, uid)) {
			t.Errorf("the server does not run as uid %d: %v\n%s", uid, err, status)
		}

		ctx := storetest.Context(t, time.Minute)
		conn, err := grpc.NewClient(srv.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var health *healthpb.HealthCheckResponse
		for {
			health, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if err == nil && health.GetStatus() == healthpb.HealthCheckResponse_SERVING || ctx.Err() != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("gRPC health: %v, %v\n%s", health, err, srv.logged())
		}
		admin := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+adminToken)
		if _, err := pb.NewQueryServiceClient(conn).GetTrending(admin, &pb.GetTrendingRequest{Limit: 5}); err != nil {
			t.Fatalf("GetTrending as the admin: %v\n%s", err, srv.logged())
		}

		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-srv.exited:
			srv.exited <- err
			if err != nil {
				t.Fatalf("after SIGTERM: %v\n%s", err, srv.logged())
			}
		case <-time.After(time.Minute):
			t.Fatalf("streamingd did not stop within a minute of SIGTERM\n%s", srv.logged())
		}
	})
}

// server is a started streamingd: where it serves, its log, and its exit.
type server struct {
	grpcAddr string
	exited   chan error // receives Wait's result once; put it back after reading
	logged   func() string
}

// start starts cmd and waits for its JSON "serving" log line. The process is killed when the test ends.
func start(t *testing.T, cmd *exec.Cmd) *server {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &server{exited: make(chan error, 1)}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-srv.exited
	})
	serving := make(chan string, 1)
	var mu sync.Mutex
	var lines []string
	srv.logged = func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(lines, "\n")
	}
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			var line struct{ Msg, GRPC string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				serving <- line.GRPC
			}
		}
	}()
	go func() {
		<-logDone // Wait only after every read from the pipe
		srv.exited <- cmd.Wait()
	}()
	select {
	case srv.grpcAddr = <-serving:
	case err := <-srv.exited:
		srv.exited <- err
		t.Fatalf("streamingd exited before serving: %v\n%s", err, srv.logged())
	case <-time.After(2 * time.Minute):
		t.Fatalf("streamingd did not serve within 2 minutes\n%s", srv.logged())
	}
	if host, _, err := net.SplitHostPort(srv.grpcAddr); err != nil || host != "127.0.0.1" {
		t.Fatalf("serving on %q, want 127.0.0.1:<port>", srv.grpcAddr)
	}
	return srv
}

// numericUser parses the config's User as uid:gid; a name would need the image's /etc/passwd to mean anything.
func numericUser(user string) (uid, gid uint32, err error) {
	u, g, ok := strings.Cut(user, ":")
	uid64, err1 := strconv.ParseUint(u, 10, 32)
	gid64, err2 := strconv.ParseUint(g, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("image User = %q, want numeric uid:gid", user)
	}
	return uint32(uid64), uint32(gid64), nil
}

// unpack writes a flattened image filesystem (mutate.Extract) under root with its modes and owners. It knows the
// entry types an image of ours holds and refuses any name that would land outside root.
func unpack(r io.Reader, root string) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !filepath.IsLocal(h.Name) && filepath.Clean(h.Name) != "." {
			return fmt.Errorf("%q: outside the root", h.Name)
		}
		p := filepath.Join(root, h.Name)
		mode := fs.FileMode(h.Mode).Perm()
		if h.Mode&0o1000 != 0 {
			mode |= fs.ModeSticky
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if err = errors.Join(err, f.Close()); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
			continue
		default:
			return fmt.Errorf("%q: unexpected tar entry type %q", h.Name, h.Typeflag)
		}
		// Owners need root; elsewhere the files stay the caller's (enough for the contents checks).
		if os.Geteuid() == 0 {
			if err := os.Lchown(p, h.Uid, h.Gid); err != nil {
				return err
			}
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
	}
}
