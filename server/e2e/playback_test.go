package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

// playbackLeaseTTL is the shared server's lease TTL: short, so a test can wait for a lease to expire.
const playbackLeaseTTL = 3 * time.Second

// subscribe subscribes u to plan with an approved test card.
func subscribe(t *testing.T, e *env, u user, plan *pb.Plan) {
	t.Helper()
	_, err := e.cmd.CreateSubscription(as(t, u.token), &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(),
		PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: "tok_visa", IdempotencyKey: "sub-" + storetest.Unique()})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
}

func startReq(u user, device string, quality pb.VideoQuality) *pb.StartPlaybackRequest {
	return &pb.StartPlaybackRequest{UserId: u.id, DeviceId: device, Device: pb.Device_DEVICE_TV,
		ContentId: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e", Quality: quality}
}

// quotaSubjects are the subjects of the QuotaFailure an error carries.
func quotaSubjects(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if qf, ok := d.(*errdetails.QuotaFailure); ok {
			for _, v := range qf.GetViolations() {
				out = append(out, v.GetSubject())
			}
		}
	}
	return out
}

func TestPlaybackStreamSlots(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	subscribe(t, e, u, newPlan(t, e, "8.99")) // two streams, HD
	ctx := as(t, u.token)

	// The first start reads the subscription from the profile read model (rebuilt from PostgreSQL on a miss).
	var first *pb.StartPlaybackResponse
	eventually(t, "the subscription entitles", func() string {
		var err error
		first, err = e.playback.StartPlayback(ctx, startReq(u, "tv-1", pb.VideoQuality_VIDEO_QUALITY_UHD))
		if err != nil {
			return err.Error()
		}
		return ""
	})
	l := first.GetLease()
	if !first.GetQualityCapped() || l.GetQuality() != pb.VideoQuality_VIDEO_QUALITY_HD || l.GetDeviceId() != "tv-1" ||
		l.GetDevice() != pb.Device_DEVICE_TV {
		t.Fatalf("UHD asked on an HD plan: %v, want an HD lease, capped", first)
	}
	if ttl := l.GetExpireTime().AsTime().Sub(l.GetStartTime().AsTime()); ttl != playbackLeaseTTL {
		t.Fatalf("lease lasts %s, want the configured %s", ttl, playbackLeaseTTL)
	}
	time.Sleep(2 * time.Millisecond) // a later start than tv-1's, so "oldest first" has one answer (times are in ms)
	second, err := e.playback.StartPlayback(ctx, startReq(u, "phone:2", pb.VideoQuality_VIDEO_QUALITY_SD))
	if err != nil || second.GetQualityCapped() || second.GetLease().GetQuality() != pb.VideoQuality_VIDEO_QUALITY_SD {
		t.Fatalf("second device at SD: %v %v, want it granted as asked", second, err)
	}

	// A third device is refused, naming the two that hold the slots.
	_, err = e.playback.StartPlayback(ctx, startReq(u, "web-3", pb.VideoQuality_VIDEO_QUALITY_SD))
	wantCode(t, err, codes.ResourceExhausted)
	if got := quotaSubjects(err); !slices.Equal(got, []string{"device:tv-1", "device:phone:2"}) {
		t.Fatalf("refusal names %v (%v), want device:tv-1 and device:phone:2", got, err)
	}
	list, err := e.playback.ListPlaybacks(ctx, &pb.ListPlaybacksRequest{UserId: u.id})
	if err != nil || len(list.GetLeases()) != 2 || list.GetLeases()[0].GetDeviceId() != "tv-1" {
		t.Fatalf("ListPlaybacks: %v %v, want tv-1 then phone:2", list, err)
	}
	// A device starting another title keeps its slot: not a third stream.
	if _, err := e.playback.StartPlayback(ctx, startReq(u, "tv-1", pb.VideoQuality_VIDEO_QUALITY_HD)); err != nil {
		t.Fatalf("tv-1 starting again: %v", err)
	}

	// Once one stops, the third starts; stopping again is not an error.
	for range 2 {
		if _, err := e.playback.StopPlayback(ctx, &pb.StopPlaybackRequest{UserId: u.id, DeviceId: "phone:2"}); err != nil {
			t.Fatalf("StopPlayback: %v", err)
		}
	}
	_, err = e.playback.RenewPlayback(ctx, &pb.RenewPlaybackRequest{UserId: u.id, DeviceId: "phone:2"})
	wantCode(t, err, codes.NotFound)
	if _, err := e.playback.StartPlayback(ctx, startReq(u, "web-3", pb.VideoQuality_VIDEO_QUALITY_SD)); err != nil {
		t.Fatalf("third device after a stop: %v", err)
	}

	// tv-1 keeps renewing, web-3 vanishes: once its lease has expired its slot is free.
	deadline := time.Now().Add(playbackLeaseTTL + 500*time.Millisecond)
	for time.Now().Before(deadline) {
		r, err := e.playback.RenewPlayback(ctx, &pb.RenewPlaybackRequest{UserId: u.id, DeviceId: "tv-1"})
		if err != nil || !r.GetLease().GetExpireTime().AsTime().After(time.Now()) {
			t.Fatalf("renew tv-1: %v %v", r, err)
		}
		time.Sleep(playbackLeaseTTL / 6)
	}
	_, err = e.playback.RenewPlayback(ctx, &pb.RenewPlaybackRequest{UserId: u.id, DeviceId: "web-3"})
	wantCode(t, err, codes.NotFound)
	if _, err := e.playback.StartPlayback(ctx, startReq(u, "phone:2", pb.VideoQuality_VIDEO_QUALITY_SD)); err != nil {
		t.Fatalf("a device after another's lease expired: %v", err)
	}
	list, err = e.playback.ListPlaybacks(ctx, &pb.ListPlaybacksRequest{UserId: u.id})
	if err != nil || len(list.GetLeases()) != 2 || list.GetLeases()[0].GetDeviceId() != "tv-1" || list.GetLeases()[1].GetDeviceId() != "phone:2" {
		t.Fatalf("ListPlaybacks: %v %v, want tv-1 and phone:2", list, err)
	}

	// The admin may act for the user; another user may not.
	if _, err := e.playback.StopPlayback(as(t, adminToken), &pb.StopPlaybackRequest{UserId: u.id, DeviceId: "phone:2"}); err != nil {
		t.Fatalf("admin StopPlayback: %v", err)
	}
	other := newUser(t, e)
	_, err = e.playback.StartPlayback(as(t, other.token), startReq(u, "thief-1", pb.VideoQuality_VIDEO_QUALITY_SD))
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.playback.ListPlaybacks(as(t, other.token), &pb.ListPlaybacksRequest{UserId: u.id})
	wantCode(t, err, codes.PermissionDenied)
}

func TestPlaybackWithoutSubscription(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	ctx := as(t, u.token)
	_, err := e.playback.StartPlayback(ctx, startReq(u, "tv-1", pb.VideoQuality_VIDEO_QUALITY_SD))
	wantCode(t, err, codes.FailedPrecondition)

	// Bad input names the field.
	bad := startReq(u, "has space", pb.VideoQuality_VIDEO_QUALITY_SD)
	_, err = e.playback.StartPlayback(ctx, bad)
	wantCode(t, err, codes.InvalidArgument)
	if fields := violationFields(t, err); !fields["device_id"] {
		t.Fatalf("violations %v, want device_id", fields)
	}
	bad = startReq(u, "tv-1", pb.VideoQuality_VIDEO_QUALITY_UNSPECIFIED)
	_, err = e.playback.StartPlayback(ctx, bad)
	if fields := violationFields(t, err); !fields["quality"] {
		t.Fatalf("violations %v, want quality", fields)
	}
}

func TestPlaybackREST(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	subscribe(t, e, u, newPlan(t, e, "6.99"))
	path := "/v1/users/" + u.id + "/playbacks"
	body := func(device, quality string) map[string]any {
		return map[string]any{"deviceId": device, "device": "DEVICE_MOBILE", "contentId": uuid.NewString(), "quality": quality}
	}
	var started map[string]any
	eventually(t, "the subscription entitles", func() string {
		code, res := rest(t, e, "POST", path, u.token, body("phone-1", "VIDEO_QUALITY_FULL_HD"))
		if code != http.StatusOK {
			return fmt.Sprintf("POST %s: %d %v", path, code, res)
		}
		started = res
		return ""
	})
	lease, _ := started["lease"].(map[string]any)
	if started["qualityCapped"] != true || lease["quality"] != "VIDEO_QUALITY_HD" || lease["device"] != "DEVICE_MOBILE" {
		t.Fatalf("POST %s: %v, want an HD lease, capped", path, started)
	}
	if code, res := rest(t, e, "POST", path, u.token, body("tablet-2", "VIDEO_QUALITY_SD")); code != http.StatusOK {
		t.Fatalf("second device: %d %v", code, res)
	}
	code, res := rest(t, e, "POST", path, u.token, body("web-3", "VIDEO_QUALITY_SD"))
	if code != http.StatusTooManyRequests || !strings.Contains(mustJSON(res), "device:phone-1") ||
		!strings.Contains(mustJSON(res), "device:tablet-2") || !strings.Contains(mustJSON(res), "QuotaFailure") {
		t.Fatalf("third device over REST: %d %v, want 429 with a QuotaFailure naming both devices", code, res)
	}
	if code, res := rest(t, e, "POST", path+"/phone-1:renew", u.token, map[string]any{}); code != http.StatusOK {
		t.Fatalf("renew over REST: %d %v", code, res)
	}
	if code, res := rest(t, e, "GET", path, u.token, nil); code != http.StatusOK || len(res["leases"].([]any)) != 2 {
		t.Fatalf("list over REST: %d %v", code, res)
	}
	if code, res := rest(t, e, "DELETE", path+"/tablet-2", u.token, nil); code != http.StatusOK {
		t.Fatalf("stop over REST: %d %v", code, res)
	}
	if code, res := rest(t, e, "POST", path+"/tablet-2:renew", u.token, map[string]any{}); code != http.StatusNotFound {
		t.Fatalf("renew of a stopped lease over REST: %d %v, want 404", code, res)
	}
	if code, res := rest(t, e, "POST", path, u.token, body("web-3", "VIDEO_QUALITY_SD")); code != http.StatusOK {
		t.Fatalf("third device after a stop: %d %v", code, res)
	}
	if code, res := rest(t, e, "POST", path, "", body("web-4", "VIDEO_QUALITY_SD")); code != http.StatusUnauthorized {
		t.Fatalf("anonymous start: %d %v, want 401", code, res)
	}
}

// TestPlaybackLeasesSurviveRestart: leases live in Redis, so a second server (another replica, or this one after a
// restart) sees the same slots taken.
func TestPlaybackLeasesSurviveRestart(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	subscribe(t, e, u, newPlan(t, e, "7.49"))
	ctx := as(t, u.token)
	for _, d := range []string{"tv-1", "tv-2"} {
		eventually(t, "start "+d, func() string {
			if _, err := e.playback.StartPlayback(ctx, startReq(u, d, pb.VideoQuality_VIDEO_QUALITY_SD)); err != nil {
				return err.Error()
			}
			return ""
		})
	}
	other := replica(t)
	_, err := other.StartPlayback(ctx, startReq(u, "tv-3", pb.VideoQuality_VIDEO_QUALITY_SD))
	wantCode(t, err, codes.ResourceExhausted)
	if got := quotaSubjects(err); len(got) != 2 {
		t.Fatalf("the other server's refusal names %v, want both devices", got)
	}
	if _, err := other.StopPlayback(ctx, &pb.StopPlaybackRequest{UserId: u.id, DeviceId: "tv-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.playback.StartPlayback(ctx, startReq(u, "tv-3", pb.VideoQuality_VIDEO_QUALITY_SD)); err != nil {
		t.Fatalf("start after the other server stopped a lease: %v", err)
	}
}

// replica starts a second server on the shared server's stores (as another replica, or the server restarted, would
// be) and returns its PlaybackService.
func replica(t *testing.T) pb.PlaybackServiceClient {
	t.Helper()
	_, conn, _, _ := startOwn(t, func(c *config.Config) {
		c.ReadModelsEnabled = false // the shared server's relay keeps the read models
		c.PlaybackLeaseTTL = playbackLeaseTTL
	})
	return pb.NewPlaybackServiceClient(conn)
}
