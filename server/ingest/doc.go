// Package ingest is the playback-event ingest path between the transport and the durable store.
//
// The transport converts each message to []streaming.PlaybackEvent, checks each event (proto rules, then Validate)
// and passes the good ones to Pipeline.Submit. Submit reserves room in a queue bounded by event count — waiting for
// room is the back-pressure that stops a stream handler reading — and groups the events by partition key. Groups
// are written by a bounded pool of writers once they reach MaxBatch events or have waited Linger. The returned
// Ticket reports, per event, nil once the PlaybackWriter confirmed it, or the error that kept it from being stored.
// After a successful write the events go to the PlaybackObserver (AsyncObserver decouples slow derived updates).
package ingest
