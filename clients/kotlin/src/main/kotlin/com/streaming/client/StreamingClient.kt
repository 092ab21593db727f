package com.streaming.client

import com.streaming.v1.CommandServiceGrpcKt.CommandServiceCoroutineStub
import com.streaming.v1.ContinueWatchingItem
import com.streaming.v1.GetRecommendationsResponse
import com.streaming.v1.GetUserProfileResponse
import com.streaming.v1.GetWatchHistoryResponse
import com.streaming.v1.IngestServiceGrpcKt.IngestServiceCoroutineStub
import com.streaming.v1.PaymentMethod
import com.streaming.v1.Plan
import com.streaming.v1.PlaybackServiceGrpcKt.PlaybackServiceCoroutineStub
import com.streaming.v1.QueryServiceGrpcKt.QueryServiceCoroutineStub
import com.streaming.v1.Subscription
import com.streaming.v1.User
import com.streaming.v1.createSubscriptionRequest
import com.streaming.v1.getContinueWatchingRequest
import com.streaming.v1.getRecommendationsRequest
import com.streaming.v1.getUserProfileRequest
import com.streaming.v1.getWatchHistoryRequest
import com.streaming.v1.listPlansRequest
import com.streaming.v1.loginRequest
import com.streaming.v1.logoutRequest
import com.streaming.v1.registerUserRequest
import io.grpc.CallOptions
import io.grpc.Channel
import io.grpc.ClientCall
import io.grpc.ClientInterceptor
import io.grpc.ClientInterceptors
import io.grpc.ForwardingClientCall
import io.grpc.ForwardingClientCallListener
import io.grpc.ManagedChannel
import io.grpc.Metadata
import io.grpc.MethodDescriptor
import io.grpc.Status
import io.grpc.okhttp.OkHttpChannelBuilder
import kotlinx.coroutines.CoroutineScope
import java.io.Closeable
import java.time.Instant
import java.util.UUID
import java.util.concurrent.TimeUnit
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/** How a [StreamingClient] connects and calls. */
data class ClientOptions(
    /** The bearer token to start with (an operator's credential); [StreamingClient.login] sets a user's. */
    val token: String? = null,
    /** TLS (the default, as anywhere but a local server must be); false for plaintext to a local server. */
    val tls: Boolean = true,
    /** Deadline of every unary call that has none of its own (the server gives 10 s to those without). */
    val defaultDeadline: Duration = 10.seconds,
    /** Retries of the helpers that are safe to retry; see [RetryPolicy]. */
    val retry: RetryPolicy = RetryPolicy.DEFAULT,
    val userAgent: String = "streaming-kotlin/0.1",
)

/**
 * A client of the streaming platform over one gRPC connection (grpc-okhttp, as on Android): the generated coroutine
 * stubs with the bearer token as call credentials and a default deadline, sign-in that keeps the session's token,
 * helpers that retry what is safe to retry, and a [PlaybackEventBatcher] for playback events.
 *
 * ```
 * val client = StreamingClient.connect("api.example.com:443")
 * val session = client.login("ana@example.com", "correct horse battery")
 * val recs = client.recommendations(session.user.id)
 * ```
 *
 * Every call made through the stubs [command], [query], [ingest] and [playback] carries the current token of [tokens]
 * and the default deadline; only the helpers retry (for other reads, `client.query { getTrending(...) }` retries as a
 * query; [retrying] wraps any call).
 */
class StreamingClient private constructor(
    private val raw: Channel,
    private val owned: ManagedChannel?,
    val tokens: TokenStore,
    val options: ClientOptions,
) : Closeable {

    private val channel: Channel = ClientInterceptors.intercept(raw, CallPolicyInterceptor(tokens, options.defaultDeadline))
    private val credentials = BearerCredentials(tokens)

    val command: CommandServiceCoroutineStub = CommandServiceCoroutineStub(channel).withCallCredentials(credentials)
    val query: QueryServiceCoroutineStub = QueryServiceCoroutineStub(channel).withCallCredentials(credentials)
    val ingest: IngestServiceCoroutineStub = IngestServiceCoroutineStub(channel).withCallCredentials(credentials)
    val playback: PlaybackServiceCoroutineStub = PlaybackServiceCoroutineStub(channel).withCallCredentials(credentials)

    companion object {
        /**
         * Connects to [target] (`host:port`, or any gRPC target such as `dns:///name:port`). The connection is made
         * on the first call and kept (keep-alive pings every 20 s notice a vanished server within 30 s).
         */
        fun connect(target: String, options: ClientOptions = ClientOptions()): StreamingClient {
            val builder = OkHttpChannelBuilder.forTarget(target)
                .keepAliveTime(20, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .userAgent(options.userAgent)
            if (options.tls) builder.useTransportSecurity() else builder.usePlaintext()
            val channel = builder.build()
            return StreamingClient(channel, channel, TokenStore(options.token), options)
        }

        /** A client over a channel the caller owns (and closes): another transport, an in-process server in tests. */
        fun forChannel(channel: Channel, options: ClientOptions = ClientOptions()): StreamingClient =
            StreamingClient(channel, null, TokenStore(options.token), options)
    }

    /** A client on the same connection whose calls carry [token] instead (null: anonymous). Cheap; never close it. */
    fun withToken(token: String?): StreamingClient = StreamingClient(raw, null, TokenStore(token), options)

    /** Creates an account. Not retried but when the server refused it (busy). */
    suspend fun register(email: String, password: String, displayName: String, country: String): User =
        retrying(options.retry, Safety.NOT_IDEMPOTENT) {
            command.registerUser(registerUserRequest {
                this.email = email
                this.password = password
                this.displayName = displayName
                this.country = country
            }).user
        }

    /**
     * Signs in: the session's token is kept in [tokens], so every later call of this client is the user's. Retried
     * only when the server refused it for now (no password-hash slot free: ResourceExhausted with RetryInfo).
     */
    suspend fun login(email: String, password: String): Session {
        val res = retrying(options.retry, Safety.NOT_IDEMPOTENT) {
            command.login(loginRequest {
                this.email = email
                this.password = password
            })
        }
        val session = Session(
            res.token, res.user,
            if (res.hasExpireTime()) Instant.ofEpochSecond(res.expireTime.seconds, res.expireTime.nanos.toLong()) else null,
        )
        tokens.set(session)
        return session
    }

    /** Ends this session on the server and forgets its token. */
    suspend fun logout() {
        if (tokens.token == null) return
        try {
            command.logout(logoutRequest {})
        } finally {
            tokens.clear()
        }
    }

    /** Runs a query with the retries of [ClientOptions.retry] (queries are always safe to repeat). */
    suspend fun <T> query(block: suspend QueryServiceCoroutineStub.() -> T): T =
        retrying(options.retry, Safety.IDEMPOTENT) { query.block() }

    /** The plan catalog, every page (anyone may list it). */
    suspend fun plans(): List<Plan> {
        val plans = mutableListOf<Plan>()
        var page = ""
        do {
            val res = query { listPlans(listPlansRequest { pageSize = 100; pageToken = page }) }
            plans += res.plansList
            page = res.nextPageToken
        } while (page.isNotEmpty())
        return plans
    }

    /**
     * Subscribes [userId] to [planId]. The idempotency key makes the call safe to repeat (the same key replays the
     * first answer and charges once), so it is retried on Unavailable with the same key; keep the key to retry
     * yourself later (after a crash, say).
     */
    suspend fun subscribe(
        userId: String,
        planId: String,
        paymentMethod: PaymentMethod,
        paymentToken: String,
        idempotencyKey: String = UUID.randomUUID().toString(),
    ): Subscription = retrying(options.retry, Safety.IDEMPOTENT) {
        command.createSubscription(createSubscriptionRequest {
            this.userId = userId
            this.planId = planId
            this.paymentMethod = paymentMethod
            this.paymentToken = paymentToken
            this.idempotencyKey = idempotencyKey
        }).subscription
    }

    suspend fun profile(userId: String): GetUserProfileResponse =
        query { getUserProfile(getUserProfileRequest { this.userId = userId }) }

    /** Where the user stopped in each title, most recent first. */
    suspend fun continueWatching(userId: String, limit: Int = 20): List<ContinueWatchingItem> =
        query { getContinueWatching(getContinueWatchingRequest { this.userId = userId; this.limit = limit }) }.itemsList

    suspend fun recommendations(userId: String, limit: Int = 10): GetRecommendationsResponse =
        query { getRecommendations(getRecommendationsRequest { this.userId = userId; this.limit = limit }) }

    /** One page of the user's events for a title, newest first. */
    suspend fun watchHistory(userId: String, contentId: String, pageSize: Int = 500, pageToken: String = ""): GetWatchHistoryResponse =
        query {
            getWatchHistory(getWatchHistoryRequest {
                this.userId = userId
                this.contentId = contentId
                this.pageSize = pageSize
                this.pageToken = pageToken
            })
        }

    /** A batcher that streams playback events with this client's token; it runs in [scope]. */
    fun playbackBatcher(scope: CoroutineScope, config: BatcherConfig = BatcherConfig()): PlaybackEventBatcher =
        PlaybackEventBatcher(ingest, scope, config)

    /** Closes the connection (and so every client made from this one with [withToken]). */
    override fun close() {
        owned?.let {
            it.shutdown()
            if (!it.awaitTermination(5, TimeUnit.SECONDS)) it.shutdownNow()
        }
    }
}

/**
 * Gives unary calls without a deadline the client's default one (streams get none: the batcher sets its own), and
 * tells the [TokenStore] when a call carrying its token was answered Unauthenticated.
 */
private class CallPolicyInterceptor(private val tokens: TokenStore, private val deadline: Duration) : ClientInterceptor {
    override fun <ReqT, RespT> interceptCall(
        method: MethodDescriptor<ReqT, RespT>,
        callOptions: CallOptions,
        next: Channel,
    ): ClientCall<ReqT, RespT> {
        var options = callOptions
        if (options.deadline == null && method.type == MethodDescriptor.MethodType.UNARY && deadline.isPositive()) {
            options = options.withDeadlineAfter(deadline.inWholeMilliseconds, TimeUnit.MILLISECONDS)
        }
        val sent = tokens.token
        val call = next.newCall(method, options)
        if (sent == null) return call
        return object : ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT>(call) {
            override fun start(responseListener: Listener<RespT>, headers: Metadata) {
                super.start(object : ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT>(responseListener) {
                    override fun onClose(status: Status, trailers: Metadata) {
                        if (status.code == Status.Code.UNAUTHENTICATED) tokens.rejected(sent)
                        super.onClose(status, trailers)
                    }
                }, headers)
            }
        }
    }
}
