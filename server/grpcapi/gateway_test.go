package grpcapi

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/metadata"

	"github.com/streamingplatform/streaming/server/streaming"
)

// TestRetryAfterHeader: a busy answer reaches REST clients as 429 with Retry-After from its RetryInfo (rounded up to
// whole seconds); other errors carry no such header.
func TestRetryAfterHeader(t *testing.T) {
	mux := runtime.NewServeMux()
	tests := []struct {
		err        error
		code       int
		retryAfter string
	}{
		{&streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: 1500 * time.Millisecond}, 429, "2"},
		{&streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: 30 * time.Second}, 429, "30"},
		{streaming.Errorf(streaming.CodeUnauthenticated, "no"), 401, ""},
	}
	for _, tc := range tests {
		ctx := runtime.NewServerMetadataContext(t.Context(), runtime.ServerMetadata{HeaderMD: metadata.MD{}})
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/v1/sessions", nil)
		retryAfterErrors(ctx, mux, &runtime.JSONPb{}, w, r, toStatus(ctx, discard, "/m", tc.err))
		if w.Code != tc.code || w.Header().Get("Retry-After") != tc.retryAfter {
			t.Errorf("%v: HTTP %d Retry-After %q, want %d %q", tc.err, w.Code, w.Header().Get("Retry-After"), tc.code, tc.retryAfter)
		}
	}
}
