package readcheck

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ratingTolerance absorbs float round trips of rating_avg (numeric(3,2) in PostgreSQL, a float in the read models;
// the search index keeps the source as sent, but its float field is single precision).
const ratingTolerance = 0.005

// fields collects the fields at fault, PostgreSQL's value first.
type fields []FieldDiff

func (f *fields) add(name, want, got string) {
	*f = append(*f, FieldDiff{Field: name, Want: want, Got: got})
}

func (f *fields) str(name, want, got string) {
	if want != got {
		f.add(name, strconv.Quote(want), strconv.Quote(got))
	}
}

func (f *fields) int(name string, want, got int64) {
	if want != got {
		f.add(name, strconv.FormatInt(want, 10), strconv.FormatInt(got, 10))
	}
}

func (f *fields) bool(name string, want, got bool) {
	if want != got {
		f.add(name, strconv.FormatBool(want), strconv.FormatBool(got))
	}
}

func (f *fields) float(name string, want, got float64) {
	if math.Abs(want-got) > ratingTolerance {
		f.add(name, strconv.FormatFloat(want, 'f', -1, 64), strconv.FormatFloat(got, 'f', -1, 64))
	}
}

func (f *fields) time(name string, want, got *time.Time) {
	if (want == nil) != (got == nil) || want != nil && !want.Equal(*got) {
		f.add(name, formatTime(want), formatTime(got))
	}
}

// list compares in order (actors are shown in the order given); nil and empty are equal.
func (f *fields) list(name string, want, got []string) {
	if !slices.Equal(nonNil(want), nonNil(got)) {
		f.add(name, fmt.Sprintf("%q", want), fmt.Sprintf("%q", got))
	}
}

// set compares as sets, empty names dropped (the graph cannot hold a genre without a name).
func (f *fields) set(name string, want, got []string) {
	w, g := normSet(want), normSet(got)
	if !slices.Equal(w, g) {
		f.add(name, fmt.Sprintf("%q", w), fmt.Sprintf("%q", g))
	}
}

func normSet(s []string) []string {
	out := slices.DeleteFunc(slices.Clone(s), func(v string) bool { return v == "" })
	slices.Sort(out)
	return slices.Compact(nonNil(out))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "null"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// versioned is the status of a read-model entry at modelVersion against PostgreSQL's version, given the fields
// that differ. Fields matter only at the same version: an older entry is expected to differ.
func versioned(version, modelVersion int64, diff fields) (Status, fields) {
	switch {
	case modelVersion < version:
		return StatusBehind, fields{{Field: "version", Want: strconv.FormatInt(version, 10), Got: strconv.FormatInt(modelVersion, 10)}}
	case modelVersion > version:
		return StatusAhead, fields{{Field: "version", Want: strconv.FormatInt(version, 10), Got: strconv.FormatInt(modelVersion, 10)}}
	case len(diff) > 0:
		return StatusDiverged, diff
	}
	return StatusOK, nil
}

// contentFields compares every catalog field a document or view carries (not updated_at: a view rebuilt from
// PostgreSQL and one projected from an event may stamp it differently).
func contentFields(want, got streaming.Content) fields {
	var f fields
	f.str("title", want.Title, got.Title)
	f.str("description", want.Description, got.Description)
	f.str("type", want.Type, got.Type)
	f.set("genres", want.Genres, got.Genres)
	f.list("actors", want.Actors, got.Actors)
	f.int("seasons", int64(want.Seasons), int64(got.Seasons))
	f.int("release_year", int64(want.ReleaseYear), int64(got.ReleaseYear))
	f.int("duration_seconds", int64(want.DurationSeconds), int64(got.DurationSeconds))
	f.float("rating_avg", want.RatingAvg, got.RatingAvg)
	f.int("rating_count", want.RatingCount, got.RatingCount)
	return f
}
