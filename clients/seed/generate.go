package seed

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// Dataset is the data set an Options describes, generated without any call: the requests of the seed, minus the
// ids only the server knows (user and plan ids), which its methods take as arguments. Every item has its own
// random stream derived from the seed, so item i is the same whatever the size.
type Dataset struct {
	opts Options
	base uuid.UUID // namespace of the ids derived from the seed

	Plans    []*pb.CreatePlanRequest
	Contents []*pb.Content // most watched first
	Users    []*pb.RegisterUserRequest
	// Pairs are the (user, title) pairs watched, grouped by user in user order.
	Pairs []Pair

	userPlan []int     // plan index of each user
	quality  []float64 // hidden quality of each title, drives its ratings
	spanish  []bool    // language of each title
	events   int
	raters   []bool // users with at least one rating
}

// Pair is one user watching one title.
type Pair struct {
	User, Title int32
	Events      int8 // playback events sent for the pair
	Completed   bool // watched to the end
	Stars       int8 // the user's rating of the title; 0 when not rated
}

// Generate builds the data set of opts.
func Generate(opts Options) (*Dataset, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	d := &Dataset{opts: opts,
		base: uuid.NewSHA1(uuid.NameSpaceURL, []byte(fmt.Sprintf("urn:streaming-seed:%d:%s", opts.Seed, opts.Namespace)))}
	d.Plans = plans(opts.Namespace)
	d.Contents = make([]*pb.Content, opts.Titles)
	d.quality = make([]float64, opts.Titles)
	d.spanish = make([]bool, opts.Titles)
	seen := make(map[string]int, opts.Titles)
	for i := range d.Contents {
		d.Contents[i], d.quality[i], d.spanish[i] = d.content(i)
		// A repeated title becomes a sequel, as catalogs have them.
		t := d.Contents[i].Title
		if n := seen[t]; n > 0 {
			d.Contents[i].Title = t + " " + roman(n+1)
		}
		seen[t]++
	}
	d.Users = make([]*pb.RegisterUserRequest, opts.Users)
	d.userPlan = make([]int, opts.Users)
	for i := range d.Users {
		d.Users[i], d.userPlan[i] = d.user(i)
	}
	d.pairs()
	d.rate()
	return d, nil
}

// Options are the options the data set was generated from, defaults applied.
func (d *Dataset) Options() Options { return d.opts }

// Events is the number of playback events of all pairs.
func (d *Dataset) Events() int { return d.events }

// ContentID is the id of title i: derived from the seed and namespace, so upserts are idempotent.
func (d *Dataset) ContentID(i int) string {
	return uuid.NewSHA1(d.base, []byte("title-"+strconv.Itoa(i))).String()
}

// rng is the random stream of item i of a kind.
func (d *Dataset) rng(kind string, i uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(kind))
	return rand.New(rand.NewPCG(h.Sum64()^uint64(d.opts.Seed)*0x9e3779b97f4a7c15, i))
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, items []weighted[T]) T {
	total := 0
	for _, it := range items {
		total += it.w
	}
	n := r.IntN(total)
	for _, it := range items {
		if n < it.w {
			return it.v
		}
		n -= it.w
	}
	return items[len(items)-1].v
}

func one[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// Plans: name, description, price (EUR), streams, quality; and how users spread over them.
var planSpecs = []struct {
	name, desc, price string
	streams           int32
	quality           pb.VideoQuality
	share             int
}{
	{"Basic", "One screen in HD. Watch on any device.", "7.99", 1, pb.VideoQuality_VIDEO_QUALITY_HD, 35},
	{"Standard", "Two screens at once in Full HD.", "12.99", 2, pb.VideoQuality_VIDEO_QUALITY_FULL_HD, 45},
	{"Premium", "Four screens at once in Ultra HD.", "17.99", 4, pb.VideoQuality_VIDEO_QUALITY_UHD, 20},
}

func plans(namespace string) []*pb.CreatePlanRequest {
	out := make([]*pb.CreatePlanRequest, len(planSpecs))
	for i, p := range planSpecs {
		name := p.name
		if namespace != "" {
			name += " (" + namespace + ")"
		}
		out[i] = &pb.CreatePlanRequest{Name: name, Description: p.desc, MonthlyPrice: p.price, Currency: "EUR",
			MaxStreams: p.streams, MaxQuality: p.quality, Available: true}
	}
	return out
}

// content is title i, its hidden quality (about the mean of its ratings) and whether it is Spanish.
func (d *Dataset) content(i int) (*pb.Content, float64, bool) {
	r := d.rng("title", uint64(i))
	es := r.IntN(2) == 0
	c := &pb.Content{Id: d.ContentID(i)}
	switch x := r.IntN(100); {
	case x < 60:
		c.Type = pb.ContentType_CONTENT_TYPE_MOVIE
	case x < 88:
		c.Type = pb.ContentType_CONTENT_TYPE_SERIES
	default:
		c.Type = pb.ContentType_CONTENT_TYPE_DOCUMENTARY
	}
	if c.Type == pb.ContentType_CONTENT_TYPE_DOCUMENTARY {
		c.Genres = []string{"documentary"}
		if r.IntN(3) == 0 {
			c.Genres = append(c.Genres, one(r, []string{"crime", "family", "drama"}))
		}
		c.Title, c.Description = documentary(r, es)
		if r.IntN(2) == 0 {
			c.Actors = []string{personName(r, es)}
		}
		c.DurationSeconds = int32(50+r.IntN(61)) * 60
	} else {
		main := pick(r, fictionGenres)
		c.Genres = []string{main}
		for extra := r.IntN(3); extra > 0; extra-- {
			g := pick(r, fictionGenres)
			if !contains(c.Genres, g) {
				c.Genres = append(c.Genres, g)
			}
		}
		c.Title, c.Description = fiction(r, main, es)
		for n := 2 + r.IntN(5); n > 0; n-- {
			if a := personName(r, es); !contains(c.Actors, a) {
				c.Actors = append(c.Actors, a)
			}
		}
		if c.Type == pb.ContentType_CONTENT_TYPE_SERIES {
			c.Seasons = 1 + int32(7*math.Pow(r.Float64(), 2))
			c.DurationSeconds = int32(22+r.IntN(39)) * 60 // one episode
		} else {
			c.DurationSeconds = int32(85+r.IntN(76)) * 60
		}
	}
	c.ReleaseYear = 2025 - int32(60*math.Pow(r.Float64(), 2.2))
	quality := 2.2 + 2.6*(r.Float64()+r.Float64())/2
	return c, quality, es
}

func fiction(r *rand.Rand, genre string, es bool) (title, desc string) {
	words := genreWords[genre]
	if !es {
		noun := one(r, words.en)
		switch r.IntN(6) {
		case 0:
			title = "The " + one(r, enAdjectives) + " " + noun
		case 1:
			title = "The " + noun + " of " + one(r, enRegions)
		case 2:
			title = noun + " in " + one(r, enCities)
		case 3:
			title = "The Last " + noun
		case 4:
			title = "Beyond the " + noun
		default:
			title = "Return to " + one(r, enCities)
		}
		desc = one(r, enProtagonists) + " " + one(r, plots[genre][0]) + " in " + one(r, enCities) + ". " + one(r, enClosers)
		return title, desc
	}
	noun := one(r, words.es) // with its article
	fem := strings.HasPrefix(noun, "la ")
	art, bare, _ := strings.Cut(noun, " ")
	form := func(a [2]string) string {
		if fem {
			return a[1]
		}
		return a[0]
	}
	switch r.IntN(6) {
	case 0:
		title = art + " " + form(one(r, esPreAdjectives)) + " " + bare + " " + de(one(r, esRegions))
	case 1:
		title = noun + " " + form(one(r, esAdjectives))
	case 2:
		title = noun + " de " + one(r, esCities)
	case 3:
		title = "Más allá " + de(noun)
	case 4:
		title = "Regreso " + a(noun)
	default:
		title = bare + " en " + one(r, esCities)
	}
	desc = one(r, esProtagonists) + " " + one(r, plots[genre][1]) + " en " + one(r, esCities) + ". " + one(r, esClosers)
	return capitalize(title), desc
}

func documentary(r *rand.Rand, es bool) (title, desc string) {
	place, animals, subject := r.IntN(len(enDocPlaces)), r.IntN(len(enDocAnimals)), r.IntN(len(enDocSubjects))
	years := 2 + r.IntN(9)
	if !es {
		switch r.IntN(5) {
		case 0:
			title = "A Journey Through " + enDocPlaces[place]
		case 1:
			title = "The Secret Life of " + enDocAnimals[animals]
		case 2:
			title = "Inside the " + enDocSubjects[subject]
		case 3:
			title = "Voices of " + enDocPlaces[place]
		default:
			title = one(r, enCities) + ": A Portrait"
		}
		desc = fmt.Sprintf("A documentary that follows %s across %s, filmed over %d years.",
			strings.ToLower(enDocAnimals[animals]), enDocPlaces[place], years)
		return title, desc
	}
	switch r.IntN(5) {
	case 0:
		title = "Un viaje por " + esDocPlaces[place]
	case 1:
		title = "La vida secreta de " + esDocAnimals[animals]
	case 2:
		title = "Dentro " + de(esDocSubjects[subject])
	case 3:
		title = "Voces " + de(esDocPlaces[place])
	default:
		title = one(r, esCities) + ": un retrato"
	}
	desc = fmt.Sprintf("Un documental que sigue a %s por %s, rodado durante %d años.",
		esDocAnimals[animals], esDocPlaces[place], years)
	return capitalize(title), desc
}

// de and a put a Spanish preposition before a phrase, contracting "de el" and "a el".
func de(s string) string {
	if rest, ok := strings.CutPrefix(s, "el "); ok {
		return "del " + rest
	}
	return "de " + s
}

func a(s string) string {
	if rest, ok := strings.CutPrefix(s, "el "); ok {
		return "al " + rest
	}
	return "a " + s
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func personName(r *rand.Rand, es bool) string {
	if es {
		return one(r, esFirstNames) + " " + one(r, esLastNames)
	}
	return one(r, enFirstNames) + " " + one(r, enLastNames)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// Email is the email of user i (0-based): user<i+1>@demo.local, with "+<namespace>" when there is one.
func (d *Dataset) Email(i int) string {
	if d.opts.Namespace != "" {
		return fmt.Sprintf("user%d+%s@demo.local", i+1, d.opts.Namespace)
	}
	return fmt.Sprintf("user%d@demo.local", i+1)
}

func (d *Dataset) user(i int) (*pb.RegisterUserRequest, int) {
	r := d.rng("user", uint64(i))
	es := r.IntN(2) == 0
	country := pick(r, enCountries)
	if es {
		country = pick(r, esCountries)
	}
	u := &pb.RegisterUserRequest{Email: d.Email(i), Password: Password, DisplayName: personName(r, es), Country: country}
	shares := make([]weighted[int], len(planSpecs))
	for k, p := range planSpecs {
		shares[k] = weighted[int]{k, p.share}
	}
	return u, pick(r, shares)
}

// UserPlan is the index in Plans of the plan user i subscribes to.
func (d *Dataset) UserPlan(i int) int { return d.userPlan[i] }

// Subscription is the subscription request of user i; planIDs are the server's ids of Plans, in order. The
// idempotency key is derived from the seed, so a rerun replays instead of subscribing again.
func (d *Dataset) Subscription(i int, userID string, planIDs []string) *pb.CreateSubscriptionRequest {
	r := d.rng("subscription", uint64(i))
	method := pick(r, []weighted[pb.PaymentMethod]{{pb.PaymentMethod_PAYMENT_METHOD_CARD, 70},
		{pb.PaymentMethod_PAYMENT_METHOD_PAYPAL, 20}, {pb.PaymentMethod_PAYMENT_METHOD_BANK_TRANSFER, 10}})
	// Tokens the local payment processor approves (server/payment/local.go).
	token := "tok_approve"
	if method == pb.PaymentMethod_PAYMENT_METHOD_CARD {
		token = one(r, []string{"tok_visa", "tok_mastercard", "4242424242424242"})
	}
	key := fmt.Sprintf("seed:%d:sub:%d", d.opts.Seed, i)
	if d.opts.Namespace != "" {
		key = fmt.Sprintf("seed:%d:%s:sub:%d", d.opts.Seed, d.opts.Namespace, i)
	}
	return &pb.CreateSubscriptionRequest{UserId: userID, PlanId: planIDs[d.userPlan[i]], PaymentMethod: method,
		PaymentToken: token, IdempotencyKey: key}
}

// pairs spreads Watches over the users (some watch a lot, most a little) and picks each user's titles by
// popularity: title i is chosen with a Zipf-like weight (i+3)^-1.1, so a few titles are watched by many users,
// which is what trending and co-watching need.
func (d *Dataset) pairs() {
	o := d.opts
	capacity := maxTitlesPerUser(o.Titles)
	weights := make([]float64, o.Users)
	var sum float64
	for u := range weights {
		weights[u] = math.Exp(0.9 * d.rng("activity", uint64(u)).NormFloat64())
		sum += weights[u]
	}
	count := make([]int, o.Users)
	left := o.Watches
	for u, w := range weights {
		count[u] = min(capacity, int(float64(o.Watches)*w/sum))
		left -= count[u]
	}
	for u := 0; left > 0; u = (u + 1) % o.Users {
		if count[u] < capacity {
			count[u]++
			left--
		}
	}
	d.Pairs = make([]Pair, 0, o.Watches)
	chosen := map[int]bool{}
	for u, n := range count {
		if n == 0 {
			continue
		}
		r := d.rng("watches", uint64(u))
		var z *rand.Zipf
		if o.Titles > 1 {
			z = rand.NewZipf(r, 1.1, 3, uint64(o.Titles-1))
		}
		clear(chosen)
		for tries := 0; len(chosen) < n; tries++ {
			t := 0
			switch {
			case z == nil:
			case tries < 20*n:
				t = int(z.Uint64())
			default: // the popular titles are taken: fill from the rest
				t = r.IntN(o.Titles)
			}
			if chosen[t] {
				continue
			}
			chosen[t] = true
			s := d.pairState(u, t)
			d.Pairs = append(d.Pairs, Pair{User: int32(u), Title: int32(t), Events: int8(s.events), Completed: s.completed})
			d.events += s.events
		}
	}
}

// rate picks exactly Ratings of the pairs (selection sampling, uniform) and gives each its stars: the title's
// quality, a bonus for finishing it, and the user's mood.
func (d *Dataset) rate() {
	d.raters = make([]bool, d.opts.Users)
	r := d.rng("ratings", 0)
	need := d.opts.Ratings
	for i := range d.Pairs {
		if r.IntN(len(d.Pairs)-i) >= need {
			continue
		}
		need--
		p := &d.Pairs[i]
		x := d.quality[p.Title] + 0.8*r.NormFloat64() - 0.6
		if p.Completed {
			x += 0.7
		}
		p.Stars = int8(min(5, max(1, math.Round(x))))
		d.raters[p.User] = true
	}
}

// Rater reports whether user i rates at least one title (and so needs a session).
func (d *Dataset) Rater(i int) bool { return d.raters[i] }

// Rating is the rating request of a rated pair.
func (d *Dataset) Rating(p Pair, userID string) *pb.RateContentRequest {
	r := d.rng("review", uint64(p.User)<<32|uint64(p.Title))
	req := &pb.RateContentRequest{UserId: userID, ContentId: d.ContentID(int(p.Title)), Stars: int32(p.Stars)}
	if r.IntN(5) < 2 {
		lang := 0 // reviews in the title's language
		if d.spanish[p.Title] {
			lang = 1
		}
		req.Review = one(r, reviews[p.Stars-1][lang])
	}
	return req
}

var deviceShares = []weighted[pb.Device]{{pb.Device_DEVICE_TV, 35}, {pb.Device_DEVICE_MOBILE, 25},
	{pb.Device_DEVICE_WEB, 20}, {pb.Device_DEVICE_TABLET, 12}, {pb.Device_DEVICE_CONSOLE, 8}}

// deviceMaxQuality is the best quality a device plays.
var deviceMaxQuality = map[pb.Device]pb.VideoQuality{
	pb.Device_DEVICE_TV: pb.VideoQuality_VIDEO_QUALITY_UHD, pb.Device_DEVICE_CONSOLE: pb.VideoQuality_VIDEO_QUALITY_UHD,
	pb.Device_DEVICE_WEB: pb.VideoQuality_VIDEO_QUALITY_FULL_HD, pb.Device_DEVICE_TABLET: pb.VideoQuality_VIDEO_QUALITY_FULL_HD,
	pb.Device_DEVICE_MOBILE: pb.VideoQuality_VIDEO_QUALITY_HD,
}

// pairState is how user u watched title t. It is drawn from the pair's own stream, in a fixed order, so Generate
// (which needs the counts) and Events (which needs the rest) agree.
type pairState struct {
	completed bool
	events    int
	r         *rand.Rand // positioned after the draws above
}

func (d *Dataset) pairState(u, t int) pairState {
	r := d.rng("pair", uint64(u)<<32|uint64(t))
	return pairState{completed: r.Float64() < 0.45, events: 1 + r.IntN(4), r: r}
}

// HistoryWindow is how far before the anchor the playback history starts (a week, so every trending window has
// plays; the ingest service accepts events up to 30 days old).
const HistoryWindow = 7 * 24 * time.Hour

// AppendEvents appends the playback events of a pair to dst: a viewing session of Events heartbeats ending a
// minute or more before anchor, more often recent than not. Event ids are derived from the seed, so sending them
// again rewrites the same rows.
func (d *Dataset) AppendEvents(dst []*pb.PlaybackEvent, p Pair, userID string, anchor time.Time) []*pb.PlaybackEvent {
	u, t := int(p.User), int(p.Title)
	s := d.pairState(u, t)
	r := s.r
	c := d.Contents[t]
	device := pick(r, deviceShares)
	quality := min(deviceMaxQuality[device], planSpecs[d.userPlan[u]].quality)
	if quality > pb.VideoQuality_VIDEO_QUALITY_SD && r.IntN(5) == 0 { // a slow network
		quality--
	}
	final := c.DurationSeconds
	if !s.completed {
		final = int32(float64(c.DurationSeconds) * (0.05 + 0.85*r.Float64()))
	}
	age := time.Duration(float64(HistoryWindow-2*time.Hour) * math.Pow(r.Float64(), 1.6))
	// Positions at even steps, each event some seconds of pause after the play it reports.
	offsets := make([]time.Duration, s.events)
	var span time.Duration
	prev := int32(0)
	for k := range s.events {
		pos := final * int32(k+1) / int32(s.events)
		span += time.Duration(pos-prev)*time.Second + time.Duration(r.IntN(301))*time.Second
		offsets[k] = span
		prev = pos
	}
	start := anchor.Add(-time.Minute - age - span)
	prev = 0
	cid := d.ContentID(t)
	for k := range s.events {
		pos := final * int32(k+1) / int32(s.events)
		dst = append(dst, &pb.PlaybackEvent{
			EventId:         uuid.NewSHA1(d.base, []byte(fmt.Sprintf("event-%d-%d-%d", u, t, k))).String(),
			UserId:          userID,
			ContentId:       cid,
			OccurTime:       timestamppb.New(start.Add(offsets[k])),
			PlayedSeconds:   pos - prev,
			PositionSeconds: pos,
			Device:          device,
			Quality:         quality,
			Completed:       s.completed && k == s.events-1,
		})
		prev = pos
	}
	return dst
}
