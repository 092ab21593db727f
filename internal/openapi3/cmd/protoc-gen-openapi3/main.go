// Command protoc-gen-openapi3 is a protoc plugin (run by buf, see buf.gen.yaml) that writes an OpenAPI 3.0.3
// document of the REST gateway with the contracts' protovalidate rules (package internal/openapi3), and checks it
// with an OpenAPI validator before writing it.
//
// Parameters (opt: in buf.gen.yaml): file=NAME writes NAME.openapi.json (default streaming); title=, version= for
// the info object; error_detail=FULL.NAME (repeatable) adds the schema of a message the server puts in the details
// of an error status (google.rpc.BadRequest, …).
package main

import (
	"context"
	"fmt"
	"os"

	kin "github.com/getkin/kin-openapi/openapi3"
	_ "google.golang.org/genproto/googleapis/rpc/errdetails" // registers google.rpc.BadRequest and the other details
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/streamingplatform/streaming/internal/openapi3"
)

func main() {
	var opts openapi3.Options
	protogen.Options{ParamFunc: func(name, value string) error {
		switch name {
		case "file":
			opts.File = value
		case "title":
			opts.Title = value
		case "version":
			opts.Version = value
		case "error_detail":
			opts.ErrorDetails = append(opts.ErrorDetails, value)
		default:
			return fmt.Errorf("unknown parameter %q", name)
		}
		return nil
	}}.Run(func(plugin *protogen.Plugin) error {
		plugin.SupportedFeatures = uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL)
		doc, err := openapi3.Generate(plugin, opts)
		if err != nil {
			return err
		}
		out, err := doc.Marshal()
		if err != nil {
			return err
		}
		// A document an OpenAPI validator rejects is not written.
		loaded, err := kin.NewLoader().LoadFromData(out)
		if err == nil {
			err = loaded.Validate(context.Background())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "protoc-gen-openapi3: the document is not valid OpenAPI 3:", err)
			return err
		}
		name := opts.File
		if name == "" {
			name = "streaming"
		}
		_, err = plugin.NewGeneratedFile(name+".openapi.json", "").Write(out)
		return err
	})
}
