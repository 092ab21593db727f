// A typed REST client of the streaming platform. The types come from the gateway's OpenAPI 3 document
// (gen/openapi/streaming.openapi.json, generated from proto/ with the protovalidate rules) through openapi-typescript
// (src/generated/api.ts, written by `npm run gen`); the calls are made by openapi-fetch. Every route of the gateway
// is reachable, typed, through `client.raw`; the methods below wrap the common ones and throw ApiError on failure.

import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type User = Schemas["User"];
export type Plan = Schemas["Plan"];
export type Content = Schemas["Content"];
export type PlaybackEvent = Schemas["PlaybackEvent"];
export type Status = Schemas["google.rpc.Status"];
export type FieldViolation = Schemas["google.rpc.BadRequest.FieldViolation"];
export type QuotaViolation = Schemas["google.rpc.QuotaFailure.Violation"];

/** The gRPC status codes by number (google.rpc.Code). */
export const grpcCodes = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;
export type GrpcCode = (typeof grpcCodes)[number];

// The code of an error body that is not a google.rpc.Status (a proxy's page, say), from its HTTP status.
const byHttpStatus: Record<number, GrpcCode> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  501: "UNIMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/**
 * A call that failed: the google.rpc.Status the gateway answered, read. `code` is the gRPC code's name
 * (INVALID_ARGUMENT, NOT_FOUND, …); `fieldViolations` lists the fields at fault of a request that broke the
 * contract's rules (google.rpc.BadRequest; `field` is the field's path with proto names, e.g. `display_name`,
 * `events[0].user_id`); `retryAfterSeconds` comes from a google.rpc.RetryInfo, `quotaViolations` from a
 * google.rpc.QuotaFailure.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: GrpcCode;
  readonly grpcCode: number;
  readonly httpStatus: number;
  readonly fieldViolations: FieldViolation[];
  readonly quotaViolations: QuotaViolation[];
  readonly retryAfterSeconds: number | undefined;
  readonly details: NonNullable<Status["details"]>;
  /** The call's request id (x-request-id), to find it in the server's log. */
  readonly requestId: string | undefined;

  constructor(init: {
    code: number;
    message: string;
    httpStatus: number;
    details?: Status["details"];
    requestId?: string | null;
  }) {
    super(init.message);
    this.grpcCode = init.code;
    this.code = grpcCodes[init.code] ?? "UNKNOWN";
    this.httpStatus = init.httpStatus;
    this.details = init.details ?? [];
    this.requestId = init.requestId ?? undefined;
    this.fieldViolations = [];
    this.quotaViolations = [];
    let retry: number | undefined;
    for (const d of this.details) {
      const type = String(d["@type"] ?? "");
      if (type.endsWith("/google.rpc.BadRequest")) {
        this.fieldViolations.push(...(((d as Schemas["google.rpc.BadRequest"]).fieldViolations ?? []) as FieldViolation[]));
      } else if (type.endsWith("/google.rpc.QuotaFailure")) {
        this.quotaViolations.push(...(((d as Schemas["google.rpc.QuotaFailure"]).violations ?? []) as QuotaViolation[]));
      } else if (type.endsWith("/google.rpc.RetryInfo")) {
        const delay = (d as Schemas["google.rpc.RetryInfo"]).retryDelay;
        if (typeof delay === "string") retry = Number.parseFloat(delay);
      }
    }
    this.retryAfterSeconds = retry;
  }

  /** The violation of a field (its proto path, e.g. "email"), if the request broke a rule there. */
  violation(field: string): FieldViolation | undefined {
    return this.fieldViolations.find((v) => v.field === field);
  }

  /** Reads a failed response's body (already parsed by openapi-fetch: a Status, or text). */
  static from(response: Response, body: unknown): ApiError {
    // The gateway forwards the call's x-request-id as Grpc-Metadata-X-Request-Id.
    const requestId = response.headers.get("x-request-id") ?? response.headers.get("grpc-metadata-x-request-id");
    if (body && typeof body === "object" && typeof (body as Status).code === "number") {
      const st = body as Status;
      return new ApiError({ code: st.code ?? 2, message: st.message ?? "", httpStatus: response.status, details: st.details, requestId });
    }
    const code = grpcCodes.indexOf(byHttpStatus[response.status] ?? (response.status >= 500 ? "INTERNAL" : "UNKNOWN"));
    const text = typeof body === "string" && body !== "" ? body : response.statusText;
    return new ApiError({ code, message: `HTTP ${response.status}: ${text}`, httpStatus: response.status, requestId });
  }
}

export interface ClientOptions {
  /** The gateway's URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** A session token from login, or an admin or service credential; none for anonymous calls. */
  token?: string;
  /** A fetch of your own (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The platform's REST API. Methods resolve to the response's data and reject with ApiError. */
export class StreamingClient {
  /** The typed openapi-fetch client: every route of the gateway, e.g. raw.GET("/v1/trending", …). */
  readonly raw: Client<paths>;
  readonly #options: ClientOptions;

  constructor(options: ClientOptions) {
    this.#options = options;
    const headers: Record<string, string> = {};
    if (options.token) headers["Authorization"] = `Bearer ${options.token}`;
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      headers,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /** The same client calling with another token (a user's session after login, say). */
  withToken(token: string | undefined): StreamingClient {
    return new StreamingClient({ ...this.#options, ...(token ? { token } : { token: "" }) });
  }

  async #call<T>(request: Promise<Result<T>>): Promise<T> {
    const { data, error, response } = await request;
    if (error !== undefined || !response.ok) throw ApiError.from(response, error);
    return data as T;
  }

  /** Creates an account (anonymous). */
  async registerUser(body: Schemas["RegisterUserRequest"]): Promise<User> {
    const res = await this.#call(this.raw.POST("/v1/users", { body }));
    return res.user as User;
  }

  /** Opens a session; use `withToken(session.token)` for the user's calls. */
  async login(email: string, password: string): Promise<Schemas["LoginResponse"]> {
    return this.#call(this.raw.POST("/v1/sessions", { body: { email, password } }));
  }

  /** Ends this session. */
  async logout(): Promise<void> {
    await this.#call(this.raw.DELETE("/v1/sessions/current"));
  }

  /** One page of the plan catalog (anonymous): available plans first, cheapest first. */
  async listPlans(query: { pageSize?: number; pageToken?: string } = {}): Promise<Schemas["ListPlansResponse"]> {
    return this.#call(this.raw.GET("/v1/plans", { params: { query } }));
  }

  /** Adds a plan (admin). */
  async createPlan(body: Schemas["CreatePlanRequest"]): Promise<Plan> {
    const res = await this.#call(this.raw.POST("/v1/plans", { body }));
    return res.plan as Plan;
  }

  /** Creates or replaces a catalog title (admin); `content.id` is chosen by the caller. */
  async upsertContent(content: Content): Promise<Schemas["UpsertContentResponse"]> {
    const { id, ...body } = content;
    return this.#call(this.raw.PUT("/v1/contents/{contentId}", { params: { path: { contentId: id } }, body }));
  }

  /**
   * Subscribes the user to a plan and takes the first payment. The idempotency key (sent as the Idempotency-Key
   * header) makes a retry safe: the same key and request answer the first result, with one payment taken.
   */
  async createSubscription(
    userId: string,
    body: Schemas["CreateSubscriptionBody"],
    idempotencyKey: string,
  ): Promise<Schemas["CreateSubscriptionResponse"]> {
    return this.#call(
      this.raw.POST("/v1/users/{userId}/subscriptions", {
        params: { path: { userId } },
        headers: { "Idempotency-Key": idempotencyKey },
        body,
      }),
    );
  }

  /** The user's profile and current subscription. */
  async getUserProfile(userId: string): Promise<Schemas["GetUserProfileResponse"]> {
    return this.#call(this.raw.GET("/v1/users/{userId}/profile", { params: { path: { userId } } }));
  }

  /** Sends a batch of playback events; each is validated alone (a bad one is in `rejections`, the others stored). */
  async recordPlaybackEvents(events: PlaybackEvent[]): Promise<Schemas["RecordPlaybackEventsResponse"]> {
    return this.#call(this.raw.POST("/v1/playback-events:batch", { body: { events } }));
  }

  /** Where the user stopped in each title, most recent first. */
  async getContinueWatching(userId: string, limit?: number): Promise<Schemas["GetContinueWatchingResponse"]> {
    return this.#call(
      this.raw.GET("/v1/users/{userId}/continue-watching", {
        params: { path: { userId }, query: limit === undefined ? {} : { limit } },
      }),
    );
  }

  /** Titles recommended for the user; `source` says where they came from (cache, graph, or trending fallback). */
  async getRecommendations(userId: string, limit?: number): Promise<Schemas["GetRecommendationsResponse"]> {
    return this.#call(
      this.raw.GET("/v1/users/{userId}/recommendations", {
        params: { path: { userId }, query: limit === undefined ? {} : { limit } },
      }),
    );
  }
}
