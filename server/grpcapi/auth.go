package grpcapi

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Rule says who may call an RPC. Every RPC of the four services has one (see rules); a method without a rule is
// refused, so a new RPC cannot ship unguarded.
type Rule int

const (
	// Public: anyone, including anonymous callers.
	Public Rule = iota + 1
	// Authenticated: any authenticated caller (user, admin, service).
	Authenticated
	// UserOnly: a logged-in user (a session of their own to act on).
	UserOnly
	// AdminOnly: the operator's admin credential.
	AdminOnly
	// SelfOrAdmin: a user acting on the request's user_id that is their own, or the admin.
	SelfOrAdmin
	// UserOrService: a user (the ingest service checks each event is their own) or the service role.
	UserOrService
)

const (
	commandService  = "/streaming.v1.CommandService/"
	queryService    = "/streaming.v1.QueryService/"
	ingestService   = "/streaming.v1.IngestService/"
	playbackService = "/streaming.v1.PlaybackService/"
)

// rules is the authorization table of the whole API.
var rules = map[string]Rule{
	commandService + "RegisterUser":           Public,
	commandService + "Login":                  Public,
	commandService + "Logout":                 UserOnly,
	commandService + "LogoutAll":              UserOnly,
	commandService + "CreatePlan":             AdminOnly,
	commandService + "UpdatePlan":             AdminOnly,
	commandService + "CreateSubscription":     SelfOrAdmin,
	commandService + "CancelSubscription":     SelfOrAdmin,
	commandService + "ChangeSubscriptionPlan": SelfOrAdmin,
	commandService + "UpdatePaymentMethod":    SelfOrAdmin,
	commandService + "UpsertContent":          AdminOnly,
	commandService + "RateContent":            SelfOrAdmin,
	commandService + "DeleteUser":             SelfOrAdmin,

	queryService + "GetUserProfile":         SelfOrAdmin,
	queryService + "ListSubscriptions":      SelfOrAdmin,
	queryService + "GetRecommendations":     SelfOrAdmin,
	queryService + "GetTrending":            Authenticated,
	queryService + "SearchContent":          Authenticated,
	queryService + "GetContinueWatching":    SelfOrAdmin,
	queryService + "GetWatchHistory":        SelfOrAdmin,
	queryService + "GetContent":             Authenticated,
	queryService + "ListPlans":              Public,
	queryService + "GetPlan":                Public,
	queryService + "ListInvoices":           SelfOrAdmin,
	queryService + "GetRevenueReport":       AdminOnly,
	queryService + "GetUserErasure":         AdminOnly,
	queryService + "GetAccountRisk":         AdminOnly,
	queryService + "ListSuspiciousAccounts": AdminOnly,
	queryService + "GetContentAnalytics":    AdminOnly,
	queryService + "GetViewingStats":        SelfOrAdmin,

	ingestService + "IngestPlaybackEvents": UserOrService,
	ingestService + "RecordPlaybackEvents": UserOrService,

	playbackService + "StartPlayback": SelfOrAdmin,
	playbackService + "RenewPlayback": SelfOrAdmin,
	playbackService + "StopPlayback":  SelfOrAdmin,
	playbackService + "ListPlaybacks": SelfOrAdmin,
}

// exempt are infrastructure services open to anyone: health checks and reflection (grpcurl).
func exempt(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.") || strings.HasPrefix(method, "/grpc.reflection.")
}

// Authenticator resolves the bearer token of a call to a principal.
type Authenticator struct {
	AdminToken   string                 // operator credential from configuration
	ServiceToken string                 // credential of internal services (ingest for any user)
	Sessions     streaming.SessionStore // nil: no user sessions, only the two credentials
	// ServiceCerts makes a caller without a bearer token that presented a client certificate the TLS listener
	// verified (against -tls-client-ca-file) the service role: mutual TLS for internal services.
	ServiceCerts bool
	// SessionRecheck is how often a user's open stream checks that its session is still live (0: never), so a
	// stream outlives neither Logout, LogoutAll nor the session's end by more than this.
	SessionRecheck time.Duration
}

// errSessionEnded ends a user's stream whose session is no longer live.
var errSessionEnded = status.Error(codes.Unauthenticated, "the session ended (logged out, expired or revoked): log in again")

// watchSession returns ctx ended, with cause errSessionEnded, once the session of token is found not live; it is
// checked every SessionRecheck (which also renews its idle timeout while the stream is open). While the session
// store cannot answer the stream goes on: the next check decides. stop ends the watch and waits for it.
func (a *Authenticator) watchSession(ctx context.Context, token string) (_ context.Context, stop func()) {
	if a.Sessions == nil || a.SessionRecheck <= 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(a.SessionRecheck)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			cctx, ccancel := context.WithTimeout(ctx, a.SessionRecheck)
			_, err := a.Sessions.SessionUser(cctx, token)
			ccancel()
			if streaming.ErrorCode(err) == streaming.CodeUnauthenticated {
				cancel(errSessionEnded)
				return
			}
		}
	}()
	return ctx, func() { cancel(nil); <-done }
}

// contextStatus is the status of a call whose context ended: its cause when that is a status (a session that
// ended), else the context's own error as a status (Canceled, DeadlineExceeded).
func contextStatus(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		if _, ok := status.FromError(cause); ok {
			return cause
		}
	}
	return status.FromContextError(ctx.Err()).Err()
}

// Authenticate returns the caller: anonymous without an authorization header (or the service, for a verified
// client certificate when ServiceCerts), else the admin, the service or the user of a live session. A malformed or
// unknown token is Unauthenticated, never anonymous.
func (a *Authenticator) Authenticate(ctx context.Context) (streaming.Principal, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		if a.ServiceCerts && verifiedClientCert(ctx) {
			return streaming.Principal{Role: streaming.RoleService}, nil
		}
		return streaming.Principal{Role: streaming.RoleAnonymous}, nil
	}
	scheme, token, ok := strings.Cut(vals[0], " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || token == "" || len(token) > 512 {
		return streaming.Principal{}, streaming.Errorf(streaming.CodeUnauthenticated, "authorization must be \"Bearer <token>\"")
	}
	if equalSecret(token, a.AdminToken) {
		return streaming.Principal{Role: streaming.RoleAdmin}, nil
	}
	if equalSecret(token, a.ServiceToken) {
		return streaming.Principal{Role: streaming.RoleService}, nil
	}
	if a.Sessions == nil {
		return streaming.Principal{}, streaming.Errorf(streaming.CodeUnauthenticated, "unknown token")
	}
	user, err := a.Sessions.SessionUser(ctx, token)
	if err != nil {
		return streaming.Principal{}, err
	}
	return streaming.Principal{Role: streaming.RoleUser, UserID: user, Token: token}, nil
}

// verifiedClientCert reports whether the call came over TLS with a client certificate the listener verified.
func verifiedClientCert(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return false
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	return ok && len(info.State.VerifiedChains) > 0
}

func equalSecret(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// authorize applies the method's rule to the caller and, for SelfOrAdmin, to the request's user_id.
func authorize(method string, p streaming.Principal, req any) error {
	rule, ok := rules[method]
	if !ok {
		return streaming.Errorf(streaming.CodePermissionDenied, "no authorization rule for %s", method)
	}
	if rule == Public {
		return nil
	}
	if p.Role == streaming.RoleAnonymous {
		return streaming.Errorf(streaming.CodeUnauthenticated, "this call needs a bearer token")
	}
	denied := streaming.Errorf(streaming.CodePermissionDenied, "not allowed for the %s role", p.Role)
	switch rule {
	case Authenticated:
		return nil
	case UserOnly:
		if p.Role == streaming.RoleUser {
			return nil
		}
	case AdminOnly:
		if p.Role == streaming.RoleAdmin {
			return nil
		}
	case UserOrService:
		if p.Role == streaming.RoleUser || p.Role == streaming.RoleService {
			return nil
		}
	case SelfOrAdmin:
		if p.Role == streaming.RoleAdmin {
			return nil
		}
		if p.Role == streaming.RoleUser && requestUserID(req) == p.UserID {
			return nil
		}
		if p.Role == streaming.RoleUser {
			return streaming.Errorf(streaming.CodePermissionDenied, "users may only act on their own data")
		}
	}
	return denied
}

// requestUserID reads the user_id field of a request message, "" if it has none.
func requestUserID(req any) string {
	m, ok := req.(proto.Message)
	if !ok {
		return ""
	}
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(protoreflect.Name("user_id"))
	if fd == nil || fd.Kind() != protoreflect.StringKind {
		return ""
	}
	return r.Get(fd).String()
}

type principalKey struct{}

// PrincipalFrom returns the caller set by the auth interceptor.
func PrincipalFrom(ctx context.Context) streaming.Principal {
	p, _ := ctx.Value(principalKey{}).(streaming.Principal)
	return p
}
