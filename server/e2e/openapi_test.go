package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	platform "github.com/streamingplatform/streaming"
	"github.com/streamingplatform/streaming/internal/openapi3/openapi3test"
)

// TestOpenAPIDocuments: GET /openapi.json serves the OpenAPI 3 document (valid under kin-openapi, every REST route
// with its parameters, the contract's protovalidate rules as schema keywords), and GET /openapi-v2.json the Swagger
// 2.0 one.
func TestOpenAPIDocuments(t *testing.T) {
	e := server(t)
	get := func(path string) []byte {
		t.Helper()
		res, err := http.Get(e.httpURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %s, Content-Type %q", path, res.Status, res.Header.Get("Content-Type"))
		}
		return b
	}
	v3 := get("/openapi.json")
	if !bytes.Equal(v3, platform.OpenAPI) {
		t.Errorf("/openapi.json is not the embedded OpenAPI 3 document")
	}
	openapi3test.Check(t, v3)

	var v2 struct {
		Swagger string                     `json:"swagger"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(get("/openapi-v2.json"), &v2); err != nil {
		t.Fatal(err)
	}
	if _, ok := v2.Paths["/v1/users/{userId}/subscriptions"]; v2.Swagger != "2.0" || !ok {
		t.Errorf("/openapi-v2.json: swagger %q with %d paths, want the Swagger 2.0 document", v2.Swagger, len(v2.Paths))
	}
}
