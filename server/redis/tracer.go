package redis

import (
	"context"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracedClient records a span per command, cached command or pipeline (DoMulti) of a call inside a trace. rueidis'
// own OpenTelemetry module is not served by the module proxy here, so this is the small part of it we need: the
// other methods (Dedicated, Receive, ...) pass through untraced. A command outside any trace records nothing.
type tracedClient struct {
	rueidis.Client
	tracer trace.Tracer
}

func newTracedClient(c rueidis.Client, tp trace.TracerProvider) rueidis.Client {
	return &tracedClient{Client: c, tracer: tp.Tracer("github.com/streamingplatform/streaming/server/redis")}
}

func (c *tracedClient) start(ctx context.Context, name string, n int) (context.Context, trace.Span) {
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx, nil
	}
	return c.tracer.Start(ctx, "redis "+name, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "redis"), attribute.Int("db.operation.batch.size", n)))
}

func end(span trace.Span, err error) {
	if span == nil {
		return
	}
	if err != nil && !rueidis.IsRedisNil(err) {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// commandName is a command's first word (GET, HSET, ...): never its keys or values.
func commandName(cmd []string) string {
	if len(cmd) == 0 {
		return "command"
	}
	return strings.ToUpper(cmd[0])
}

func (c *tracedClient) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	ctx, span := c.start(ctx, commandName(cmd.Commands()), 1)
	r := c.Client.Do(ctx, cmd)
	end(span, r.Error())
	return r
}

func (c *tracedClient) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	ctx, span := c.start(ctx, "pipeline", len(multi))
	rs := c.Client.DoMulti(ctx, multi...)
	end(span, firstErr(rs))
	return rs
}

func (c *tracedClient) DoCache(ctx context.Context, cmd rueidis.Cacheable, ttl time.Duration) rueidis.RedisResult {
	ctx, span := c.start(ctx, commandName(cmd.Commands()), 1)
	r := c.Client.DoCache(ctx, cmd, ttl)
	if span != nil {
		span.SetAttributes(attribute.Bool("redis.cache_hit", r.IsCacheHit()))
	}
	end(span, r.Error())
	return r
}

func (c *tracedClient) DoMultiCache(ctx context.Context, multi ...rueidis.CacheableTTL) []rueidis.RedisResult {
	ctx, span := c.start(ctx, "pipeline cached", len(multi))
	rs := c.Client.DoMultiCache(ctx, multi...)
	end(span, firstErr(rs))
	return rs
}

func firstErr(rs []rueidis.RedisResult) error {
	for _, r := range rs {
		if err := r.Error(); err != nil && !rueidis.IsRedisNil(err) {
			return err
		}
	}
	return nil
}
