package streaming

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxCents is the largest amount a DECIMAL(8,2) column holds: 999999.99.
const MaxCents = 99999999

// ParseCents reads a decimal amount with at most two fraction digits ("9.99", "10", "0.5") as integer cents.
// Money never goes through floating point.
func ParseCents(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 6 || (hasDot && (len(frac) == 0 || len(frac) > 2)) {
		return 0, fmt.Errorf("%q is not an amount with up to 6 digits and 2 decimals", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not an amount with up to 6 digits and 2 decimals", s)
		}
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

// FormatCents writes cents as a decimal with two fraction digits: 999 -> "9.99".
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
