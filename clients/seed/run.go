// Package seed loads a realistic demo data set into the platform through its public API (never the databases):
// subscription plans, a bilingual catalog, users with subscriptions, a week of playback history skewed to popular
// titles, and ratings. Generate builds the data set from Options alone (deterministic for a seed); Run sends it.
//
// Every phase can be run again: content ids and event ids are derived from the seed, users that exist already are
// logged in instead, subscriptions carry an idempotency key derived from the seed, and plans that exist already are
// found in the previous run's Manifest. Every seeded user's password is Password.
package seed

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"

	"github.com/streamingplatform/streaming/clients/client"
)

// Run creates the data set of opts through the API: plans, titles and subscriptions with admin's token, users
// anonymously (RegisterUser, then Login where a session or the id of an existing account is needed), playback
// events through IngestPlaybackEvents with service's token, and ratings as each user (a copy of admin with the
// user's session token). Progress lines go to progress (nil for none).
//
// The manifest is returned even when Run fails, marked incomplete, so the caller can record how far it got (and
// the plan ids, which a rerun needs).
func Run(ctx context.Context, admin, service *client.Client, opts Options, progress io.Writer) (*Manifest, error) {
	d, err := Generate(opts)
	if err != nil {
		return nil, err
	}
	opts = d.Options()
	now := time.Now()
	anchor := chooseAnchor(now, opts)
	if anchor.After(now.Add(5*time.Minute)) || now.Sub(anchor) > 30*24*time.Hour-HistoryWindow-24*time.Hour {
		return nil, fmt.Errorf("anchor %s: the playback history must end within the last three weeks", anchor.Format(time.RFC3339))
	}
	if progress == nil {
		progress = io.Discard
	}
	r := &runner{opts: opts, d: d, admin: admin, service: service, anon: admin.WithToken(""), progress: progress,
		anchor: anchor, planIDs: make([]string, len(d.Plans)), userIDs: make([]string, opts.Users),
		tokens: make([]string, opts.Users)}
	fmt.Fprintf(progress, "seed: %d users, %d titles, %d watched pairs (%d playback events ending %s), %d ratings\n",
		opts.Users, opts.Titles, len(d.Pairs), d.Events(), anchor.Format(time.RFC3339), opts.Ratings)
	m := &Manifest{Seed: opts.Seed, Namespace: opts.Namespace, Anchor: anchor, Password: Password}
	for _, c := range d.Contents[:min(len(d.Contents), maxManifestContents)] {
		m.Contents = append(m.Contents, ContentRef{ID: c.GetId(), Title: c.GetTitle(), Type: contentType(c.GetType()),
			Genres: c.GetGenres(), ReleaseYear: c.GetReleaseYear()})
	}
	phases := []struct {
		name  string
		total int
		run   func(context.Context, *meter) error
	}{
		{"plans", len(d.Plans), r.plans},
		{"titles", len(d.Contents), r.titles},
		{"users", opts.Users, r.users},
		{"subscriptions", opts.Users, r.subscriptions},
		{"watch events", d.Events(), r.watches},
		{"ratings", opts.Ratings, r.ratings},
	}
	defer func() { r.fill(m) }()
	for _, p := range phases {
		mt := &meter{name: p.name, total: int64(p.total), start: time.Now()}
		stop := r.report(mt)
		err := p.run(ctx, mt)
		stop()
		secs := time.Since(mt.start).Seconds()
		done := mt.done.Load()
		m.Phases = append(m.Phases, Phase{Name: p.name, Count: done, Seconds: secs, Rate: float64(done) / max(secs, 1e-9)})
		if err != nil {
			return m, fmt.Errorf("%s: %w", p.name, err)
		}
		fmt.Fprintf(progress, "seed: %-13s done: %d in %.1fs\n", p.name, done, secs)
	}
	m.Complete = true
	return m, nil
}

// chooseAnchor is opts.Anchor, else the previous run's anchor when it used the same seed and namespace less than
// a day ago (a rerun then rewrites the same playback rows), else now.
func chooseAnchor(now time.Time, o Options) time.Time {
	if !o.Anchor.IsZero() {
		return o.Anchor
	}
	if p := o.Previous; p != nil && p.Seed == o.Seed && p.Namespace == o.Namespace && !p.Anchor.IsZero() {
		if age := now.Sub(p.Anchor); age >= 0 && age < 24*time.Hour {
			return p.Anchor
		}
	}
	return now.UTC().Truncate(time.Second)
}

type runner struct {
	opts            Options
	d               *Dataset
	admin, service  *client.Client
	anon            *client.Client
	progress        io.Writer
	anchor          time.Time
	planIDs         []string
	userIDs, tokens []string
	n               struct {
		titles, created, existing, subscribed, skipped, events, ratings atomic.Int64
	}
	logMu  sync.Mutex
	logged int
}

// fill copies what the run did into the manifest.
func (r *runner) fill(m *Manifest) {
	for k, req := range r.d.Plans {
		if r.planIDs[k] != "" {
			m.Plans = append(m.Plans, PlanRef{ID: r.planIDs[k], Name: req.GetName(), MonthlyPrice: req.GetMonthlyPrice(),
				Currency: req.GetCurrency(), MaxQuality: req.GetMaxQuality().String()})
		}
	}
	watched := make([]int, min(r.opts.Users, maxManifestUsers))
	for _, p := range r.d.Pairs {
		if int(p.User) < len(watched) {
			watched[p.User]++
		}
	}
	for i := range watched {
		if r.userIDs[i] == "" {
			break
		}
		u := r.d.Users[i]
		m.Users = append(m.Users, UserRef{ID: r.userIDs[i], Email: u.GetEmail(), Password: u.GetPassword(),
			DisplayName: u.GetDisplayName(), Country: u.GetCountry(), PlanID: r.planIDs[r.d.UserPlan(i)], Watched: watched[i]})
	}
	m.Counts = Counts{Plans: int64(countSet(r.planIDs)), Titles: r.n.titles.Load(), Users: r.n.created.Load(),
		UsersExisting: r.n.existing.Load(), Subscriptions: r.n.subscribed.Load(), SubscriptionsSkipped: r.n.skipped.Load(),
		Events: r.n.events.Load(), Ratings: r.n.ratings.Load()}
	if r.n.events.Load() == int64(r.d.Events()) {
		m.Counts.WatchPairs = int64(len(r.d.Pairs))
	}
}

func countSet(ids []string) int {
	n := 0
	for _, id := range ids {
		if id != "" {
			n++
		}
	}
	return n
}

func contentType(t pb.ContentType) string {
	return strings.ToLower(strings.TrimPrefix(t.String(), "CONTENT_TYPE_"))
}

// note writes one progress line, at most a few per run (a rerun could otherwise print thousands).
func (r *runner) note(format string, args ...any) {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	r.logged++
	switch {
	case r.logged <= 5:
		fmt.Fprintf(r.progress, "seed: "+format+"\n", args...)
	case r.logged == 6:
		fmt.Fprintln(r.progress, "seed: (more of these are not shown)")
	}
}

func (r *runner) plans(ctx context.Context, mt *meter) error {
	for k, req := range r.d.Plans {
		var plan *pb.Plan
		err := r.call(ctx, func(ctx context.Context) error {
			res, err := r.admin.Command.CreatePlan(ctx, req)
			plan = res.GetPlan()
			return err
		})
		if status.Code(err) == codes.AlreadyExists {
			// Names are unique: this is the plan of an earlier run. Bring it back to the seed's terms.
			id := r.opts.Previous.PlanID(req.GetName())
			if id == "" {
				return fmt.Errorf("plan %q already exists but no earlier manifest names its id: keep the manifest of "+
					"the run that created it, or seed a separate data set with a namespace", req.GetName())
			}
			err = r.call(ctx, func(ctx context.Context) error {
				res, err := r.admin.Command.UpdatePlan(ctx, &pb.UpdatePlanRequest{PlanId: id, Name: &req.Name,
					Description: &req.Description, MonthlyPrice: &req.MonthlyPrice, MaxStreams: &req.MaxStreams,
					MaxQuality: &req.MaxQuality, Available: &req.Available})
				plan = res.GetPlan()
				return err
			})
			if status.Code(err) == codes.NotFound {
				return fmt.Errorf("plan %q exists, but not with the id %s of the earlier manifest", req.GetName(), id)
			}
		}
		if err != nil {
			return fmt.Errorf("plan %q: %w", req.GetName(), err)
		}
		r.planIDs[k] = plan.GetId()
		mt.done.Add(1)
	}
	return nil
}

func (r *runner) titles(ctx context.Context, mt *meter) error {
	return r.each(ctx, len(r.d.Contents), mt, func(ctx context.Context, i int) error {
		c := r.d.Contents[i]
		err := r.call(ctx, func(ctx context.Context) error {
			_, err := r.admin.Command.UpsertContent(ctx, &pb.UpsertContentRequest{Content: c})
			return err
		})
		if err != nil {
			return fmt.Errorf("title %q: %w", c.GetTitle(), err)
		}
		r.n.titles.Add(1)
		return nil
	})
}

// users registers each user. A user that exists already is logged in to learn its id; a user who rates titles
// is logged in for a session.
func (r *runner) users(ctx context.Context, mt *meter) error {
	return r.each(ctx, r.opts.Users, mt, func(ctx context.Context, i int) error {
		req := r.d.Users[i]
		err := r.call(ctx, func(ctx context.Context) error {
			res, err := r.anon.Command.RegisterUser(ctx, req)
			r.userIDs[i] = res.GetUser().GetId()
			return err
		})
		existing := status.Code(err) == codes.AlreadyExists
		if err != nil && !existing {
			return fmt.Errorf("register %s: %w", req.GetEmail(), err)
		}
		if existing {
			r.n.existing.Add(1)
		} else {
			r.n.created.Add(1)
		}
		if !existing && !r.d.Rater(i) {
			return nil
		}
		err = r.call(ctx, func(ctx context.Context) error {
			res, err := r.anon.Command.Login(ctx, &pb.LoginRequest{Email: req.GetEmail(), Password: req.GetPassword()})
			r.userIDs[i], r.tokens[i] = res.GetUser().GetId(), res.GetToken()
			return err
		})
		if status.Code(err) == codes.Unauthenticated && existing {
			return fmt.Errorf("%s is already registered with another password than the seed's: seed a separate "+
				"data set with a namespace", req.GetEmail())
		}
		if err != nil {
			return fmt.Errorf("log in %s: %w", req.GetEmail(), err)
		}
		return nil
	})
}

// subscriptions subscribes each user as admin. A user who already has an active subscription (from another seed)
// keeps it.
func (r *runner) subscriptions(ctx context.Context, mt *meter) error {
	return r.each(ctx, r.opts.Users, mt, func(ctx context.Context, i int) error {
		req := r.d.Subscription(i, r.userIDs[i], r.planIDs)
		err := r.call(ctx, func(ctx context.Context) error {
			_, err := r.admin.Command.CreateSubscription(ctx, req)
			return err
		})
		code := status.Code(err)
		switch {
		case err == nil:
			r.n.subscribed.Add(1)
			return nil
		case code == codes.FailedPrecondition && strings.Contains(status.Convert(err).Message(), "active subscription"),
			code == codes.AlreadyExists: // the key was used with another plan id: an earlier run's plans
			r.n.skipped.Add(1)
			r.note("%s keeps the subscription it has (%s)", r.d.Users[i].GetEmail(), status.Convert(err).Message())
			return nil
		}
		return fmt.Errorf("subscribe %s: %w", r.d.Users[i].GetEmail(), err)
	})
}

// watches sends the playback events of every pair through the SDK's Batcher with the service token, over
// opts.Streams concurrent streams of opts.BatchSize events per message. The Batcher resends what a broken stream
// left unknown (event ids make that safe) and waits out the server's RetryInfo; Add blocks while its buffer is full,
// so the events are generated as fast as they are stored.
func (r *runner) watches(ctx context.Context, mt *meter) error {
	var mu sync.Mutex
	var firstRejected string
	b := r.service.NewBatcher(ctx, client.BatcherOptions{BatchSize: r.opts.BatchSize, Streams: r.opts.Streams,
		StreamTimeout: streamTimeout, GiveUpAfter: giveUpAfter,
		OnDurable: func(n int) {
			r.n.events.Add(int64(n))
			mt.done.Add(int64(n))
		},
		OnReject: func(ev *pb.PlaybackEvent, field, reason string) {
			mu.Lock()
			defer mu.Unlock()
			if firstRejected == "" {
				firstRejected = fmt.Sprintf("event %s, %s: %s", ev.GetEventId(), field, reason)
			}
		}})
	var err error
	for _, p := range r.d.Pairs {
		if err = b.Add(ctx, r.d.AppendEvents(nil, p, r.userIDs[p.User], r.anchor)...); err != nil {
			break
		}
	}
	st, cerr := b.Close(ctx)
	if err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("ingest: %w (%d events stored, %d not known stored)", err, st.Durable, st.Pending)
	}
	if st.Rejected > 0 {
		return fmt.Errorf("ingest: %d of %d events rejected; first: %s", st.Rejected, st.Added, firstRejected)
	}
	return nil
}

// streamTimeout bounds one ingest stream; giveUpAfter is how many streams in a row may fail (a server that stays
// away) before the phase fails: about 20 s of backoff.
const (
	streamTimeout = 2 * time.Minute
	giveUpAfter   = 8
)

func (r *runner) ratings(ctx context.Context, mt *meter) error {
	var rated []Pair
	for _, p := range r.d.Pairs {
		if p.Stars > 0 {
			rated = append(rated, p)
		}
	}
	return r.each(ctx, len(rated), mt, func(ctx context.Context, i int) error {
		p := rated[i]
		user := r.admin.WithToken(r.tokens[p.User])
		req := r.d.Rating(p, r.userIDs[p.User])
		err := r.call(ctx, func(ctx context.Context) error {
			_, err := user.Command.RateContent(ctx, req)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s rates %q: %w", r.d.Users[p.User].GetEmail(), r.d.Contents[p.Title].GetTitle(), err)
		}
		r.n.ratings.Add(1)
		return nil
	})
}

// each runs fn for 0..n-1 on opts.Concurrency goroutines; the first error stops the others.
func (r *runner) each(ctx context.Context, n int, mt *meter, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(r.opts.Concurrency, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
				mt.done.Add(1)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// call runs one call with the per-call deadline through the SDK's Retry: a few attempts while the server is
// unavailable or busy, waiting its RetryInfo. Every call of the seed is safe to repeat: a registration or plan that
// exists already answers AlreadyExists (handled by the caller), titles and ratings replace what they set, a login
// opens one more session, and subscriptions carry an idempotency key.
func (r *runner) call(ctx context.Context, fn func(context.Context) error) error {
	return client.Retry(ctx, client.RetryPolicy{AttemptTimeout: r.opts.CallTimeout}, fn)
}

// meter counts a phase's progress.
type meter struct {
	name  string
	total int64
	done  atomic.Int64
	start time.Time
}

// report writes mt's progress every opts.ProgressEvery until stop is called.
func (r *runner) report(mt *meter) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(r.opts.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				n := mt.done.Load()
				fmt.Fprintf(r.progress, "seed: %-13s %d/%d (%.0f/s)\n", mt.name, n, mt.total,
					float64(n)/time.Since(mt.start).Seconds())
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
