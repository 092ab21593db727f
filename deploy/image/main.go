// Command image builds the streamingd container image without a Docker engine and without pulling a base image:
// a static streamingd (CGO_ENABLED=0), CA certificates, /etc/passwd and /etc/group naming a non-root user, and
// nothing else (no shell, no package manager), laid as one layer onto an empty image with go-containerregistry.
// It writes the image as a tarball that `docker load`, `podman load` and `crane push` accept.
//
//	go tool task image               # .build/streamingd.tar, tagged streamingd:dev
//	go run ./deploy/image -help
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// The image's user: 65532 is distroless's "nonroot", so volume permissions written for those images fit this one.
const (
	uid      = 65532
	gid      = 65532
	userName = "nonroot"
)

// Paths inside the image.
const (
	binPath   = "/streamingd"
	certsPath = "/etc/ssl/certs/ca-certificates.crt" // where Go's crypto/x509 looks first on Linux
)

// Ports the server listens on in the image (set through STREAMING_GRPC_ADDR, STREAMING_HTTP_ADDR and
// STREAMING_OPS_ADDR below, so the image does not depend on the server's own defaults, which are loopback in
// development). The operators' port (metrics, health) is not for the API's network.
const (
	grpcPort = "50051"
	httpPort = "8080"
	opsPort  = "9090"
)

// mainPkg is the server's package, built from the module this program runs in.
const mainPkg = "github.com/streamingplatform/streaming/server/cmd/streamingd"

type options struct {
	out   string // tarball path
	tag   string // image reference recorded in the tarball
	arch  string // GOARCH of the binary and the image
	certs string // CA bundle copied from the build machine
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.out, "o", "", "where to write the image tarball (default <repo>/.build/streamingd.tar)")
	fs.StringVar(&o.tag, "tag", "streamingd:dev", "image reference recorded in the tarball (docker load names the image so)")
	fs.StringVar(&o.arch, "arch", runtime.GOARCH, "GOARCH of the binary and the image (the OS is always linux)")
	fs.StringVar(&o.certs, "ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "CA bundle of the build machine copied into the image")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.out == "" {
		root, err := stackenv.ModuleRoot()
		if err != nil {
			return err
		}
		o.out = filepath.Join(root, ".build", "streamingd.tar")
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	r, err := build(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "image: wrote %s (%s, %s, linux/%s): %s tarball, %s unpacked\n",
		stackenv.Rel(o.out), o.tag, r.digest, o.arch, mb(r.tarballBytes), mb(r.unpackedBytes))
	return nil
}

func mb(n int64) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB" }

type result struct {
	digest        v1.Hash
	tarballBytes  int64 // the file written (its layer gzip-compressed)
	unpackedBytes int64 // the layer's tar before compression: the image's files
}

// build compiles streamingd, makes the image and writes it to o.out.
func build(ctx context.Context, o options) (result, error) {
	ref, err := name.NewTag(o.tag)
	if err != nil {
		return result{}, fmt.Errorf("-tag: %w", err)
	}
	certs, err := os.ReadFile(o.certs)
	if err != nil {
		return result{}, fmt.Errorf("CA certificates: %w (install the ca-certificates package or pass -ca-certificates)", err)
	}
	tmp, err := os.MkdirTemp("", "streamingd-image-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "streamingd")
	// -trimpath and -s -w: no build-machine paths nor debug symbols in the image (stack traces keep file:line).
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, mainPkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+o.arch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return result{}, fmt.Errorf("go build %s: %w\n%s", mainPkg, err, out)
	}
	if err := checkStatic(bin); err != nil {
		return result{}, err
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return result{}, err
	}
	files, err := layerTar(exe, certs)
	if err != nil {
		return result{}, err
	}
	img, err := image(files, o.arch)
	if err != nil {
		return result{}, err
	}
	if err := tarball.WriteToFile(o.out, ref, img); err != nil {
		return result{}, fmt.Errorf("write %s: %w", o.out, err)
	}
	r := result{unpackedBytes: int64(len(files))}
	if r.digest, err = img.Digest(); err != nil {
		return result{}, err
	}
	st, err := os.Stat(o.out)
	if err != nil {
		return result{}, err
	}
	r.tarballBytes = st.Size()
	return r, nil
}

// checkStatic refuses a binary that needs a dynamic loader or shared libraries: the image has neither.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked (it has an ELF interpreter); the image has no libc", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v; the image has none", path, libs)
	}
	return nil
}

// layerTar is the image's only layer. Every entry has a fixed time and owner, so the same binary and certificates
// give the same digest.
func layerTar(exe, certs []byte) ([]byte, error) {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("%s:x:%d:%d:%s:/home/%s:/sbin/nologin\n", userName, uid, gid, userName, userName)
	group := "root:x:0:\n" + fmt.Sprintf("%s:x:%d:\n", userName, gid)
	type entry struct {
		name     string
		mode     int64
		uid, gid int
		data     []byte // nil for a folder
	}
	entries := []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: certs},
		{name: "home/", mode: 0o755},
		{name: "home/" + userName + "/", mode: 0o700, uid: uid, gid: gid},
		{name: "streamingd", mode: 0o755, data: exe},
		// Go's os.TempDir is /tmp; sticky and world-writable as on any Linux.
		{name: "tmp/", mode: 0o1777},
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if e.data == nil {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// image lays files onto an empty image and sets how the container runs: as the non-root user, streamingd as the
// entrypoint (no shell to wrap it), listening on every interface of the container. It keeps go-containerregistry's
// default media types (Docker image manifest v2 schema 2, which OCI runtimes and registries take): the tarball
// format stores no manifest, and an image read back from it has those types, so the digest printed here is the one
// a registry shows after `crane push`.
func image(files []byte, arch string) (v1.Image, error) {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, History: v1.History{
		Created:   v1.Time{Time: time.Unix(0, 0).UTC()},
		CreatedBy: "go run ./deploy/image",
		Comment:   "static streamingd, CA certificates, /etc/passwd and /etc/group (user " + userName + ")",
	}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	cf.Config = v1.Config{
		User:       strconv.Itoa(uid) + ":" + strconv.Itoa(gid),
		Entrypoint: []string{binPath},
		WorkingDir: "/",
		Env: []string{
			"STREAMING_GRPC_ADDR=:" + grpcPort,
			"STREAMING_HTTP_ADDR=:" + httpPort,
			"STREAMING_OPS_ADDR=:" + opsPort,
		},
		ExposedPorts: map[string]struct{}{grpcPort + "/tcp": {}, httpPort + "/tcp": {}, opsPort + "/tcp": {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "streamingd",
			"org.opencontainers.image.description": "the streaming platform's server (gRPC " + grpcPort + ", HTTP " + httpPort + ", operators " + opsPort + ")",
		},
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image config: %w", err)
	}
	return img, nil
}
