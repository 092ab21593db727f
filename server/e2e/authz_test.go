package e2e

import (
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// The expected authorization of every RPC, written out by hand (not derived from the server's rule table, so the
// test can disagree with it). "ok" means the call got past authorization: any code but Unauthenticated or
// PermissionDenied (requests here are empty, so most fail validation, which comes after authorization).
// Columns: anonymous, user A on A's data, user B on A's data, admin, service.
const (
	ok = "ok"
	U  = "Unauthenticated"
	PD = "PermissionDenied"
)

var matrix = map[string][5]string{
	"streaming.v1.CommandService/RegisterUser":           {ok, ok, ok, ok, ok},
	"streaming.v1.CommandService/Login":                  {ok, ok, ok, ok, ok},
	"streaming.v1.CommandService/Logout":                 {U, ok, ok, PD, PD},
	"streaming.v1.CommandService/LogoutAll":              {U, ok, ok, PD, PD},
	"streaming.v1.CommandService/CreatePlan":             {U, PD, PD, ok, PD},
	"streaming.v1.CommandService/UpdatePlan":             {U, PD, PD, ok, PD},
	"streaming.v1.CommandService/CreateSubscription":     {U, ok, PD, ok, PD},
	"streaming.v1.CommandService/CancelSubscription":     {U, ok, PD, ok, PD},
	"streaming.v1.CommandService/ChangeSubscriptionPlan": {U, ok, PD, ok, PD},
	"streaming.v1.CommandService/UpdatePaymentMethod":    {U, ok, PD, ok, PD},
	"streaming.v1.CommandService/UpsertContent":          {U, PD, PD, ok, PD},
	"streaming.v1.CommandService/RateContent":            {U, ok, PD, ok, PD},
	"streaming.v1.CommandService/DeleteUser":             {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/GetUserProfile":           {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/ListSubscriptions":        {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/GetRecommendations":       {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/GetTrending":              {U, ok, ok, ok, ok},
	"streaming.v1.QueryService/SearchContent":            {U, ok, ok, ok, ok},
	"streaming.v1.QueryService/GetContinueWatching":      {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/GetWatchHistory":          {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/GetContent":               {U, ok, ok, ok, ok},
	"streaming.v1.QueryService/ListPlans":                {ok, ok, ok, ok, ok},
	"streaming.v1.QueryService/GetPlan":                  {ok, ok, ok, ok, ok},
	"streaming.v1.QueryService/ListInvoices":             {U, ok, PD, ok, PD},
	"streaming.v1.QueryService/GetRevenueReport":         {U, PD, PD, ok, PD},
	"streaming.v1.QueryService/GetUserErasure":           {U, PD, PD, ok, PD},
	"streaming.v1.QueryService/GetAccountRisk":           {U, PD, PD, ok, PD},
	"streaming.v1.QueryService/ListSuspiciousAccounts":   {U, PD, PD, ok, PD},
	"streaming.v1.QueryService/GetContentAnalytics":      {U, PD, PD, ok, PD},
	"streaming.v1.QueryService/GetViewingStats":          {U, ok, PD, ok, PD},
	"streaming.v1.IngestService/IngestPlaybackEvents":    {U, ok, ok, PD, ok},
	"streaming.v1.IngestService/RecordPlaybackEvents":    {U, ok, ok, PD, ok},
	"streaming.v1.PlaybackService/StartPlayback":         {U, ok, PD, ok, PD},
	"streaming.v1.PlaybackService/RenewPlayback":         {U, ok, PD, ok, PD},
	"streaming.v1.PlaybackService/StopPlayback":          {U, ok, PD, ok, PD},
	"streaming.v1.PlaybackService/ListPlaybacks":         {U, ok, PD, ok, PD},
}

func TestAuthorizationMatrix(t *testing.T) {
	e := server(t)
	a, b := newUser(t, e), newUser(t, e)
	callers := []string{"anonymous", "user A", "user B", "admin", "service"}
	seen := 0
	for _, file := range []protoreflect.FileDescriptor{pb.File_streaming_v1_command_service_proto,
		pb.File_streaming_v1_query_service_proto, pb.File_streaming_v1_ingest_service_proto,
		pb.File_streaming_v1_playback_service_proto} {
		for i := range file.Services().Len() {
			svc := file.Services().Get(i)
			for j := range svc.Methods().Len() {
				m := svc.Methods().Get(j)
				name := string(svc.FullName()) + "/" + string(m.Name())
				want, found := matrix[name]
				if !found {
					t.Errorf("%s has no row in the authorization matrix", name)
					continue
				}
				seen++
				for c, caller := range callers {
					owner := a                    // whose data the call names ("A's data")
					if m.Name() == "DeleteUser" { // an authorized call erases the owner: one of its own per call
						owner = newUser(t, e)
					}
					token := ""
					switch c {
					case 1, 2:
						u := []user{owner, b}[c-1]
						token = u.token
						switch m.Name() {
						case "Logout": // do not end the sessions the other rows use
							token = freshSession(t, e, u)
						case "LogoutAll": // ends every session of its user: one of its own
							token = newUser(t, e).token
						}
					case 3:
						token = adminToken
					case 4:
						token = serviceToken
					}
					got := outcome(call(t, e, m, token, owner.id))
					if got != want[c] {
						t.Errorf("%s as %s: %s, want %s", name, caller, got, want[c])
					}
				}
			}
		}
	}
	if seen != len(matrix) {
		t.Errorf("matrix has %d rows, the services have %d methods", len(matrix), seen)
	}
}

func outcome(err error) string {
	switch status.Code(err) {
	case codes.Unauthenticated:
		return U
	case codes.PermissionDenied:
		return PD
	}
	return ok
}

func freshSession(t *testing.T, e *env, u user) string {
	res, err := e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: u.email, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetToken()
}

// call invokes method m with an otherwise empty request whose user_id (if it has one) is userID.
func call(t *testing.T, e *env, m protoreflect.MethodDescriptor, token, userID string) error {
	in, err := protoregistry.GlobalTypes.FindMessageByName(m.Input().FullName())
	if err != nil {
		t.Fatal(err)
	}
	outType, err := protoregistry.GlobalTypes.FindMessageByName(m.Output().FullName())
	if err != nil {
		t.Fatal(err)
	}
	req := in.New()
	if fd := req.Descriptor().Fields().ByName("user_id"); fd != nil {
		req.Set(fd, protoreflect.ValueOfString(userID))
	}
	full := "/" + string(m.Parent().FullName()) + "/" + string(m.Name())
	ctx := as(t, token)
	if !m.IsStreamingClient() {
		return e.conn.Invoke(ctx, full, req.Interface(), outType.New().Interface())
	}
	stream, err := e.conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true}, full)
	if err != nil {
		return err
	}
	if err := stream.SendMsg(req.Interface()); err != nil && status.Code(err) == codes.OK {
		return err
	}
	stream.CloseSend()
	return stream.RecvMsg(outType.New().Interface())
}
