// Package golden pins stored formats in tests: an encoded value is compared with a file under testdata/, so a
// renamed Go field or a changed encoder fails a test instead of silently breaking data already stored.
package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// UpdateEnv names the variable that, set to 1, makes the checks write the files instead of comparing. Only for a
// new format or a deliberate change: a changed stored format needs a version bump or a migration
// (docs/stored-formats.md).
const UpdateEnv = "GOLDEN_UPDATE"

// JSON fails t unless got, the JSON exactly as it is stored, equals the JSON in testdata/name (kept indented for
// reading; compared compacted, so key order and values must match byte for byte). It returns the stored form read
// from the file, for the caller to decode back.
func JSON(t testing.TB, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv(UpdateEnv) == "1" {
		var out bytes.Buffer
		if err := json.Indent(&out, got, "", "  "); err != nil {
			t.Fatalf("%s: not JSON: %v", name, err)
		}
		out.WriteByte('\n')
		write(t, path, out.Bytes())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (%s=1 writes it)", err, UpdateEnv)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("stored format changed (a rename or a new field needs a version bump or a migration):\n got  %s\n want %s (%s)",
			got, want.Bytes(), path)
	}
	return want.Bytes()
}

// Text is JSON for a format that is not JSON: got must equal testdata/name byte for byte.
func Text(t testing.TB, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv(UpdateEnv) == "1" {
		write(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (%s=1 writes it)", err, UpdateEnv)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("stored format changed (a change needs a version bump or a migration):\n got  %q\n want %q (%s)",
			got, want, path)
	}
	return want
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
