package redis

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/internal/golden"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The read models outlive a deploy: a new binary reads what the old one wrote. Each stored part is pinned here by a
// golden file, encoded by the code that writes it and decoded back the way the code reads it.

var (
	fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	fixedEnd  = time.Date(2026, 2, 2, 3, 4, 5, 0, time.UTC)
)

func fixedSubscription(end *time.Time) streaming.Subscription {
	return streaming.Subscription{ID: "5c1e0a7e-2b8f-4a57-9d7c-1f0e2d3c4b5a", UserID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b",
		PlanID: "premium", Status: streaming.SubscriptionActive, StartDate: fixedTime, EndDate: end, PriceCents: 1799,
		Currency: "EUR", PaymentMethod: streaming.PaymentCard, Version: 4, CreatedAt: fixedTime, UpdatedAt: fixedEnd}
}

// decodeInto decodes a golden stored form the way the read model does and compares it with want.
func decodeInto[T any](t *testing.T, stored []byte, want T) {
	t.Helper()
	var got T
	if err := json.Unmarshal(stored, &got); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestUserProfileUserFormat(t *testing.T) {
	u := streaming.User{ID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", Email: "ana@example.com", DisplayName: "Ana",
		Country: "ES", PasswordHash: "never stored here", Version: 3, CreatedAt: fixedTime}
	p, err := userPart(u)
	if err != nil {
		t.Fatal(err)
	}
	if p.field != "user" || p.version != u.Version {
		t.Errorf("part %s v%d; want user v%d", p.field, p.version, u.Version)
	}
	stored := golden.JSON(t, "user_profile_user.golden.json", p.value)
	decodeInto(t, stored, userDoc{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Country: u.Country,
		Version: u.Version, CreatedAt: u.CreatedAt})
}

func TestUserProfileSubscriptionFormat(t *testing.T) {
	for name, s := range map[string]streaming.Subscription{
		"user_profile_sub.golden.json":       fixedSubscription(nil),
		"user_profile_sub_ended.golden.json": fixedSubscription(&fixedEnd),
		"user_profile_sub_billing.golden.json": func() streaming.Subscription {
			// Billing's fields (migration 00009), omitted when zero: the two files above are what older servers
			// stored, and still read the same.
			s := fixedSubscription(nil)
			s.Status, s.CurrentPeriodStart, s.CurrentPeriodEnd = streaming.SubscriptionPastDue, fixedTime, fixedEnd
			s.CancelAtPeriodEnd, s.CancelReason = true, "too expensive"
			return s
		}(),
	} {
		p, err := subscriptionPart(s)
		if err != nil {
			t.Fatal(err)
		}
		if p.field != "sub:"+s.ID || p.version != s.Version {
			t.Errorf("part %s v%d; want sub:%s v%d", p.field, p.version, s.ID, s.Version)
		}
		decodeInto(t, golden.JSON(t, name, p.value), s)
	}
}

func TestPlanFormat(t *testing.T) {
	p := streaming.Plan{ID: "premium", Name: "Premium", Description: "4K, four screens", PriceCents: 1799,
		Currency: "EUR", MaxStreams: 4, MaxQuality: "uhd", Available: true, Version: 2, CreatedAt: fixedTime,
		UpdatedAt: fixedEnd}
	w, err := planWrite(p)
	if err != nil {
		t.Fatal(err)
	}
	if w.key != "plan:premium" || len(w.parts) != 1 || w.parts[0].field != "plan" {
		t.Fatalf("write %+v; want one plan part of plan:premium", w)
	}
	decodeInto(t, golden.JSON(t, "plan.golden.json", w.parts[0].value), p)
}

func TestContentFormat(t *testing.T) {
	c := streaming.Content{ID: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e", Title: "Aventura <en> el \"mar\"",
		Description: "Una serie.", Type: streaming.ContentSeries, Genres: []string{"drama", "aventura"},
		Actors: []string{"Ana"}, Seasons: 2, ReleaseYear: 2024, DurationSeconds: 2700, RatingAvg: 4.25, RatingCount: 8,
		Version: 9, UpdatedAt: fixedTime}
	w, err := contentWrite(c)
	if err != nil {
		t.Fatal(err)
	}
	if w.key != "content:"+c.ID || len(w.parts) != 1 || w.parts[0].field != "content" {
		t.Fatalf("write %+v; want one content part of content:%s", w, c.ID)
	}
	decodeInto(t, golden.JSON(t, "content.golden.json", w.parts[0].value), c)
}

func TestRecommendationListFormat(t *testing.T) {
	recs := []streaming.Recommendation{
		{ContentID: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e", Score: 0.875, Reason: "watched by similar viewers", Title: "Aventura\tdos"},
		{ContentID: "c0ffee00-0000-4000-8000-000000000001", Score: 3, Reason: "trending", Title: "Línea\n\"nueva\""},
	}
	var list []byte
	for _, r := range recs {
		list = encodeRecLine(list, r)
	}
	stored := golden.Text(t, "recommendations_list.golden.txt", list)
	var got []streaming.Recommendation
	for line := range strings.Lines(string(stored)) {
		r, err := decodeRecLine(strings.TrimSuffix(line, "\n"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if diff := gocmp.Diff(recs, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestSessionFormat(t *testing.T) {
	doc, err := json.Marshal(sessionDoc{UserID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", EndsAt: fixedEnd.UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	stored := golden.JSON(t, "session.golden.json", doc)
	decodeInto(t, stored, sessionDoc{UserID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", EndsAt: 1770001445000}) // 2026-02-02T03:04:05Z
}

// The tombstone an erasure leaves in user_profile:{id}: an old binary reads it (during a rolling deploy), and every
// binary's versioned write must keep refusing to write next to it.
func TestUserProfileTombstoneFormat(t *testing.T) {
	pairs := tombstone(7)
	fields := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		fields[pairs[i]] = pairs[i+1]
	}
	if len(fields)*2 != len(pairs) {
		t.Fatalf("tombstone %q: not field, value pairs of distinct fields", pairs)
	}
	doc, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	decodeInto(t, golden.JSON(t, "user_profile_tombstone.golden.json", doc), map[string]string{"erased": "7", "v:user": "7"})
	if !strings.Contains(versionedWrite, "redis.call('HEXISTS', KEYS[1], 'erased') == 1") {
		t.Error("the versioned write no longer refuses a hash holding the erased marker")
	}
}
