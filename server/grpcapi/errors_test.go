package grpcapi

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamingplatform/streaming/server/streaming"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestToStatus(t *testing.T) {
	cases := []struct {
		err  error
		code codes.Code
		msg  string
	}{
		{streaming.Errorf(streaming.CodeNotFound, "plan not found"), codes.NotFound, "plan not found"},
		{streaming.Errorf(streaming.CodeConflict, "email already registered"), codes.AlreadyExists, "email already registered"},
		{streaming.Errorf(streaming.CodePrecondition, "payment declined"), codes.FailedPrecondition, "payment declined"},
		{streaming.Errorf(streaming.CodeUnauthenticated, "x"), codes.Unauthenticated, "x"},
		{streaming.Errorf(streaming.CodePermissionDenied, "x"), codes.PermissionDenied, "x"},
		{streaming.Unavailable("PostgreSQL", errors.New("dial tcp: refused")), codes.Unavailable, "PostgreSQL is unavailable, retry later"},
		{fmt.Errorf("wrapped: %w", streaming.Invalid("monthly_price", "bad")), codes.InvalidArgument, "monthly_price: bad"},
		{&streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: time.Second}, codes.ResourceExhausted, "busy"},
		{errors.New(`pq: relation "users" SELECT secret`), codes.Internal, "internal error"},
		{context.DeadlineExceeded, codes.DeadlineExceeded, "deadline exceeded"},
		{fmt.Errorf("read: %w", context.Canceled), codes.Canceled, "canceled"},
		// A store's own timeout (a connect_timeout wraps context.DeadlineExceeded) is the store failing.
		{streaming.Unavailable("PostgreSQL", fmt.Errorf("connect: %w", context.DeadlineExceeded)), codes.Unavailable, "PostgreSQL is unavailable"},
		{status.Error(codes.Aborted, "as is"), codes.Aborted, "as is"},
	}
	for _, c := range cases {
		st := status.Convert(toStatus(context.Background(), discard, "/m", c.err))
		if st.Code() != c.code || !strings.HasPrefix(st.Message(), c.msg) {
			t.Errorf("toStatus(%v) = %s %q, want %s %q", c.err, st.Code(), st.Message(), c.code, c.msg)
		}
		if strings.Contains(st.Message(), "refused") || strings.Contains(st.Message(), "SELECT") {
			t.Errorf("toStatus(%v) leaks the cause: %q", c.err, st.Message())
		}
	}
	// Once the call's own context has ended, a context error is the call's, whatever wraps it.
	done, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	if st := status.Convert(toStatus(done, discard, "/m", streaming.Unavailable("PostgreSQL", context.DeadlineExceeded))); st.Code() != codes.DeadlineExceeded {
		t.Errorf("after the call's deadline: %s, want DeadlineExceeded", st.Code())
	}
	st := status.Convert(toStatus(context.Background(), discard, "/m", streaming.Invalid("email", "taken")))
	if br, ok := st.Details()[0].(*errdetails.BadRequest); !ok || br.GetFieldViolations()[0].GetField() != "email" {
		t.Errorf("invalid error details = %v, want a BadRequest naming email", st.Details())
	}
	st = status.Convert(toStatus(context.Background(), discard, "/m", &streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: 2 * time.Second}))
	if ri, ok := st.Details()[0].(*errdetails.RetryInfo); !ok || ri.GetRetryDelay().AsDuration() != 2*time.Second {
		t.Errorf("busy error details = %v, want RetryInfo of 2s", st.Details())
	}
	st = status.Convert(toStatus(context.Background(), discard, "/m", &streaming.Error{Code: streaming.CodeQuotaExceeded,
		Message: "every stream is in use", Quota: []streaming.QuotaViolation{{Subject: "device:tv-1", Description: "playing"},
			{Subject: "device:phone-2", Description: "playing"}}}))
	if qf, ok := st.Details()[0].(*errdetails.QuotaFailure); st.Code() != codes.ResourceExhausted || !ok ||
		len(qf.GetViolations()) != 2 || qf.GetViolations()[1].GetSubject() != "device:phone-2" {
		t.Errorf("quota error = %s %v, want ResourceExhausted with a QuotaFailure naming both devices", st.Code(), st.Details())
	}
}

// TestEveryDomainCodeIsMapped reads the domain package's source for every constant of type Code, so a code added
// there without a line in codeMap fails here.
func TestEveryDomainCodeIsMapped(t *testing.T) {
	declared := domainCodes(t)
	if len(declared) < 9 { // the nine codes of today: fewer means this reader missed some
		t.Fatalf("found %d Code constants in the domain package (%v); want at least 9", len(declared), declared)
	}
	for name, c := range declared {
		if _, ok := codeMap[c]; !ok {
			t.Errorf("domain code %s (%q) has no gRPC code in codeMap", name, c)
		}
	}
	if len(codeMap) != len(declared) {
		t.Errorf("codeMap has %d entries, the domain declares %d codes", len(codeMap), len(declared))
	}
}

// domainCodes parses the non-test files of the package that defines streaming.Code and returns each constant of
// that type by name. A form it does not understand fails the test rather than being skipped.
func domainCodes(t *testing.T) map[string]streaming.Code {
	t.Helper()
	typ := reflect.TypeFor[streaming.Code]()
	pkg, err := build.Import(typ.PkgPath(), ".", 0)
	if err != nil {
		t.Fatalf("locate %s: %v", typ.PkgPath(), err)
	}
	fset := token.NewFileSet()
	codes := map[string]streaming.Code{}
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			lastIsCode := false
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				isCode := isIdent(vs.Type, typ.Name())
				if vs.Type == nil && len(vs.Values) == 0 {
					isCode = lastIsCode // an implicit repetition of the previous spec (iota style)
				}
				lastIsCode = isCode
				for i, n := range vs.Names {
					var v ast.Expr
					if i < len(vs.Values) {
						v = vs.Values[i]
					}
					if call, ok := v.(*ast.CallExpr); ok && isIdent(call.Fun, typ.Name()) && len(call.Args) == 1 {
						isCode, v = true, call.Args[0] // const X = Code("x")
					}
					if !isCode {
						continue
					}
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Fatalf("%s: cannot read the value of %s; extend domainCodes", fset.Position(n.Pos()), n.Name)
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes[n.Name] = streaming.Code(s)
				}
			}
		}
	}
	return codes
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func TestPanicBecomesInternal(t *testing.T) {
	ic := &Interceptors{Log: discard, Auth: &Authenticator{}}
	info := &grpc.UnaryServerInfo{FullMethod: "/streaming.v1.CommandService/RegisterUser"}
	_, err := chainUnary(ic.UnaryChain())(context.Background(), nil, info, func(context.Context, any) (any, error) {
		panic("boom")
	})
	if status.Code(err) != codes.Internal || strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want Internal without the panic text", err)
	}
}

func TestDefaultDeadlineApplied(t *testing.T) {
	ic := &Interceptors{Log: discard, Auth: &Authenticator{}, DefaultDeadline: 3 * time.Second}
	info := &grpc.UnaryServerInfo{FullMethod: "/streaming.v1.CommandService/Login"}
	var left time.Duration
	chainUnary(ic.UnaryChain())(context.Background(), nil, info, func(ctx context.Context, _ any) (any, error) {
		d, ok := ctx.Deadline()
		if ok {
			left = time.Until(d)
		}
		return nil, nil
	})
	if left <= 2*time.Second || left > 3*time.Second {
		t.Fatalf("deadline in %v, want about 3s", left)
	}
}

func TestUnknownMethodIsRefused(t *testing.T) {
	err := authorize("/streaming.v1.CommandService/Unlisted", streaming.Principal{Role: streaming.RoleAdmin}, nil)
	if streaming.ErrorCode(err) != streaming.CodePermissionDenied {
		t.Fatalf("authorize(unlisted) = %v, want permission denied", err)
	}
}
