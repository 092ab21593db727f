package streaming

import "testing"

func TestParseCents(t *testing.T) {
	good := map[string]int64{"0": 0, "9.99": 999, "10": 1000, "0.5": 50, "0.05": 5, "999999.99": 99999999}
	for in, want := range good {
		got, err := ParseCents(in)
		if err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
		if back, _ := ParseCents(FormatCents(got)); back != got {
			t.Errorf("FormatCents(%d) = %q does not parse back", got, FormatCents(got))
		}
	}
	for _, in := range []string{"", ".5", "1.", "1.234", "-1", "1e3", "1000000", "9,99", " 1", "0x10"} {
		if got, err := ParseCents(in); err == nil {
			t.Errorf("ParseCents(%q) = %d, want an error", in, got)
		}
	}
	if FormatCents(999) != "9.99" || FormatCents(5) != "0.05" || FormatCents(100) != "1.00" {
		t.Errorf("FormatCents: %s %s %s", FormatCents(999), FormatCents(5), FormatCents(100))
	}
}
