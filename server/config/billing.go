package config

import (
	"fmt"
	"strings"
	"time"
)

// loadBilling reads the renewal worker's settings (docs/billing.md).
func loadBilling(c *Config, get func(string) string) []error {
	var errs []error
	d, err := time.ParseDuration(get("billing-interval"))
	if err != nil || d < 0 {
		errs = append(errs, fmt.Errorf("-billing-interval=%q: want a duration such as 1m, or 0 for no worker", get("billing-interval")))
	}
	c.BillingInterval = d
	if c.BillingGrace, err = time.ParseDuration(get("billing-grace")); err != nil || c.BillingGrace < 0 {
		errs = append(errs, fmt.Errorf("-billing-grace=%q: want a duration such as 168h", get("billing-grace")))
	}
	c.BillingRetries = nil
	var last time.Duration
	for _, f := range strings.Split(get("billing-retries"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := time.ParseDuration(f)
		if err != nil || r <= last {
			errs = append(errs, fmt.Errorf("-billing-retries=%q: want increasing positive durations such as 24h,72h,120h", get("billing-retries")))
			break
		}
		c.BillingRetries, last = append(c.BillingRetries, r), r
	}
	return errs
}
