// Package streaming is the platform's domain: its types, its coded errors and the interfaces of the stores. It
// imports no driver and no transport; adapters (server/postgres, server/redis, ...) implement its interfaces and
// server/grpcapi maps its errors to gRPC status codes in one place.
package streaming
