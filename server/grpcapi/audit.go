package grpcapi

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/streamingplatform/streaming/server/streaming"
)

// The audit log: one record per call of the admin or the service role (who did what to which object, and how it
// ended), message "audit" with logger=audit on the injected logger, so it can be routed and kept apart from the
// access log. Users' own calls are in the access log only. A record names objects by id and never carries a value
// of the request otherwise: the ids are read by an allowlist of field names (auditIDFields, auditObjects), so a
// password, payment token, idempotency key or bearer token cannot reach it whatever the message holds.

// auditIDFields are the request and response fields (top level) an audit record quotes.
var auditIDFields = []protoreflect.Name{"user_id", "plan_id", "content_id", "subscription_id"}

// auditObjects are message fields whose id the record quotes as <field>_id (CreatePlan's plan, UpsertContent's
// content, a subscription in a response): a created object's id is only known from the response.
var auditObjects = []protoreflect.Name{"plan", "content", "subscription"}

// audited reports whether the caller's calls are audited.
func audited(p streaming.Principal) bool {
	return p.Role == streaming.RoleAdmin || p.Role == streaming.RoleService
}

// audit writes the record of a finished call: err is the call's answer (after the error map), msgs the request and
// response (either may be nil, as for a stream).
func (i *Interceptors) audit(ctx context.Context, method string, started time.Time, err error, msgs ...any) {
	p := PrincipalFrom(ctx)
	if !audited(p) {
		return
	}
	attrs := []slog.Attr{slog.String("logger", "audit"), slog.String("role", p.Role.String()),
		slog.String("rpc", method), slog.String("code", status.Code(err).String()),
		slog.String("request_id", requestIDFrom(ctx)), slog.Duration("duration", time.Since(started))}
	attrs = append(attrs, auditIDs(msgs...)...)
	level := slog.LevelInfo
	if c := status.Code(err); c == codes.PermissionDenied || c == codes.Internal || c == codes.Unknown {
		level = slog.LevelWarn
	}
	i.Log.LogAttrs(ctx, level, "audit", attrs...)
}

// auditIDs reads the allowlisted ids of msgs, the first non-empty value of each name winning.
func auditIDs(msgs ...any) []slog.Attr {
	seen := map[string]bool{}
	var out []slog.Attr
	add := func(name string, r protoreflect.Message, field protoreflect.Name) {
		fd := r.Descriptor().Fields().ByName(field)
		if seen[name] || fd == nil || fd.Kind() != protoreflect.StringKind || fd.Cardinality() == protoreflect.Repeated {
			return
		}
		if v := r.Get(fd).String(); v != "" {
			seen[name] = true
			out = append(out, slog.String(name, v))
		}
	}
	for _, m := range msgs {
		pm, ok := m.(proto.Message)
		if !ok || pm == nil {
			continue
		}
		r := pm.ProtoReflect()
		if !r.IsValid() {
			continue
		}
		for _, f := range auditIDFields {
			add(string(f), r, f)
		}
		for _, o := range auditObjects {
			fd := r.Descriptor().Fields().ByName(o)
			if fd == nil || fd.Kind() != protoreflect.MessageKind || fd.Cardinality() == protoreflect.Repeated || !r.Has(fd) {
				continue
			}
			add(string(o)+"_id", r.Get(fd).Message(), "id")
		}
	}
	return out
}
