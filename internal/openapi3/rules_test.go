package openapi3_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	_ "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/bufbuild/protocompile"
	kin "github.com/getkin/kin-openapi/openapi3"
	_ "google.golang.org/genproto/googleapis/api/annotations"
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/streamingplatform/streaming/internal/openapi3"
)

// A contract with the rules and bindings the streaming contracts do not use (yet).
const demoProto = `syntax = "proto3";
package demo.v1;

import "buf/validate/validate.proto";
import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";

service Things {
  // Gets a thing. Two routes.
  rpc GetThing(GetThingRequest) returns (Thing) {
    option (google.api.http) = {
      get: "/v1/things/{thing_id}"
      additional_bindings {get: "/v1/shelves/{shelf}/things/{thing_id}"}
    };
  }
  rpc PutThing(PutThingRequest) returns (Thing) {
    option (google.api.http) = {
      put: "/v1/things/{thing.id}"
      body: "thing"
    };
  }
  rpc SearchThings(SearchThingsRequest) returns (Thing) {
    option (google.api.http) = {get: "/v1/things:search"};
  }
}

message GetThingRequest {
  string thing_id = 1 [(buf.validate.field).string.uuid = true];
  string shelf = 2;
}

enum Kind {
  KIND_UNSPECIFIED = 0;
  // The first kind.
  KIND_A = 1;
  KIND_B = 2;
}

// A thing.
message Thing {
  string id = 1 [(buf.validate.field).string.uuid = true];
  // gt > lt: outside the range, which minimum and maximum cannot say.
  int32 outside = 2 [(buf.validate.field).int32 = {gt: 10, lt: 5}];
  double ratio = 3 [(buf.validate.field).double = {gt: 0, lt: 1}];
  string code = 4 [(buf.validate.field).string = {in: ["a", "b"]}];
  string tag = 5 [(buf.validate.field).string = {not_in: ["x"], prefix: "t-"}];
  optional int32 level = 6 [(buf.validate.field).int32.gte = 1];
  string nick = 7 [(buf.validate.field) = {ignore: IGNORE_IF_ZERO_VALUE, string: {min_len: 3}}];
  map<string, int64> counts = 8 [(buf.validate.field).map = {max_pairs: 3}];
  google.protobuf.Timestamp at = 9;
  Thing parent = 10;
  int64 big = 11 [(buf.validate.field).int64.gte = 5];
  Kind kind = 12 [(buf.validate.field).enum = {in: [1]}];
}

message PutThingRequest {
  Thing thing = 1 [(buf.validate.field).required = true];
}

message SearchThingsRequest {
  repeated string q = 1 [(buf.validate.field).repeated = {
    max_items: 3
    items: {string: {min_len: 2}}
  }];
  message Inner {
    Kind kind = 1;
  }
  Inner inner = 2;
}
`

// generate compiles demoProto and runs the generator on it as buf would (a CodeGeneratorRequest, marshaled).
func generate(t *testing.T) *kin.T {
	t.Helper()
	c := protocompile.Compiler{
		SourceInfoMode: protocompile.SourceInfoStandard,
		Resolver: protocompile.WithStandardImports(protocompile.ResolverFunc(func(path string) (protocompile.SearchResult, error) {
			if path == "demo.proto" {
				return protocompile.SearchResult{Source: strings.NewReader(demoProto)}, nil
			}
			fd, err := protoregistry.GlobalFiles.FindFileByPath(path)
			if err != nil {
				return protocompile.SearchResult{}, err
			}
			return protocompile.SearchResult{Desc: fd}, nil
		})),
	}
	files, err := c.Compile(context.Background(), "demo.proto")
	if err != nil {
		t.Fatal(err)
	}
	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: []string{"demo.proto"}}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := range fd.Imports().Len() {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		fdp := protodesc.ToFileDescriptorProto(fd)
		if fdp.Options == nil && fd.Path() == "demo.proto" {
			fdp.Options = &descriptorpb.FileOptions{}
		}
		fdp.Options.GoPackage = proto.String("example.com/demo")
		req.ProtoFile = append(req.ProtoFile, fdp)
	}
	add(files[0])
	raw, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	req = &pluginpb.CodeGeneratorRequest{}
	if err := proto.Unmarshal(raw, req); err != nil {
		t.Fatal(err)
	}
	plugin, err := protogen.Options{}.New(req)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.Generate(plugin, openapi3.Options{ErrorDetails: []string{"google.rpc.BadRequest"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := kin.NewLoader().LoadFromData(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Validate(context.Background(), kin.EnableSchemaPatternValidation()); err != nil {
		t.Fatalf("invalid document: %v\n%s", err, out)
	}
	return loaded
}

func TestRulesAndBindings(t *testing.T) {
	doc := generate(t)
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	// One path for /v1/things/{thing_id} and /v1/things/{thing.id}; the additional binding is an operation of its own.
	item := doc.Paths.Value("/v1/things/{thingId}")
	if item == nil || item.Get == nil || item.Put == nil {
		t.Fatalf("paths %v: want GET and PUT at /v1/things/{thingId}", doc.Paths.Keys())
	}
	if op := doc.Paths.Value("/v1/shelves/{shelf}/things/{thingId}"); op == nil || op.Get == nil || op.Get.OperationID != "Things_GetThing1" {
		t.Errorf("additional binding: %v", doc.Paths.Keys())
	}
	if item.Get.Summary != "Gets a thing." || item.Get.OperationID != "Things_GetThing" {
		t.Errorf("GET: summary %q, operationId %q", item.Get.Summary, item.Get.OperationID)
	}
	if q := item.Get.Parameters.GetByInAndName("query", "shelf"); q == nil || q.Required {
		t.Errorf("GET /v1/things/{thingId}: shelf is not an optional query parameter")
	}
	body := item.Put.RequestBody.Value.Content.Get("application/json").Schema
	if !strings.HasSuffix(body.Ref, "/PutThingBody") || body.Value.Properties["id"] != nil || body.Value.Properties["ratio"] == nil {
		t.Errorf("PUT body %s: want PutThingBody without the id", body.Ref)
	}

	thing := doc.Components.Schemas["Thing"].Value
	if got, want := thing.Required, []string{"id", "ratio", "code", "tag", "big", "kind"}; !slices.Equal(got, want) {
		t.Errorf("Thing required %v, want %v (the fields protovalidate rejects empty)", got, want)
	}
	p := func(name string) *kin.Schema { return thing.Properties[name].Value }
	if s := p("outside"); s.Min != nil || s.Max != nil || !strings.Contains(s.Description, `"gt":10`) {
		t.Errorf("outside (gt 10, lt 5): %s", js(s))
	}
	if s := p("ratio"); s.Min == nil || *s.Min != 0 || !s.ExclusiveMin.IsTrue() || s.Max == nil || *s.Max != 1 || !s.ExclusiveMax.IsTrue() {
		t.Errorf("ratio (gt 0, lt 1): %s", js(s))
	}
	if s := p("code"); js(s.Enum) != `["a","b"]` {
		t.Errorf("code (in): %s", js(s))
	}
	if s := p("tag"); s.Not == nil || js(s.Not.Value.Enum) != `["x"]` || !strings.Contains(s.Description, `"prefix":"t-"`) {
		t.Errorf("tag (not_in, prefix): %s", js(s))
	}
	if s := p("counts"); s.MaxProps == nil || *s.MaxProps != 3 || s.AdditionalProperties.Schema.Value.Format != "int64" {
		t.Errorf("counts (map): %s", js(s))
	}
	if s := p("at"); s.Format != "date-time" || !s.Nullable {
		t.Errorf("at (Timestamp): %s", js(s))
	}
	if s := p("parent"); !s.Nullable || len(s.AllOf) != 1 || !strings.HasSuffix(s.AllOf[0].Ref, "/Thing") {
		t.Errorf("parent (a message, recursive): %s", js(s))
	}
	if s := p("big"); !s.Type.Is("string") || s.Min != nil || !strings.Contains(s.Description, `"gte":"5"`) {
		t.Errorf("big (int64, a string in JSON): %s", js(s))
	}
	if s := p("kind"); js(s.Enum) != `["KIND_A"]` {
		t.Errorf("kind (enum in [1]): %s", js(s))
	}
	if s := doc.Components.Schemas["Kind"].Value; !strings.Contains(s.Description, "`KIND_A`: The first kind.") {
		t.Errorf("Kind: %s", js(s))
	}

	search := doc.Paths.Value("/v1/things:search").Get
	q := search.Parameters.GetByInAndName("query", "q")
	if q == nil || !q.Schema.Value.Type.Is("array") || *q.Schema.Value.MaxItems != 3 || q.Schema.Value.Items.Value.MinLength != 2 {
		t.Errorf("query q (repeated, items min_len 2): %s", js(q))
	}
	if k := search.Parameters.GetByInAndName("query", "inner.kind"); k == nil || !strings.HasSuffix(k.Schema.Ref, "/Kind") {
		t.Errorf("query inner.kind: %s", js(k))
	}
	if doc.Components.Schemas["google.rpc.BadRequest"] == nil || doc.Components.Schemas["google.rpc.Status"] == nil {
		t.Errorf("no error schemas")
	}
}
