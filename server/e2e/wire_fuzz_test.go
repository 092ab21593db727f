package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"github.com/google/uuid"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// rawFrame is a request or response as bytes on the wire: the fuzz sends bytes no marshaler would make.
type rawFrame struct{ b []byte }

// rawCodec passes rawFrames through untouched; it names itself "proto" so the server decodes them as protobuf.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.(*rawFrame).b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	v.(*rawFrame).b = data.Materialize()
	return nil
}

// Verdicts on request bytes, from the same decoder and rules the server applies.
const (
	unparsable = "unparsable" // proto.Unmarshal refuses the bytes
	breaksRule = "breaks a rule"
	wellFormed = "well-formed"
)

// wireCase is one fuzzed call: its messages (one for a unary RPC) and what the server must answer.
type wireCase struct {
	method protoreflect.MethodDescriptor
	caller string
	frames [][]byte
	want   func(codes.Code) bool
	wantIs string
}

// Issue 18: every RPC answered random and mutated request bytes, unary and streaming, with a status: Internal for
// bytes that do not parse (the gRPC status table's answer), InvalidArgument (or the caller's authorization failure,
// which comes first) for a request that breaks the contract's rules, and a definite answer for a well-formed one,
// never a hang, Unknown or Internal. Afterwards the server still serves on the same connection and no goroutine
// the calls started is left.
func TestWireFuzzEveryRPC(t *testing.T) {
	e := server(t)
	const workers, maxCalls, budget = 4, 5000, 25 * time.Second
	a, other := newUser(t, e), newUser(t, e)
	plan := newPlan(t, e, "7.99")
	validator, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	var methods []protoreflect.MethodDescriptor
	for _, file := range []protoreflect.FileDescriptor{pb.File_streaming_v1_command_service_proto,
		pb.File_streaming_v1_query_service_proto, pb.File_streaming_v1_ingest_service_proto,
		pb.File_streaming_v1_playback_service_proto} {
		for i := range file.Services().Len() {
			svc := file.Services().Get(i)
			for j := range svc.Methods().Len() {
				methods = append(methods, svc.Methods().Get(j))
			}
		}
	}
	tokens := map[string]string{"anonymous": "", "user": a.token, "admin": adminToken, "service": serviceToken}
	callers := []string{"anonymous", "user", "admin", "service"}

	// Warm every path once (connections and pools the stores' clients open on first use belong to the baseline).
	for _, m := range methods {
		target := a.id
		if m.Name() == "DeleteUser" { // it would erase the user the fuzz signs in as
			target = newUser(t, e).id
		}
		call(t, e, m, adminToken, target)
	}
	before := runtime.NumGoroutine()
	existing := goleak.IgnoreCurrent()

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	gen := &wireGen{ids: []string{a.id, plan.GetId()}, email: a.email}
	var mu sync.Mutex
	codesSeen := map[codes.Code]int{}
	verdicts := map[string]int{}
	calls := 0
	deadline := time.Now().Add(budget)
	var wg sync.WaitGroup
	for w := range workers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			for time.Now().Before(deadline) {
				mu.Lock()
				if calls >= maxCalls || t.Failed() {
					mu.Unlock()
					return
				}
				calls++
				mu.Unlock()
				m := methods[rng.IntN(len(methods))]
				caller := callers[rng.IntN(len(callers))]
				if m.Name() == "DeleteUser" && (caller == "user" || caller == "admin") {
					// Authorized, a well-formed request erases the fuzz's own user (the ids it draws from are
					// its): DeleteUser is fuzzed by the callers it refuses, and its decoding and validation are
					// every unary RPC's.
					caller = []string{"anonymous", "service"}[rng.IntN(2)]
				}
				c := gen.newCase(rng, m, caller, validator)
				token := tokens[c.caller]
				if c.caller == "user" && m.Name() == "Logout" { // keep the session the other calls use
					res, err := e.cmd.Login(t.Context(), &pb.LoginRequest{Email: a.email, Password: "correct horse battery"})
					if err != nil {
						t.Errorf("login: %v", err)
						return
					}
					token = res.GetToken()
				}
				if c.caller == "user" && m.Name() == "LogoutAll" { // ends every session of its user: another user's
					res, err := e.cmd.Login(t.Context(), &pb.LoginRequest{Email: other.email, Password: "correct horse battery"})
					if err != nil {
						t.Errorf("login: %v", err)
						return
					}
					token = res.GetToken()
				}
				code := wireCall(t, e, c, token)
				mu.Lock()
				codesSeen[code]++
				verdicts[c.wantIs]++
				mu.Unlock()
				if !c.want(code) {
					t.Errorf("%s as %s, %s request (%d message(s), first %x): %s, want %s",
						m.FullName(), c.caller, c.wantIs, len(c.frames), head(c.frames[0]), code, describe(c))
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d calls over %d RPCs: %v; answers %v", calls, len(methods), verdicts, codesSeen)

	// Still serving, on the same connection, at once.
	ctx, cancel := context.WithTimeout(as(t, a.token), 2*time.Second)
	defer cancel()
	if res, err := healthpb.NewHealthClient(e.conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil ||
		res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health after the fuzz: %v, %v", res, err)
	}
	if res, err := e.ingest.RecordPlaybackEvents(ctx, &pb.RecordPlaybackEventsRequest{
		Events: []*pb.PlaybackEvent{event(a.id, uuid.NewString(), time.Now().Add(-time.Minute), 1)}}); err != nil || res.GetAccepted() != 1 {
		t.Fatalf("ingest after the fuzz: %v, %v", res, err)
	}
	if err := goleak.Find(append(pooledConnections, existing)...); err != nil {
		t.Fatalf("goroutines left by the fuzzed calls (%d before): %v", before, err)
	}
	t.Logf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
}

// pooledConnections are the goroutines of the store clients' pooled connections (the search client's HTTP
// connections, up to 64; Redis pipes; a pooled PostgreSQL connection's background reader, which pgx starts while it
// writes a large message and which waits in Read until the connection is next used or closed), and the Neo4j driver's goroutines of a read or write in flight and of a
// connection being closed, which the asynchronous derived updates (WATCHED edges) may still be running: their number
// follows the load, not the calls under test. TestMain checks that none is left once the clients are closed.
var pooledConnections = []goleak.Option{
	goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
	goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
	goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*pipe)._background"),
	goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*pipe)._backgroundWrite"),
	goleak.IgnoreAnyFunction("github.com/jackc/pgx/v5/pgconn/internal/bgreader.(*BGReader).bgRead"),
	goleak.IgnoreAnyFunction("github.com/neo4j/neo4j-go-driver/v5/neo4j/internal/racing.(*racingReader).race.func1"),
	goleak.IgnoreAnyFunction("github.com/neo4j/neo4j-go-driver/v5/neo4j/internal/racing.(*racingWriter).Write.func1"),
	goleak.IgnoreAnyFunction("github.com/neo4j/neo4j-go-driver/v5/neo4j/internal/pool.(*Pool).closeConnection.func1"),
}

func head(b []byte) []byte { return b[:min(len(b), 24)] }

func describe(c wireCase) string {
	switch c.wantIs {
	case unparsable:
		return "Internal"
	case breaksRule:
		return "InvalidArgument (or an authorization failure)"
	}
	return "a definite answer (not Unknown, Internal, Unavailable, Unimplemented or a hang)"
}

// wireCall sends c's frames and returns the status the server answered.
func wireCall(t *testing.T, e *env, c wireCase, token string) codes.Code {
	ctx, cancel := context.WithTimeout(as(t, token), 15*time.Second)
	defer cancel()
	full := "/" + string(c.method.Parent().FullName()) + "/" + string(c.method.Name())
	codec := grpc.ForceCodecV2(rawCodec{})
	if !c.method.IsStreamingClient() {
		return status.Code(e.conn.Invoke(ctx, full, &rawFrame{c.frames[0]}, &rawFrame{}, codec))
	}
	s, err := e.conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true}, full, codec)
	if err != nil {
		return status.Code(err)
	}
	for _, f := range c.frames {
		if s.SendMsg(&rawFrame{f}) != nil {
			break // the server has answered; RecvMsg says how
		}
	}
	s.CloseSend()
	return status.Code(s.RecvMsg(&rawFrame{}))
}

// wireGen makes requests for any RPC from its descriptor: mostly well-formed values the contract expects (ids that
// exist, prices, emails, recent timestamps), some that break its rules, then often mutates the encoded bytes.
type wireGen struct {
	ids   []string
	email string
}

func (g *wireGen) newCase(rng *rand.Rand, m protoreflect.MethodDescriptor, caller string, v protovalidate.Validator) wireCase {
	c := wireCase{method: m, caller: caller}
	n := 1
	if m.IsStreamingClient() {
		n = 1 + rng.IntN(3)
	}
	verdicts := make([]string, n)
	for i := range n {
		b := g.bytes(rng, m.Input())
		c.frames = append(c.frames, b)
		msg := dynamicpb.NewMessage(m.Input())
		switch {
		case proto.Unmarshal(b, msg) != nil:
			verdicts[i] = unparsable
		case v.Validate(msg) != nil:
			verdicts[i] = breaksRule
		default:
			verdicts[i] = wellFormed
		}
	}
	c.wantIs = verdicts[0]
	if !m.IsStreamingClient() {
		switch c.wantIs {
		case unparsable: // decoded before any interceptor runs
			c.want = func(code codes.Code) bool { return code == codes.Internal }
		case breaksRule:
			c.want = func(code codes.Code) bool {
				return code == codes.InvalidArgument || code == codes.PermissionDenied || code == codes.Unauthenticated
			}
		default:
			c.want = definite
		}
		return c
	}
	// A stream is authorized before it reads; then it reads its messages in order: the first unparsable one ends it
	// with Internal, and so does one whose number of events is outside the contract's bounds, with InvalidArgument.
	// Events are checked one by one (a bad one is a rejection in the answer, not an error).
	wantCode := codes.OK
	for _, f := range c.frames {
		var r pb.IngestPlaybackEventsRequest
		if proto.Unmarshal(f, &r) != nil {
			wantCode = codes.Internal
			break
		}
		if n := len(r.GetEvents()); n < minBatch || n > maxBatch {
			wantCode = codes.InvalidArgument
			break
		}
	}
	c.wantIs = map[codes.Code]string{codes.OK: wellFormed, codes.Internal: unparsable, codes.InvalidArgument: breaksRule}[wantCode]
	c.want = func(code codes.Code) bool {
		switch caller {
		case "anonymous":
			return code == codes.Unauthenticated
		case "admin":
			return code == codes.PermissionDenied
		}
		return code == wantCode || (wantCode == codes.OK && code == codes.ResourceExhausted)
	}
	return c
}

// The contract's bounds on the events of one ingest request.
const minBatch, maxBatch = 1, 1000

// definite is any answer but the ones that mean the server failed or hung.
func definite(code codes.Code) bool {
	return !slices.Contains([]codes.Code{codes.Unknown, codes.Internal, codes.Unavailable, codes.Unimplemented,
		codes.DeadlineExceeded, codes.Canceled, codes.DataLoss}, code)
}

// bytes is one request of type md, encoded, then (half the time) mutated, or (sometimes) random bytes altogether.
func (g *wireGen) bytes(rng *rand.Rand, md protoreflect.MessageDescriptor) []byte {
	if rng.IntN(10) == 0 {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	b, err := proto.Marshal(g.message(rng, md, 0).Interface())
	if err != nil {
		panic(err)
	}
	for k := rng.IntN(4) - 1; k > 0 && len(b) > 0; k-- {
		b = mutate(rng, b)
	}
	return b
}

func mutate(rng *rand.Rand, b []byte) []byte {
	i := rng.IntN(len(b))
	switch rng.IntN(6) {
	case 0: // flip a bit
		b[i] ^= 1 << rng.IntN(8)
	case 1: // truncate
		b = b[:i]
	case 2: // insert random bytes
		ins := make([]byte, 1+rng.IntN(8))
		for k := range ins {
			ins[k] = byte(rng.Uint32())
		}
		b = slices.Insert(b, i, ins...)
	case 3: // duplicate a chunk (repeats fields, breaks lengths)
		j := i + rng.IntN(len(b)-i+1)
		b = slices.Insert(b, j, b[i:j]...)
	case 4: // an endless varint or an unknown wire type
		b[i] = 0xff
	case 5: // drop a byte
		b = slices.Delete(b, i, i+1)
	}
	return b
}

func (g *wireGen) message(rng *rand.Rand, md protoreflect.MessageDescriptor, depth int) protoreflect.Message {
	m := dynamicpb.NewMessage(md)
	if md.FullName() == "google.protobuf.Timestamp" {
		at := time.Now().Add(-time.Duration(rng.IntN(3600)) * time.Second)
		if rng.IntN(8) == 0 {
			at = at.Add(time.Duration(rng.Int64N(1<<50) - 1<<49))
		}
		m.Set(md.Fields().ByName("seconds"), protoreflect.ValueOfInt64(at.Unix()))
		m.Set(md.Fields().ByName("nanos"), protoreflect.ValueOfInt32(int32(at.Nanosecond())))
		return m
	}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if rng.IntN(5) == 0 || (fd.ContainingOneof() != nil && m.WhichOneof(fd.ContainingOneof()) != nil) {
			continue
		}
		switch {
		case fd.IsMap():
			continue
		case fd.IsList():
			if fd.Kind() == protoreflect.MessageKind && depth > 2 {
				continue
			}
			l := m.Mutable(fd).List()
			n := rng.IntN(4)
			if rng.IntN(50) == 0 {
				n = maxBatch + 1
			}
			for range n {
				l.Append(g.value(rng, fd, depth))
			}
		case fd.Kind() == protoreflect.MessageKind:
			if depth <= 2 {
				m.Set(fd, g.value(rng, fd, depth))
			}
		default:
			m.Set(fd, g.value(rng, fd, depth))
		}
	}
	return m
}

func (g *wireGen) value(rng *rand.Rand, fd protoreflect.FieldDescriptor, depth int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return protoreflect.ValueOfMessage(g.message(rng, fd.Message(), depth+1))
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.str(rng, string(fd.Name())))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(g.str(rng, "")))
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(rng.IntN(2) == 0)
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		if rng.IntN(10) == 0 {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(rng.Int32N(100)))
		}
		return protoreflect.ValueOfEnum(vals.Get(rng.IntN(vals.Len())).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(g.num(rng)))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(g.num(rng))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(g.num(rng)))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(g.num(rng)))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(g.num(rng)) / 2)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(g.num(rng)) / 2)
	}
	panic(fmt.Sprintf("field %s: kind %s", fd.FullName(), fd.Kind()))
}

func (g *wireGen) num(rng *rand.Rand) int64 {
	pool := []int64{0, 1, 2, 3, 5, 10, 20, 50, 100, 1000, 86400, -1, 1<<31 - 1, -1 << 31, 1 << 40}
	if rng.IntN(4) == 0 {
		return rng.Int64N(2000) - 100
	}
	return pool[rng.IntN(len(pool))]
}

// str is mostly what a field of that name expects, sometimes anything.
func (g *wireGen) str(rng *rand.Rand, name string) string {
	if rng.IntN(6) != 0 {
		switch {
		case name == "id" || strings.HasSuffix(name, "_id"):
			if rng.IntN(2) == 0 {
				return g.ids[rng.IntN(len(g.ids))]
			}
			return uuid.NewString()
		case name == "email":
			if rng.IntN(2) == 0 {
				return g.email
			}
			return "fuzz-" + uuid.NewString()[:8] + "@example.com"
		case name == "password" && rng.IntN(5) == 0:
			// Rarely: each well-formed registration or login costs an Argon2id hash (19 MiB, slow under -race),
			// and the fuzz is about the wire, not about hashing under load.
			return "correct horse battery"
		case strings.HasSuffix(name, "price") || name == "amount":
			return []string{"9.99", "0.00", "12.5", "100000000.00"}[rng.IntN(4)]
		case name == "currency":
			return "EUR"
		case name == "country":
			return "ES"
		case name == "idempotency_key":
			return uuid.NewString()
		}
	}
	switch rng.IntN(6) {
	case 0:
		return ""
	case 1:
		return strings.Repeat("x", 100+rng.IntN(2000))
	case 2:
		return "acción ñandú"
	case 3:
		return uuid.NewString()
	}
	b := make([]byte, rng.IntN(40))
	for i := range b {
		b[i] = byte(' ' + rng.IntN(95))
	}
	return string(b)
}
