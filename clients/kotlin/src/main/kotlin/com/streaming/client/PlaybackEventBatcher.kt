package com.streaming.client

import com.streaming.v1.IngestPlaybackEventsRequest
import com.streaming.v1.IngestPlaybackEventsResponse
import com.streaming.v1.IngestServiceGrpcKt.IngestServiceCoroutineStub
import com.streaming.v1.PlaybackEvent
import io.grpc.Metadata
import io.grpc.Status
import io.grpc.StatusException
import io.grpc.StatusRuntimeException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.ClosedSendChannelException
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.util.TreeSet
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.cancellation.CancellationException
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/** How a [PlaybackEventBatcher] groups, sends and resends. */
data class BatcherConfig(
    /** Events per stream message (at most 1000, the contract's bound). */
    val batchSize: Int = 500,
    /** How long a started batch waits for more events before it is sent part full. */
    val linger: Duration = 50.milliseconds,
    /** Messages per stream: a stream is closed after this many, so its answer acknowledges them. */
    val batchesPerStream: Int = 20,
    /** A stream with nothing more to send for this long is closed and acknowledged. */
    val streamIdle: Duration = 200.milliseconds,
    /** Events waiting to be sent; [PlaybackEventBatcher.add] suspends while this many wait (back-pressure). */
    val bufferEvents: Int = 2_000,
    /** Deadline of one stream: a server that stops answering is given up on and the stream is resent. */
    val streamDeadline: Duration = 2.minutes,
    /** First wait after a failed stream without RetryInfo; doubled up to [maxBackoff]. */
    val initialBackoff: Duration = 200.milliseconds,
    val maxBackoff: Duration = 10.seconds,
    /** Failed streams in a row that stored nothing before the batcher gives up ([IngestFailedException]). */
    val maxFailuresWithoutProgress: Int = 10,
    /** Told of each event the server refused for a field at fault: it is not sent again. */
    val onRejected: (event: PlaybackEvent, field: String, reason: String) -> Unit = { _, _, _ -> },
    /** Told of each stream that ended in an error, with the wait before the next one. */
    val onStreamFailed: (status: Status, wait: Duration) -> Unit = { _, _ -> },
) {
    init {
        require(batchSize in 1..1000) { "batchSize must be within 1..1000" }
        require(batchesPerStream >= 1) { "batchesPerStream must be at least 1" }
        require(bufferEvents >= 1) { "bufferEvents must be at least 1" }
    }
}

/** What a batcher did so far. */
data class BatcherStats(
    /** Events acknowledged durable by the server. */
    val accepted: Long,
    /** Events refused for a field at fault (never sent again). */
    val rejected: Long,
    /** Events sent again: after a stream that failed before acknowledging them, or answered "not stored, retry". */
    val resent: Long,
    val streams: Long,
    val failedStreams: Long,
    /** Waits a RetryInfo asked for (the user's ingest quota, an overloaded pipeline). */
    val retryInfoWaits: Long,
)

/** The batcher stopped for good: the last stream's error was not one to retry, or nothing was stored for too long. */
class IngestFailedException(message: String, cause: Throwable?, val unresolved: List<PlaybackEvent>) :
    Exception(message, cause)

/**
 * Streams playback events through `IngestService.IngestPlaybackEvents` and makes sure each one is stored once: every
 * event added ends up acknowledged durable by the server or refused for a field at fault ([BatcherConfig.onRejected]).
 *
 * - **Batches**: events are grouped into messages of [BatcherConfig.batchSize], several messages per stream; a stream
 *   is closed after [BatcherConfig.batchesPerStream] messages or when idle, and its answer acknowledges its events.
 * - **Back-pressure**: messages are sent only as fast as the stream takes them (gRPC flow control, through the
 *   coroutine stub, which waits until the call is ready), and [add] suspends while [BatcherConfig.bufferEvents] wait.
 * - **Overload and quotas**: a stream ended with `ResourceExhausted` (the user's ingest quota, a full pipeline) is
 *   resumed after the wait its `google.rpc.RetryInfo` asks for; other transient failures after a backoff. The server
 *   drops what was sent past the refused message, so the next stream carries only as many messages as fitted before
 *   the refusal, doubling again with each answered stream.
 * - **A broken stream**: its trailer `x-ingest-durable-through-batch` (the last message, 0-based in that stream,
 *   whose every event has an outcome) with `x-ingest-accepted` says what is stored: when the accepted count is exactly
 *   the events of messages 0..that one, the next stream starts after it; otherwise (or without the trailer, when the
 *   connection broke) the whole stream is sent again. Nothing acknowledged is sent again; what is resent without
 *   acknowledgement is rewritten as the same rows, because the server keys events by their id. A broken connection
 *   is transient whatever its status: `Unavailable`, or `Internal` caused by an IOException when grpc-okhttp found
 *   the connection cut inside an HTTP/2 frame ([connectionBroke]).
 *
 * Events are sent in the order added, resends first. Use one batcher per token (the user's session, or the service
 * credential); call [close] to send what is left and stop.
 */
class PlaybackEventBatcher internal constructor(
    private val stub: IngestServiceCoroutineStub,
    scope: CoroutineScope,
    private val config: BatcherConfig,
) {
    private val input = Channel<Item>(config.bufferEvents)

    // Wakes the worker when something was put in input. Conflated: a lost wake-up costs nothing, since the worker
    // always looks at input (without suspending, so no item is ever lost to a cancelled receive) before it waits.
    private val signal = Channel<Unit>(Channel.CONFLATED)

    private sealed interface Item
    private class Add(val event: PlaybackEvent) : Item
    private class Flush(val done: CompletableDeferred<Unit>) : Item
    private class Pending(val seq: Long, val event: PlaybackEvent)

    // The worker's state: touched only by the worker and, while it waits for a stream's answer, by that stream's
    // request flow (the RPC returns only after the flow's coroutine has ended).
    private var nextSeq = 0L
    private val outstanding = TreeSet<Long>() // events taken from input without an outcome yet
    private val resend = ArrayDeque<Pending>()
    private val filling = ArrayList<Pending>() // the message being put together
    private val sent = ArrayList<List<Pending>>() // the messages of the stream being sent, in order
    private var endStream = false
    private var inputClosed = false
    private val flushes = ArrayList<Pair<Long, CompletableDeferred<Unit>>>()
    private var backoff = config.initialBackoff
    // Messages the next stream may carry: after the server refused a message for overload or quota, no more than
    // fitted then (messages sent past a refused one are dropped by the server and must be sent again), doubling
    // again with each answered stream.
    private var streamLimit = config.batchesPerStream
    private var failuresWithoutProgress = 0

    @Volatile
    private var failure: IngestFailedException? = null

    private val accepted = AtomicLong()
    private val rejected = AtomicLong()
    private val resent = AtomicLong()
    private val streams = AtomicLong()
    private val failedStreams = AtomicLong()
    private val retryInfoWaits = AtomicLong()

    private val worker: Job = scope.launch(start = CoroutineStart.UNDISPATCHED) { run() }

    /**
     * Queues [event]; suspends while the buffer is full. Throws [IngestFailedException] once the batcher has failed,
     * and ClosedSendChannelException after [close].
     */
    suspend fun add(event: PlaybackEvent) {
        try {
            input.send(Add(event))
        } catch (e: ClosedSendChannelException) {
            worker.join() // a failing worker closed input: let it finish saying why
            throw failure ?: e
        }
        signal.trySend(Unit)
    }

    /** Returns once every event added before the call is acknowledged or refused; throws if the batcher failed. */
    suspend fun flush() {
        val done = CompletableDeferred<Unit>()
        try {
            input.send(Flush(done))
        } catch (e: ClosedSendChannelException) {
            worker.join() // a failing worker closed input: let it finish saying why
            throw failure ?: e
        }
        signal.trySend(Unit)
        done.await()
    }

    /** Sends what was added, waits until every event has an outcome, and stops. Throws if the batcher failed. */
    suspend fun close() {
        input.close()
        signal.trySend(Unit)
        worker.join()
        failure?.let { throw it }
    }

    /** Stops at once; events not acknowledged yet are neither sent nor reported. */
    fun cancel() = worker.cancel()

    val stats: BatcherStats
        get() = BatcherStats(accepted.get(), rejected.get(), resent.get(), streams.get(), failedStreams.get(), retryInfoWaits.get())

    private suspend fun run() {
        try {
            while (true) {
                if (resend.isEmpty() && filling.isEmpty()) {
                    val item = next(Duration.INFINITE) ?: break // closed, and nothing is left to send
                    take(item)
                    completeFlushes()
                    continue
                }
                val wait = stream()
                completeFlushes()
                if (wait.isPositive()) delay(wait)
            }
            completeFlushes()
        } catch (e: CancellationException) {
            fail(IngestFailedException("batcher cancelled", e, unresolved()))
            throw e
        } catch (e: IngestFailedException) {
            fail(e)
        } catch (e: Throwable) {
            fail(IngestFailedException("batcher failed: $e", e, unresolved()))
        }
    }

    /** The next item of input, waiting at most [wait]; null when there is none by then or input is closed and empty. */
    private suspend fun next(wait: Duration): Item? {
        val end = System.nanoTime() + if (wait.isInfinite()) Long.MAX_VALUE / 2 else wait.inWholeNanoseconds
        while (true) {
            val r = input.tryReceive()
            if (r.isSuccess) return r.getOrThrow()
            if (r.isClosed) {
                inputClosed = true
                return null
            }
            val left = end - System.nanoTime()
            if (left <= 0) return null
            withTimeoutOrNull(left / 1_000_000 + 1) { signal.receive() }
        }
    }

    private fun take(item: Item) {
        when (item) {
            is Add -> {
                val seq = nextSeq++
                outstanding += seq
                filling += Pending(seq, item.event)
            }

            is Flush -> {
                // Everything added before the flush has a sequence number below nextSeq by now.
                flushes += (nextSeq - 1) to item.done
                endStream = true
            }
        }
    }

    private fun completeFlushes() {
        val lowest = outstanding.firstOrNull() ?: Long.MAX_VALUE
        flushes.removeAll { (through, done) ->
            (through < lowest).also { if (it) done.complete(Unit) }
        }
    }

    /** Fills [filling] up to a batch; returns false when there is nothing to send. */
    private suspend fun fill(firstWait: Duration): Boolean {
        while (filling.size < config.batchSize) {
            val again = resend.removeFirstOrNull()
            if (again != null) {
                filling += again
                continue
            }
            if (endStream || inputClosed) break
            val item = next(if (filling.isEmpty()) firstWait else config.linger) ?: break
            take(item)
        }
        return filling.isNotEmpty()
    }

    /** One stream: sends, then settles what its answer or trailer says. Returns the wait before the next one. */
    private suspend fun stream(): Duration {
        sent.clear()
        endStream = false
        streams.incrementAndGet()
        val requests = flow {
            var firstWait = Duration.ZERO
            while (sent.size < streamLimit) {
                if (!fill(firstWait)) break
                firstWait = config.streamIdle
                val batch = filling.toList()
                filling.clear()
                sent += batch // before emit: from here it may have reached the server
                emit(IngestPlaybackEventsRequest.newBuilder().addAllEvents(batch.map { it.event }).build())
                // A flush or close ends the stream once what came before it is sent, resends included.
                if ((endStream || inputClosed) && resend.isEmpty()) break
            }
        }
        val result = try {
            Result.success(stub.withDeadlineAfter(config.streamDeadline.inWholeMilliseconds, TimeUnit.MILLISECONDS)
                .ingestPlaybackEvents(requests))
        } catch (e: StatusException) {
            Result.failure(e)
        } catch (e: StatusRuntimeException) {
            Result.failure(e)
        }
        // Taken from input but never sent: first in line for the next stream.
        val unsent = filling.toList()
        filling.clear()
        return result.fold(
            onSuccess = { answered(it, unsent) },
            onFailure = { failed(it, unsent) },
        )
    }

    /** The stream was answered: every event sent has an outcome, listed in the answer when it was not accepted. */
    private fun answered(res: IngestPlaybackEventsResponse, unsent: List<Pending>): Duration {
        val total = sent.sumOf { it.size }
        // The answer lists at most 1000 rejections: when it lists fewer than it counts, or the counts do not add up,
        // which of the unlisted events were stored is unknown and they are all sent again.
        val exact = res.rejectionsCount.toLong() == res.rejected && res.accepted + res.rejected == total.toLong()
        val refused = HashMap<Long, Pair<String, String>>() // seq -> field, reason
        val retry = HashSet<Long>()
        for (r in res.rejectionsList) {
            val p = sent.getOrNull(r.batchIndex.toInt())?.getOrNull(r.eventIndex) ?: continue
            if (r.field.isNotEmpty()) refused[p.seq] = r.field to r.reason else retry += p.seq
        }
        val again = ArrayList<Pending>()
        for (p in sent.flatten()) {
            val bad = refused[p.seq]
            when {
                bad != null -> {
                    resolve(p.seq)
                    rejected.incrementAndGet()
                    config.onRejected(p.event, bad.first, bad.second)
                }

                p.seq in retry || !exact -> again += p
                else -> {
                    resolve(p.seq)
                    accepted.incrementAndGet()
                }
            }
        }
        requeue(again, unsent)
        failuresWithoutProgress = 0
        streamLimit = (streamLimit * 2).coerceAtMost(config.batchesPerStream)
        if (again.isEmpty()) {
            backoff = config.initialBackoff
            return Duration.ZERO
        }
        return nextBackoff() // "not stored, retry": the store failed a write; give it a moment
    }

    /** The stream ended in an error: settle what its trailer says is stored, resend the rest, and say how long to wait. */
    private fun failed(e: Throwable, unsent: List<Pending>): Duration {
        failedStreams.incrementAndGet()
        val status = Status.fromThrowable(e)
        val trailers = Status.trailersFromThrowable(e)
        val through = trailers?.get(DURABLE_THROUGH)?.toIntOrNull()
        val acceptedCount = trailers?.get(ACCEPTED)?.toLongOrNull()
        var settled = 0
        if (through != null && acceptedCount != null && through >= 0 && through < sent.size) {
            val durable = sent.subList(0, through + 1).sumOf { it.size }
            // Exactly the events of messages 0..through were accepted: all of them are stored. Otherwise some of
            // those were refused, which only a complete answer would say: resend them all.
            if (acceptedCount == durable.toLong()) settled = through + 1
        }
        for (batch in sent.subList(0, settled)) {
            for (p in batch) {
                resolve(p.seq)
                accepted.incrementAndGet()
            }
        }
        requeue(sent.subList(settled, sent.size).flatten(), unsent)

        if (settled > 0) failuresWithoutProgress = 0 else failuresWithoutProgress++
        if (status.code == Status.Code.RESOURCE_EXHAUSTED) streamLimit = settled.coerceAtLeast(1)
        // A connection cut inside a frame comes as Internal with an IOException from the transport: a broken
        // connection like any other, so the stream is resent (what the server stored is rewritten as the same rows).
        val transient = retryable(status.code) || connectionBroke(status)
        if (!transient || failuresWithoutProgress > config.maxFailuresWithoutProgress) {
            val why = if (transient) "nothing stored after $failuresWithoutProgress failed streams" else "not retryable"
            throw IngestFailedException("ingest stream failed ($why): $status", e, unresolved())
        }
        val hint = StatusDetails.from(trailers)?.retryDelay?.toKotlinDuration()
        val wait = if (hint != null) {
            retryInfoWaits.incrementAndGet()
            hint
        } else {
            nextBackoff()
        }
        config.onStreamFailed(status, wait)
        return wait
    }

    private fun requeue(again: List<Pending>, unsent: List<Pending>) {
        resent.addAndGet(again.size.toLong())
        // Ahead of the resends not taken yet, in the order they were first sent.
        for (p in (again + unsent).asReversed()) resend.addFirst(p)
    }

    private fun resolve(seq: Long) {
        outstanding.remove(seq)
    }

    private fun nextBackoff(): Duration {
        val wait = jitter(backoff)
        backoff = (backoff * 2).coerceAtMost(config.maxBackoff)
        return wait
    }

    private fun retryable(code: Status.Code) = when (code) {
        Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED, Status.Code.DEADLINE_EXCEEDED,
        Status.Code.ABORTED, Status.Code.CANCELLED -> true

        else -> false
    }

    private fun unresolved(): List<PlaybackEvent> =
        (sent.flatten().filter { it.seq in outstanding } + filling + resend).distinctBy { it.seq }.map { it.event }

    /** Stops for good: later calls throw the failure, whose unresolved list includes the events still buffered. */
    private fun fail(e: IngestFailedException) {
        input.close()
        val dropped = ArrayList<PlaybackEvent>()
        val flushItems = ArrayList<CompletableDeferred<Unit>>()
        while (true) {
            val r = input.tryReceive()
            if (!r.isSuccess) break
            when (val item = r.getOrThrow()) {
                is Add -> dropped += item.event
                is Flush -> flushItems += item.done
            }
        }
        val all = IngestFailedException(e.message ?: "ingest failed", e.cause, e.unresolved + dropped)
        failure = all
        for ((_, done) in flushes) done.completeExceptionally(all)
        for (done in flushItems) done.completeExceptionally(all)
        flushes.clear()
    }

    private companion object {
        val DURABLE_THROUGH: Metadata.Key<String> =
            Metadata.Key.of("x-ingest-durable-through-batch", Metadata.ASCII_STRING_MARSHALLER)
        val ACCEPTED: Metadata.Key<String> = Metadata.Key.of("x-ingest-accepted", Metadata.ASCII_STRING_MARSHALLER)
    }
}
