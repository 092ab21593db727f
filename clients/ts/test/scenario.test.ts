// The client against a real streamingd: run through deploy/local/scripts/with-server.sh (go tool task test:ts),
// which starts one on the local stack and sets the variables below. Without them the run fails: it never skips.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { ApiError, StreamingClient, type PlaybackEvent } from "../src/index.js";

function env(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run the tests through deploy/local/scripts/with-server.sh (go tool task test:ts)`);
  }
  return v;
}

const baseUrl = env("STREAMING_TEST_HTTP_URL");
const adminToken = env("STREAMING_TEST_ADMIN_TOKEN");

const anonymous = new StreamingClient({ baseUrl });
const admin = anonymous.withToken(adminToken);

async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("the gateway serves its OpenAPI 3 document", async () => {
  const res = await fetch(`${baseUrl}/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
  assert.match(doc.openapi, /^3\./);
  assert.ok(doc.paths["/v1/users/{userId}/subscriptions"]);
});

test("a user registers, subscribes, watches and reads their lists over REST", async (t) => {
  const email = `ts-${randomUUID()}@example.com`;
  const password = "correct horse battery";
  let userId = "";
  let user = anonymous;

  await t.test("register and log in", async () => {
    const created = await anonymous.registerUser({ email, password, displayName: "TS client", country: "ES" });
    assert.match(created.id ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(created.email, email);
    const session = await anonymous.login(email, password);
    assert.ok(session.token);
    assert.equal(session.user?.id, created.id);
    userId = created.id as string;
    user = anonymous.withToken(session.token);
  });

  let planId = "";
  await t.test("list plans (an admin creates one first)", async () => {
    const plan = await admin.createPlan({
      name: `TS plan ${randomUUID().slice(0, 8)}`,
      description: "created by the TypeScript client's tests",
      monthlyPrice: "4.99",
      currency: "EUR",
      maxStreams: 2,
      maxQuality: "VIDEO_QUALITY_HD",
      available: true,
    });
    planId = plan.id as string;
    // Anonymous callers may list plans; walk the pages until ours shows up.
    let pageToken: string | undefined;
    let found = false;
    for (let page = 0; page < 100 && !found; page++) {
      const res = await anonymous.listPlans({ pageSize: 100, ...(pageToken ? { pageToken } : {}) });
      found = (res.plans ?? []).some((p) => p.id === planId && p.available === true && p.monthlyPrice === "4.99");
      pageToken = res.nextPageToken || undefined;
      if (!pageToken) break;
    }
    assert.ok(found, `plan ${planId} is not listed`);
  });

  await t.test("subscribe with an idempotency key (a retry answers the first result)", async () => {
    const key = `ts-${randomUUID()}`;
    const body = { planId, paymentMethod: "PAYMENT_METHOD_CARD" as const, paymentToken: "tok_visa" };
    const first = await user.createSubscription(userId, body, key);
    assert.equal(first.subscription?.status, "SUBSCRIPTION_STATUS_ACTIVE");
    assert.equal(first.subscription?.planId, planId);
    assert.equal(first.payment?.status, "PAYMENT_STATUS_APPROVED");
    const again = await user.createSubscription(userId, body, key);
    assert.equal(again.subscription?.id, first.subscription?.id);
    assert.equal(again.payment?.id, first.payment?.id);
    const profile = await user.getUserProfile(userId);
    assert.equal(profile.activeSubscription?.subscriptionId, first.subscription?.id);
  });

  const contentId = randomUUID();
  await t.test("send playback events and read continue-watching", async () => {
    const upserted = await admin.upsertContent({
      id: contentId,
      title: "Una película de prueba",
      description: "A title of the TypeScript client's tests",
      type: "CONTENT_TYPE_MOVIE",
      genres: ["drama"],
      releaseYear: 2024,
      durationSeconds: 5400,
    });
    assert.equal(upserted.content?.id, contentId);
    assert.equal(upserted.created, true);

    const event: PlaybackEvent = {
      eventId: randomUUID(),
      userId,
      contentId,
      occurTime: new Date().toISOString(),
      playedSeconds: 60,
      positionSeconds: 600,
      device: "DEVICE_WEB",
      quality: "VIDEO_QUALITY_HD",
    };
    const res = await user.recordPlaybackEvents([event]);
    assert.equal(res.accepted, "1"); // int64: a string in protobuf JSON
    assert.equal(res.rejected, "0");

    const item = await eventually("continue-watching lists the title", async () => {
      const cw = await user.getContinueWatching(userId);
      return (cw.items ?? []).find((i) => i.contentId === contentId);
    });
    assert.equal(item.positionSeconds, 600);
    assert.equal(item.completed, false);
  });

  await t.test("read recommendations", async () => {
    const rec = await user.getRecommendations(userId, 5);
    assert.ok(Array.isArray(rec.recommendations));
    assert.ok((rec.recommendations ?? []).length <= 5);
    assert.ok(
      ["RECOMMENDATION_SOURCE_CACHE", "RECOMMENDATION_SOURCE_GRAPH", "RECOMMENDATION_SOURCE_FALLBACK"].includes(rec.source ?? ""),
      `source ${rec.source}`,
    );
    for (const r of rec.recommendations ?? []) assert.notEqual(r.contentId, contentId, "a watched title is recommended");
  });

  await t.test("another user's data is refused with a typed error", async () => {
    const err = await anonymous.getUserProfile(userId).then(
      () => assert.fail("an anonymous caller read a profile"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, "UNAUTHENTICATED");
    assert.equal(err.httpStatus, 401);
  });
});

test("a bad request surfaces as an ApiError naming the field", async () => {
  const err = await anonymous
    .registerUser({ email: "not-an-email", password: "correct horse battery", displayName: "Bad", country: "ES" })
    .then(
      () => assert.fail("a user with an invalid email was registered"),
      (e: unknown) => e,
    );
  assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
  assert.equal(err.code, "INVALID_ARGUMENT");
  assert.equal(err.grpcCode, 3);
  assert.equal(err.httpStatus, 400);
  assert.match(err.message, /email/);
  const v = err.violation("email");
  assert.ok(v, `no violation for email in ${JSON.stringify(err.fieldViolations)}`);
  assert.equal(v.reason, "string.email");
  assert.equal(err.fieldViolations.length, 1, JSON.stringify(err.fieldViolations));
  assert.ok(err.requestId, "no x-request-id");
});

// Compile-time checks (never run): the generated types carry the contract's required fields and enums.
export function typeChecks(c: StreamingClient): void {
  // @ts-expect-error password, displayName and country are required
  void c.registerUser({ email: "ana@example.com" });
  // @ts-expect-error PAYMENT_METHOD_UNSPECIFIED is not allowed (enum not_in: [0])
  void c.createSubscription("u", { planId: "p", paymentMethod: "PAYMENT_METHOD_UNSPECIFIED", paymentToken: "t" }, "k");
  // @ts-expect-error no such route
  void c.raw.GET("/v1/nope");
}
