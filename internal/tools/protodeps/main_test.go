package main

import (
	"context"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/descriptorpb"
)

// The printed files must compile back to the very descriptors compiled into the Go
// packages (custom options of validate.proto included), so buf sees the same schemas.
func TestPrintedFilesCompileToTheSameDescriptors(t *testing.T) {
	sources := map[string]string{}
	var paths []string
	for _, r := range roots {
		for _, fd := range closure(r.file) {
			if _, ok := sources[fd.Path()]; ok {
				continue
			}
			src, err := printFile(fd)
			if err != nil {
				t.Fatalf("%s: %v", fd.Path(), err)
			}
			sources[fd.Path()] = string(src)
			paths = append(paths, fd.Path())
		}
	}

	compiler := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
		Accessor: protocompile.SourceAccessorFromMap(sources),
	})}
	files, err := compiler.Compile(context.Background(), paths...)
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range files {
		want, err := protoregistry.GlobalFiles.FindFileByPath(got.Path())
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(normalize(t, want), normalize(t, got), protocmp.Transform()); d != "" {
			t.Errorf("%s: the printed file compiles to another descriptor (-Go package +printed):\n%s", got.Path(), d)
		}
	}
}

// normalize drops source info and decodes custom options the same way on both sides.
func normalize(t *testing.T, fd protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.SourceCodeInfo = nil
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(fdp)
	if err != nil {
		t.Fatal(err)
	}
	out := &descriptorpb.FileDescriptorProto{}
	if err := (proto.UnmarshalOptions{Resolver: protoregistry.GlobalTypes}).Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}
