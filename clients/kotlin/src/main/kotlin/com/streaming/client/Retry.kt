package com.streaming.client

import io.grpc.Status
import io.grpc.StatusException
import io.grpc.StatusRuntimeException
import kotlinx.coroutines.delay
import java.io.IOException
import kotlin.random.Random
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * When and how long to wait before a call is tried again.
 *
 * What is retried (see [retrying]):
 * - a call the server refused with `ResourceExhausted` and a `google.rpc.RetryInfo` (it did nothing and says when
 *   to come back: a busy server, a full password-hash pool), any RPC, after the wait it asks for;
 * - `Unavailable`, only for calls that are safe to repeat ([Safety.IDEMPOTENT]: every query, CreateSubscription with
 *   its idempotency key, RecordPlaybackEvents), after the RetryInfo wait when there is one, else an exponential
 *   backoff with jitter. A command that got `Unavailable` may have been applied, so it is not repeated. A connection
 *   cut inside an HTTP/2 frame counts as `Unavailable` ([connectionBroke]).
 */
data class RetryPolicy(
    /** Attempts in all, the first included (1 disables retries). */
    val maxAttempts: Int = 4,
    val initialBackoff: Duration = 100.milliseconds,
    val maxBackoff: Duration = 2.seconds,
    val multiplier: Double = 2.0,
    /** A RetryInfo asking for longer than this is not waited inside the call: the error goes to the caller. */
    val maxRetryInfoDelay: Duration = 5.seconds,
) {
    init {
        require(maxAttempts >= 1) { "maxAttempts must be at least 1" }
    }

    companion object {
        val DEFAULT = RetryPolicy()
        val NONE = RetryPolicy(maxAttempts = 1)
    }
}

/** Whether repeating a call can do harm. */
enum class Safety {
    /** Repeating it changes nothing (reads; writes keyed by an idempotency key or by ids the client chose). */
    IDEMPOTENT,

    /** It may have been applied when it failed: repeated only when the server said it refused it. */
    NOT_IDEMPOTENT,
}

/**
 * Runs [call], trying again as [policy] and [safety] allow (see [RetryPolicy]). Each attempt gets its own deadline
 * (the client's default deadline applies per call). The last failure is thrown as it came.
 */
suspend fun <T> retrying(policy: RetryPolicy, safety: Safety, call: suspend () -> T): T {
    var backoff = policy.initialBackoff
    var attempt = 1
    while (true) {
        try {
            return call()
        } catch (e: Exception) {
            if (e !is StatusException && e !is StatusRuntimeException) throw e
            if (attempt >= policy.maxAttempts) throw e
            val wait = retryWait(e, safety, policy, backoff) ?: throw e
            delay(wait)
            backoff = (backoff * policy.multiplier).coerceAtMost(policy.maxBackoff)
            attempt++
        }
    }
}

/** How long to wait before trying [e]'s call again, or null when it must not be tried again. */
internal fun retryWait(e: Throwable, safety: Safety, policy: RetryPolicy, backoff: Duration): Duration? {
    val code = Status.fromThrowable(e).code
    val hint = e.retryDelay?.toKotlinDuration()
    return when {
        code == Status.Code.RESOURCE_EXHAUSTED && hint != null -> hint.takeIf { it <= policy.maxRetryInfoDelay }
        (code == Status.Code.UNAVAILABLE || connectionBroke(Status.fromThrowable(e))) && safety == Safety.IDEMPOTENT ->
            if (hint != null) hint.takeIf { it <= policy.maxRetryInfoDelay } else jitter(backoff)

        else -> null
    }
}

/**
 * Whether [status] is the transport's own report of a connection that broke although its code is not `Unavailable`:
 * grpc-okhttp ends the calls of a connection cut inside an HTTP/2 frame (the client had read a frame's header and part
 * of its payload) with `Internal: error in frame handler` caused by an EOFException or a connection reset, where a cut
 * between two frames gives `Unavailable`. Only a status made on this side carries a cause: an `Internal` or `Unknown`
 * the server sent has none and is not taken for a broken connection.
 */
internal fun connectionBroke(status: Status): Boolean {
    if (status.code != Status.Code.INTERNAL && status.code != Status.Code.UNKNOWN) return false
    var cause = status.cause
    var depth = 0
    while (cause != null && depth++ < 16) {
        if (cause is IOException) return true
        cause = cause.cause
    }
    return false
}

/** A wait between half and all of [d], so clients that failed together do not come back together. */
internal fun jitter(d: Duration): Duration = d * (0.5 + Random.nextDouble() * 0.5)
