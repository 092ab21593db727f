package cassandra

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
)

// The driver's messages go to the server's structured log as JSON lines at Warn, never as plain text on stderr.
func TestDriverMessagesAreStructured(t *testing.T) {
	var buf bytes.Buffer
	l := driverLog{slog.New(slog.NewJSONHandler(&buf, nil))}
	l.Printf("gocql: unable to dial control conn %s: %v\n", "127.0.0.13:9042", "connection refused")
	var line struct{ Level, Msg, Driver string }
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not a JSON line: %q", buf.String())
	}
	if line.Level != "WARN" || line.Driver != "gocql" || line.Msg != "gocql: unable to dial control conn 127.0.0.13:9042: connection refused" {
		t.Fatalf("logged %+v", line)
	}
	if c := newCluster(Config{Hosts: []string{"h"}, Log: slog.New(slog.DiscardHandler)}, ""); c.Logger == nil {
		t.Fatal("a Config with a Log leaves the driver's default logger")
	}
}
