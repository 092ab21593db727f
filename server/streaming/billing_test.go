package streaming

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, time.UTC) }

func TestAddMonthsClamped(t *testing.T) {
	cases := []struct {
		in   time.Time
		n    int
		want time.Time
	}{
		{day(2026, 1, 15), 1, day(2026, 2, 15)},
		{day(2026, 1, 31), 1, day(2026, 2, 28)},
		{day(2028, 1, 31), 1, day(2028, 2, 29)}, // leap year
		{day(2026, 3, 31), 1, day(2026, 4, 30)},
		{day(2026, 12, 31), 1, day(2027, 1, 31)},
		{day(2026, 11, 30), 3, day(2027, 2, 28)},
		{day(2026, 1, 31), 12, day(2027, 1, 31)},
		{day(2026, 5, 6), 0, day(2026, 5, 6)},
	}
	for _, tc := range cases {
		if got := AddMonthsClamped(tc.in, tc.n); !got.Equal(tc.want) {
			t.Errorf("AddMonthsClamped(%s, %d) = %s, want %s", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestPeriodEndKeepsTheAnchorDay(t *testing.T) {
	// A subscription from 31 January bills on the last day of short months and on the 31st again after them.
	anchor := day(2026, 1, 31)
	want := []time.Time{day(2026, 2, 28), day(2026, 3, 31), day(2026, 4, 30), day(2026, 5, 31), day(2026, 6, 30),
		day(2026, 7, 31), day(2026, 8, 31), day(2026, 9, 30), day(2026, 10, 31), day(2026, 11, 30), day(2026, 12, 31),
		day(2027, 1, 31)}
	start := anchor
	for i, w := range want {
		end := PeriodEnd(anchor, start)
		if !end.Equal(w) {
			t.Fatalf("period %d from %s ends %s, want %s", i+1, start, end, w)
		}
		start = end
	}
	// A start off the schedule still gets a period ending after it.
	if got := PeriodEnd(anchor, day(2026, 2, 28).Add(time.Hour)); !got.Equal(day(2026, 3, 31)) {
		t.Errorf("off-schedule start: %s", got)
	}
}

func TestProrate(t *testing.T) {
	start, end := day(2026, 4, 1), day(2026, 5, 1) // 30 days
	cases := []struct {
		name           string
		old, new       int64
		now            time.Time
		cents          int64
		daysLeft, days int
	}{
		{"upgrade on the first day: the whole difference", 999, 1999, start.Add(time.Minute), 1000, 30, 30},
		{"upgrade with 10 of 30 days left", 999, 1999, day(2026, 4, 21), 333, 10, 30}, // 1000×10/30 = 333.33
		{"upgrade with 20 of 30 days left rounds up", 999, 1999, day(2026, 4, 11), 667, 20, 30},
		{"a day begun counts as left", 999, 1999, day(2026, 4, 21).Add(-time.Minute), 367, 11, 30}, // 366.67
		{"downgrade mirrors the upgrade", 1999, 999, day(2026, 4, 11), -667, 20, 30},
		{"half a cent rounds away from zero", 0, 1, day(2026, 4, 16), 1, 15, 30}, // 0.5
		{"half a cent of credit too", 1, 0, day(2026, 4, 16), -1, 15, 30},
		{"same price", 999, 999, day(2026, 4, 11), 0, 20, 30},
		{"at the period's end nothing is left", 999, 1999, end, 0, 0, 30},
		{"before the period (clock skew) is the whole period", 999, 1999, start.Add(-time.Hour), 1000, 30, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Prorate(tc.old, tc.new, start, end, tc.now)
			if p.AmountCents != tc.cents || p.DaysLeft != tc.daysLeft || p.PeriodDays != tc.days {
				t.Fatalf("Prorate = %+v, want %d cents, %d of %d days", p, tc.cents, tc.daysLeft, tc.days)
			}
		})
	}
	// February: 28 days.
	if p := Prorate(1000, 2400, day(2026, 2, 1), day(2026, 3, 1), day(2026, 2, 15)); p.AmountCents != 700 || p.PeriodDays != 28 {
		t.Fatalf("February: %+v", p)
	}
}

func TestRetryPolicyAfterDecline(t *testing.T) {
	p := RetryPolicy{Retries: []time.Duration{24 * time.Hour, 72 * time.Hour, 120 * time.Hour}, Grace: 168 * time.Hour}
	due := day(2026, 4, 1)
	cases := []struct {
		name    string
		attempt int
		now     time.Time
		next    time.Time
		expire  bool
	}{
		{"first decline: retry a day after the due date", 1, due, due.Add(24 * time.Hour), false},
		{"second decline: three days after", 2, due.Add(24 * time.Hour), due.Add(72 * time.Hour), false},
		{"third decline: five days after", 3, due.Add(72 * time.Hour), due.Add(120 * time.Hour), false},
		{"last decline: expire at the end of grace", 4, due.Add(120 * time.Hour), due.Add(168 * time.Hour), true},
		{"a retry whose time passed is due now", 2, due.Add(100 * time.Hour), due.Add(100 * time.Hour), false},
		{"past the grace period: expire now", 4, due.Add(200 * time.Hour), due.Add(200 * time.Hour), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			next, expire := p.AfterDecline(due, tc.attempt, tc.now)
			if !next.Equal(tc.next) || expire != tc.expire {
				t.Fatalf("AfterDecline = %s, %v; want %s, %v", next, expire, tc.next, tc.expire)
			}
		})
	}
	// A retry that would fall after the grace period is not made.
	short := RetryPolicy{Retries: []time.Duration{24 * time.Hour, 240 * time.Hour}, Grace: 168 * time.Hour}
	if next, expire := short.AfterDecline(due, 2, due.Add(24*time.Hour)); !expire || !next.Equal(due.Add(168*time.Hour)) {
		t.Fatalf("retry past grace: %s %v", next, expire)
	}
}

func TestSubscriptionBillingTransitions(t *testing.T) {
	base := func(status string) *Subscription {
		s := &Subscription{ID: "s", UserID: "u", PlanID: "p", Status: status, StartDate: day(2026, 1, 31), PriceCents: 999, Currency: "EUR"}
		s.StartPeriod()
		return s
	}
	now := day(2026, 2, 10)
	t.Run("cancel an active one at period end", func(t *testing.T) {
		s := base(SubscriptionActive)
		ended, err := s.ScheduleCancel("too expensive", now)
		if err != nil || ended || s.Status != SubscriptionActive || !s.CancelAtPeriodEnd || s.CancelReason != "too expensive" || s.EndDate != nil {
			t.Fatalf("%v %v %+v", ended, err, s)
		}
		if _, err := s.ScheduleCancel("again", now); ErrorCode(err) != CodePrecondition {
			t.Fatalf("second cancel: %v", err)
		}
		if err := s.EndAtPeriodEnd(); err != nil || s.Status != SubscriptionCanceled || !s.EndDate.Equal(day(2026, 2, 28)) {
			t.Fatalf("end: %v %+v", err, s)
		}
	})
	t.Run("cancel a past-due one ends it now", func(t *testing.T) {
		s := base(SubscriptionPastDue)
		ended, err := s.ScheduleCancel("card lost", now)
		if err != nil || !ended || s.Status != SubscriptionCanceled || !s.EndDate.Equal(now) || s.CancelReason != "card lost" {
			t.Fatalf("%v %v %+v", ended, err, s)
		}
	})
	t.Run("ended ones do not change", func(t *testing.T) {
		for _, st := range []string{SubscriptionCanceled, SubscriptionExpired} {
			s := base(st)
			if _, err := s.ScheduleCancel("x", now); ErrorCode(err) != CodePrecondition {
				t.Errorf("%s: cancel %v", st, err)
			}
			if err := s.Renew(&Invoice{}); ErrorCode(err) != CodePrecondition {
				t.Errorf("%s: renew %v", st, err)
			}
			if err := s.Expire(now); ErrorCode(err) != CodePrecondition {
				t.Errorf("%s: expire %v", st, err)
			}
		}
	})
	t.Run("renewal invoice, past due, recovered, expired", func(t *testing.T) {
		s := base(SubscriptionActive)
		inv, left := RenewalInvoice(s, "Basic", 0, day(2026, 2, 28))
		if inv.Status != InvoiceOpen || inv.AmountCents != 999 || left != 0 || !inv.PeriodStart.Equal(day(2026, 2, 28)) ||
			!inv.PeriodEnd.Equal(day(2026, 3, 31)) || !inv.NextAttemptAt.Equal(inv.PeriodStart) || len(inv.Lines) != 1 {
			t.Fatalf("invoice %+v", inv)
		}
		if err := s.MarkPastDue(&inv); err != nil || s.Status != SubscriptionPastDue || !s.CurrentPeriodEnd.Equal(day(2026, 3, 31)) {
			t.Fatalf("past due: %v %+v", err, s)
		}
		if err := s.Renew(&inv); err != nil || s.Status != SubscriptionActive {
			t.Fatalf("renew: %v %+v", err, s)
		}
		if err := s.Expire(now); ErrorCode(err) != CodePrecondition {
			t.Fatalf("expire an active one: %v", err)
		}
		_ = s.MarkPastDue(&inv)
		if err := s.Expire(day(2026, 3, 7)); err != nil || s.Status != SubscriptionExpired || !s.EndDate.Equal(day(2026, 3, 7)) {
			t.Fatalf("expire: %v %+v", err, s)
		}
	})
	t.Run("a credit reduces the renewal and is carried", func(t *testing.T) {
		s := base(SubscriptionActive)
		inv, left := RenewalInvoice(s, "Basic", 300, now)
		if inv.AmountCents != 699 || left != 0 || inv.Status != InvoiceOpen || len(inv.Lines) != 2 || inv.Lines[1].AmountCents != -300 {
			t.Fatalf("partial credit: %+v left %d", inv, left)
		}
		inv, left = RenewalInvoice(s, "Basic", 1500, now)
		if inv.AmountCents != 0 || left != 501 || inv.Status != InvoiceVoid || inv.NextAttemptAt != nil {
			t.Fatalf("covering credit: %+v left %d", inv, left)
		}
	})
}
