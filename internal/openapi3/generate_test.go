package openapi3_test

import (
	"testing"

	platform "github.com/streamingplatform/streaming"
	"github.com/streamingplatform/streaming/internal/openapi3/openapi3test"
)

// TestEmbeddedDocument checks the document the server embeds (gen/openapi/streaming.openapi.json, as
// `go tool task gen` wrote it); server/e2e checks the one a running server serves.
func TestEmbeddedDocument(t *testing.T) {
	openapi3test.Check(t, platform.OpenAPI)
}
