package seed

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Manifest records what a run created, for tests, benchmarks and the README tour, and for the next run (plan ids,
// the anchor of the playback history).
type Manifest struct {
	Seed      int64  `json:"seed"`
	Namespace string `json:"namespace,omitempty"`
	// Complete is false when the run stopped early; the counts say how far it got.
	Complete bool `json:"complete"`
	// Anchor is when the playback history ends; events lie in the HistoryWindow before it.
	Anchor time.Time `json:"anchor"`
	// Password of every seeded user.
	Password string       `json:"password"`
	Plans    []PlanRef    `json:"plans"`
	Users    []UserRef    `json:"users"`    // the first few users
	Contents []ContentRef `json:"contents"` // most watched first, at most maxManifestContents
	Counts   Counts       `json:"counts"`
	Phases   []Phase      `json:"phases"`
}

type PlanRef struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	MonthlyPrice string `json:"monthly_price"`
	Currency     string `json:"currency"`
	MaxQuality   string `json:"max_quality"`
}

type UserRef struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	Country     string `json:"country"`
	PlanID      string `json:"plan_id"`
	Watched     int    `json:"watched"` // titles
}

type ContentRef struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	Genres      []string `json:"genres"`
	ReleaseYear int32    `json:"release_year"`
}

// Counts are what the run created or confirmed, per kind.
type Counts struct {
	Plans                int64 `json:"plans"`
	Titles               int64 `json:"titles"`
	Users                int64 `json:"users"`          // registered now
	UsersExisting        int64 `json:"users_existing"` // already registered (logged in instead)
	Subscriptions        int64 `json:"subscriptions"`  // created, or replayed by their idempotency key
	SubscriptionsSkipped int64 `json:"subscriptions_skipped"`
	WatchPairs           int64 `json:"watch_pairs"`
	Events               int64 `json:"events"`
	Ratings              int64 `json:"ratings"`
}

// Phase is the timing of one phase of a run.
type Phase struct {
	Name    string  `json:"phase"`
	Count   int64   `json:"count"`
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"rate"` // per second
}

const (
	maxManifestUsers    = 5
	maxManifestContents = 1000
)

// PlanID is the id of the plan named name, "" if the manifest has none.
func (m *Manifest) PlanID(name string) string {
	if m == nil {
		return ""
	}
	for _, p := range m.Plans {
		if p.Name == name {
			return p.ID
		}
	}
	return ""
}

// ReadManifest reads a manifest file; a missing file is an error satisfying errors.Is(err, fs.ErrNotExist).
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return &m, nil
}

// WriteManifest writes m to path (creating its folder), replacing the file only once the new one is complete.
func WriteManifest(path string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
