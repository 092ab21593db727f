package search

import (
	"encoding/json"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/internal/golden"
	"github.com/streamingplatform/streaming/server/streaming"
)

// TestDocumentFormat pins a title's document in the index (_source), which the index mapping and every search
// query name field by field: encoded from a content event's payload, decoded back as the reads do.
func TestDocumentFormat(t *testing.T) {
	c := streaming.Content{ID: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e", Title: "Aventura <en> el \"mar\"",
		Description: "Una serie.", Type: streaming.ContentSeries, Genres: []string{"drama", "aventura"},
		Actors: []string{"Ana"}, Seasons: 2, ReleaseYear: 2024, DurationSeconds: 2700, RatingAvg: 4.25, RatingCount: 8,
		Version: 9, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)}
	b, err := json.Marshal(newDocument(streaming.NewContentPayload(&c)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeDocument(golden.JSON(t, "document.golden.json", b), c.Version)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(&c, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}
