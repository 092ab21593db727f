package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/storetest"
	"google.golang.org/grpc/codes"
)

// TestAccountSharingFlagged: three accounts paying with one card and playing on one device are flagged with both
// reasons, naming each other; an unrelated account is not. The card's fingerprint reaches the graph through the
// subscription's event (outbox → projector); the device through the playback start's signal buffer.
func TestAccountSharingFlagged(t *testing.T) {
	e := server(t)
	plan := newPlan(t, e, "7.99")
	card := payment.CardTokenPrefix + "shared-" + storetest.Unique()
	device := "shared-tv-" + storetest.Unique()
	var ring []user
	for range 3 {
		u := newUser(t, e)
		if _, err := e.cmd.CreateSubscription(as(t, u.token), &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(),
			PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: card, IdempotencyKey: "sub-" + storetest.Unique()}); err != nil {
			t.Fatalf("subscribe with the shared card: %v", err)
		}
		if _, err := e.playback.StartPlayback(as(t, u.token), startReq(u, device, pb.VideoQuality_VIDEO_QUALITY_HD)); err != nil {
			t.Fatalf("play on the shared device: %v", err)
		}
		ring = append(ring, u)
	}
	loner := newUser(t, e)
	subscribe(t, e, loner, plan) // tok_visa: the loner's own card
	if _, err := e.playback.StartPlayback(as(t, loner.token), startReq(loner, "own-tv-"+storetest.Unique(), pb.VideoQuality_VIDEO_QUALITY_HD)); err != nil {
		t.Fatal(err)
	}
	others := func(u user) []string {
		var ids []string
		for _, o := range ring {
			if o.id != u.id {
				ids = append(ids, o.id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	admin := as(t, adminToken)
	for _, u := range ring {
		eventually(t, "the ring's risk", func() string {
			res, err := e.query.GetAccountRisk(admin, &pb.GetAccountRiskRequest{UserId: u.id})
			if err != nil {
				return err.Error()
			}
			r := res.GetRisk()
			got := map[pb.RiskSignal]*pb.RiskReason{}
			for _, why := range r.GetReasons() {
				got[why.GetSignal()] = why
			}
			card, dev := got[pb.RiskSignal_RISK_SIGNAL_SHARED_PAYMENT_INSTRUMENT], got[pb.RiskSignal_RISK_SIGNAL_SHARED_DEVICE]
			switch {
			case card == nil || card.GetCount() != 2 || !slices.Equal(card.GetRelatedUserIds(), others(u)):
				return "card reason: " + r.String()
			case dev == nil || dev.GetCount() != 2 || !slices.Equal(dev.GetRelatedUserIds(), others(u)):
				return "device reason: " + r.String()
			case r.GetScore() != card.GetWeight()+dev.GetWeight() || r.GetScore() < 60:
				return "score: " + r.String()
			}
			return ""
		})
	}
	res, err := e.query.GetAccountRisk(admin, &pb.GetAccountRiskRequest{UserId: loner.id})
	if err != nil || res.GetRisk().GetScore() != 0 || len(res.GetRisk().GetReasons()) != 0 {
		t.Fatalf("the unrelated account: %v, %v; want score 0 and no reason", res, err)
	}

	// The list, paged two at a time, holds the ring and not the loner, highest score first.
	listed := map[string]int32{}
	var scores []int32
	token := ""
	for page := 0; ; page++ {
		l, err := e.query.ListSuspiciousAccounts(admin, &pb.ListSuspiciousAccountsRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range l.GetAccounts() {
			listed[a.GetUserId()] = a.GetScore()
			scores = append(scores, a.GetScore())
		}
		if token = l.GetNextPageToken(); token == "" || page > 10_000 {
			break
		}
	}
	for _, u := range ring {
		if listed[u.id] == 0 {
			t.Errorf("ring account %s not listed", u.id)
		}
	}
	if _, ok := listed[loner.id]; ok {
		t.Errorf("the unrelated account is listed")
	}
	if !slices.IsSortedFunc(scores, func(a, b int32) int { return int(b - a) }) {
		t.Errorf("scores not highest first: %v", scores)
	}
	if _, err := e.query.ListSuspiciousAccounts(admin, &pb.ListSuspiciousAccountsRequest{PageToken: "bogus"}); err == nil {
		t.Error("a bogus page token was accepted")
	} else {
		wantCode(t, err, codes.InvalidArgument)
	}

	// Admin only, over gRPC and REST; the same answer over REST.
	_, err = e.query.GetAccountRisk(as(t, ring[0].token), &pb.GetAccountRiskRequest{UserId: ring[0].id})
	wantCode(t, err, codes.PermissionDenied)
	req, _ := http.NewRequest(http.MethodGet, e.httpURL+"/v1/users/"+ring[0].id+"/risk", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer hr.Body.Close()
	var body struct {
		Risk struct {
			Score   int32 `json:"score"`
			Reasons []struct {
				Signal string `json:"signal"`
			} `json:"reasons"`
		} `json:"risk"`
	}
	if err := json.NewDecoder(hr.Body).Decode(&body); err != nil || hr.StatusCode != http.StatusOK || body.Risk.Score < 60 || len(body.Risk.Reasons) != 2 {
		t.Fatalf("REST: %d %+v %v", hr.StatusCode, body, err)
	}
}
