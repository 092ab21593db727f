package seed

import (
	"fmt"
	"regexp"
	"time"
)

// Password is the password of every seeded user (the contract asks for at least 10 characters).
const Password = "demo-password-123"

// Options say how much to create and how. The same Seed (and Namespace) always gives the same data set.
type Options struct {
	// Size of the data set: users, catalog titles, distinct (user, title) pairs watched, ratings (of watched pairs).
	Users, Titles, Watches, Ratings int
	// Seed of every random choice.
	Seed int64
	// Namespace, when set, keeps this data set apart from others on the same server: it goes into the emails
	// (user1+<ns>@demo.local), the plan names and the content ids. Tests use a unique one; "" is the demo.
	Namespace string
	// Concurrency is how many unary calls are in flight at once (default 8).
	Concurrency int
	// Streams is how many ingest streams send events at once (default 4); BatchSize is the events per message
	// (default 500, at most 1000).
	Streams, BatchSize int
	// Anchor is the time the playback history ends at: events lie in the week before it. Zero means the anchor of
	// Previous when that run had the same seed and is less than a day old (so a rerun rewrites the same rows),
	// else now.
	Anchor time.Time
	// CallTimeout bounds each unary call (default 30s; a registration costs a memory-hard hash).
	CallTimeout time.Duration
	// ProgressEvery is how often progress lines are written (default 3s).
	ProgressEvery time.Duration
	// Previous is the manifest of an earlier run, if any: it supplies the ids of plans that already exist (their
	// names are unique, and CreatePlan does not return the id of a taken name).
	Previous *Manifest
}

// Presets are the named sizes.
var Presets = map[string]Options{
	"demo":  {Users: 50, Titles: 200, Watches: 2000, Ratings: 300},
	"bench": {Users: 100_000, Titles: 10_000, Watches: 1_000_000, Ratings: 100_000},
}

// Preset returns the named size with default settings and seed 1.
func Preset(name string) (Options, error) {
	o, ok := Presets[name]
	if !ok {
		return Options{}, fmt.Errorf("unknown size %q: want demo or bench", name)
	}
	o.Seed = 1
	return o.withDefaults(), nil
}

func (o Options) withDefaults() Options {
	if o.Concurrency == 0 {
		o.Concurrency = 8
	}
	if o.Streams == 0 {
		o.Streams = 4
	}
	if o.BatchSize == 0 {
		o.BatchSize = 500
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 30 * time.Second
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = 3 * time.Second
	}
	return o
}

var namespacePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,29}$`)

// maxTitlesPerUser caps the titles one user watches, so a user's picks never exhaust the catalog.
func maxTitlesPerUser(titles int) int { return max(1, titles/2) }

func (o Options) validate() error {
	switch {
	case o.Users < 1 || o.Users > 10_000_000:
		return fmt.Errorf("users = %d: want 1..10000000", o.Users)
	case o.Titles < 1 || o.Titles > 1_000_000:
		return fmt.Errorf("titles = %d: want 1..1000000", o.Titles)
	case o.Watches < 0 || int64(o.Watches) > int64(o.Users)*int64(maxTitlesPerUser(o.Titles)):
		return fmt.Errorf("watches = %d: want 0..%d (each user watches at most half the catalog)", o.Watches,
			int64(o.Users)*int64(maxTitlesPerUser(o.Titles)))
	case o.Ratings < 0 || o.Ratings > o.Watches:
		return fmt.Errorf("ratings = %d: want 0..%d (users rate titles they watched)", o.Ratings, o.Watches)
	case o.Namespace != "" && !namespacePattern.MatchString(o.Namespace):
		return fmt.Errorf("namespace %q: want lower-case letters, digits and '-', at most 30", o.Namespace)
	case o.Concurrency < 1 || o.Concurrency > 1024:
		return fmt.Errorf("concurrency = %d: want 1..1024", o.Concurrency)
	case o.Streams < 1 || o.Streams > 64:
		return fmt.Errorf("streams = %d: want 1..64", o.Streams)
	case o.BatchSize < 1 || o.BatchSize > 1000:
		return fmt.Errorf("batch size = %d: want 1..1000", o.BatchSize)
	case o.CallTimeout < 0 || o.ProgressEvery < 0:
		return fmt.Errorf("timeouts must be positive")
	}
	return nil
}
