package com.streaming.client

import com.streaming.v1.EventRejection
import com.streaming.v1.IngestPlaybackEventsRequest
import com.streaming.v1.IngestPlaybackEventsResponse
import com.streaming.v1.IngestServiceGrpcKt
import com.streaming.v1.PlaybackEvent
import io.grpc.Metadata
import io.grpc.Status
import io.grpc.StatusException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.EOFException
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * A fake IngestService that keeps what it stored and what it acknowledged, and follows a script: how many messages a
 * stream takes before it fails, with what status and trailer, and which events to refuse. Like the real one, what a
 * failing stream's trailer does not cover is not stored (it was still queued), so a client that skips it loses it.
 */
private class FakeIngest(val script: FakeIngest.(stream: Int) -> Plan = { Plan() }) : IngestServiceGrpcKt.IngestServiceCoroutineImplBase() {
    /** What one stream does. */
    data class Plan(
        /** Fail once this many messages were received (null: answer normally once the client closes). */
        val failAfter: Int? = null,
        val code: Status.Code = Status.Code.UNAVAILABLE,
        /** The trailer's durable-through message (0-based) given the messages received; null: no trailer. */
        val through: ((received: Int) -> Int)? = { it - 1 },
        /** Accepted count to report in the trailer instead of the true one. */
        val acceptedOverride: Long? = null,
        val retryInfoMillis: Long? = null,
        /** The failure's cause (reaches the client only through an [InProcess] with propagateCause). */
        val cause: Throwable? = null,
        /** Events refused for a field at fault, and events answered "not stored, retry". */
        val invalid: (PlaybackEvent) -> Boolean = { false },
        val notStored: (PlaybackEvent) -> Boolean = { false },
        /** Suspends before reading the stream. */
        val gate: CompletableDeferred<Unit>? = null,
        /** Fail without a trailer once the client closed its side (the connection lost while the answer was due). */
        val failAtEnd: Boolean = false,
    )

    val stored = ConcurrentHashMap<String, Int>()
    val acked: MutableSet<String> = ConcurrentHashMap.newKeySet()
    val receivedAfterAck = AtomicInteger()
    val streams = AtomicInteger()
    /** Streams ended by the script with an error. */
    val failures = AtomicInteger()
    /** Messages received by each stream, in order of the streams' ends. */
    val messages: MutableList<Int> = java.util.concurrent.CopyOnWriteArrayList()

    private fun store(events: List<PlaybackEvent>, ack: Boolean) = events.forEach {
        stored.merge(it.eventId, 1, Int::plus)
        if (ack) acked += it.eventId
    }

    override suspend fun ingestPlaybackEvents(requests: Flow<IngestPlaybackEventsRequest>): IngestPlaybackEventsResponse {
        val plan = script(streams.getAndIncrement())
        plan.gate?.await()
        val good = ArrayList<List<PlaybackEvent>>() // per message, the events that would be stored
        val rejections = ArrayList<EventRejection>()
        requests.collect { req ->
            val b = good.size
            val ok = ArrayList<PlaybackEvent>()
            req.eventsList.forEachIndexed { i, e ->
                if (e.eventId in acked) receivedAfterAck.incrementAndGet()
                when {
                    plan.invalid(e) -> rejections += EventRejection.newBuilder().setBatchIndex(b.toLong()).setEventIndex(i)
                        .setField("position_seconds").setReason("out of range").build()

                    plan.notStored(e) -> rejections += EventRejection.newBuilder().setBatchIndex(b.toLong()).setEventIndex(i)
                        .setReason("not stored, retry").build()

                    else -> ok += e
                }
            }
            good += ok
            if (plan.failAfter != null && good.size >= plan.failAfter) {
                messages += good.size
                failures.incrementAndGet()
                val trailers = Metadata()
                val through = plan.through?.invoke(good.size)
                if (through != null) {
                    val durable = good.take(through + 1).flatten()
                    store(durable, ack = plan.acceptedOverride == null)
                    trailers.put(Metadata.Key.of("x-ingest-durable-through-batch", Metadata.ASCII_STRING_MARSHALLER), through.toString())
                    trailers.put(Metadata.Key.of("x-ingest-accepted", Metadata.ASCII_STRING_MARSHALLER), (plan.acceptedOverride ?: durable.size.toLong()).toString())
                } else {
                    store(good.dropLast(1).flatten(), ack = false) // the connection broke: some of it was written
                }
                throw if (plan.retryInfoMillis != null) retryInfoFailure(plan.code, plan.retryInfoMillis, trailers)
                else StatusException(Status.fromCode(plan.code).withDescription("scripted failure").withCause(plan.cause), trailers)
            }
        }
        messages += good.size
        if (plan.failAtEnd) {
            failures.incrementAndGet()
            store(good.dropLast(1).flatten(), ack = false)
            throw StatusException(Status.UNAVAILABLE.withDescription("connection lost"))
        }
        val accepted = good.flatten()
        store(accepted, ack = true)
        return IngestPlaybackEventsResponse.newBuilder().setAccepted(accepted.size.toLong()).setRejected(rejections.size.toLong())
            .addAllRejections(rejections).build()
    }
}

class PlaybackEventBatcherTest {
    private fun <T> withFake(fake: FakeIngest, propagateCause: Boolean = false, block: suspend (StreamingClient) -> T): T = InProcess(fake, propagateCause = propagateCause).use { srv ->
        runBlocking { withTimeout(60.seconds) { block(StreamingClient.forChannel(srv.channel, ClientOptions(token = "t"))) } }
    }

    private fun fast(config: BatcherConfig = BatcherConfig()) =
        config.copy(linger = 5.milliseconds, streamIdle = 20.milliseconds, initialBackoff = 10.milliseconds, maxBackoff = 50.milliseconds)

    private fun assertAllStoredOnce(fake: FakeIngest, events: List<PlaybackEvent>) {
        val missing = events.count { !fake.stored.containsKey(it.eventId) }
        assertEquals(0, missing, "events never stored")
        assertEquals(0, fake.receivedAfterAck.get(), "events sent again after the server acknowledged them")
    }

    @Test
    fun `every event is stored, in streams of batches`() {
        val fake = FakeIngest()
        val events = List(5_000) { event(position = it) }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100, batchesPerStream = 10)))
                events.forEach { b.add(it) }
                b.close()
                assertEquals(5_000, b.stats.accepted)
                assertEquals(0, b.stats.resent)
                assertTrue(b.stats.streams >= 5, "streams ${b.stats.streams}")
            }
        }
        assertAllStoredOnce(fake, events)
        assertTrue(fake.stored.values.all { it == 1 })
    }

    @Test
    fun `a broken stream resumes after the message its trailer says is durable`() {
        // Every other stream breaks after 3 messages, saying messages 0 and 1 are durable: message 2 is sent again.
        val fake = FakeIngest { if (failures.get() < 5) FakeIngest.Plan(failAfter = 3, through = { it - 2 }) else FakeIngest.Plan() }
        val events = List(3_000) { event(position = it) }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100, batchesPerStream = 5)))
                events.forEach { b.add(it) }
                b.flush()
                assertEquals(3_000, b.stats.accepted)
                assertEquals(5, b.stats.failedStreams)
                assertTrue(b.stats.resent >= 5 * 100, "resent ${b.stats.resent}")
                b.close()
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `a connection lost without a trailer resends the whole stream`() {
        val fake = FakeIngest { if (failures.get() < 3) FakeIngest.Plan(failAfter = 2, through = null) else FakeIngest.Plan() }
        val events = List(1_000) { event() }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100)))
                events.forEach { b.add(it) }
                b.close()
                assertEquals(1_000, b.stats.accepted)
                assertEquals(3, b.stats.failedStreams)
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `a connection cut inside a frame (Internal caused by an IOException) resends the whole stream`() {
        // What grpc-okhttp reports when the connection ends in the middle of an HTTP/2 frame: "error in frame handler".
        val fake = FakeIngest {
            if (failures.get() < 3) FakeIngest.Plan(failAfter = 2, code = Status.Code.INTERNAL, through = null, cause = EOFException())
            else FakeIngest.Plan()
        }
        val events = List(1_000) { event() }
        withFake(fake, propagateCause = true) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100)))
                events.forEach { b.add(it) }
                b.close()
                assertEquals(1_000, b.stats.accepted)
                assertEquals(3, b.stats.failedStreams)
                assertTrue(b.stats.resent >= 3 * 200, "resent ${b.stats.resent}")
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `Internal from the server (no cause) still stops the batcher`() {
        val fake = FakeIngest { FakeIngest.Plan(failAfter = 1, code = Status.Code.INTERNAL, through = null) }
        val events = List(150) { event() }
        withFake(fake, propagateCause = true) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100)))
                events.forEach { b.add(it) }
                val e = assertThrowsSuspending<IngestFailedException> { b.close() }
                assertEquals(Status.Code.INTERNAL, Status.fromThrowable(e.cause).code)
                assertEquals(1, b.stats.failedStreams)
            }
        }
    }

    @Test
    fun `streams resent after close are full streams`() {
        // Each stream ends when the batcher is closed, and the first three then lose their connection.
        val fake = FakeIngest { if (failures.get() < 3) FakeIngest.Plan(failAtEnd = true) else FakeIngest.Plan() }
        val events = List(1_000) { event() }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100)).copy(streamIdle = 10.seconds))
                events.forEach { b.add(it) }
                b.close()
                assertEquals(1_000, b.stats.accepted)
                assertEquals(3, b.stats.failedStreams)
                assertEquals(4, b.stats.streams, "each failed stream resent whole in one stream")
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `when the trailer cannot tell which events were stored the stream is sent again`() {
        // Accepted does not match the events of the durable messages (some were refused): resend them all.
        val fake = FakeIngest { if (failures.get() == 0) FakeIngest.Plan(failAfter = 3, acceptedOverride = 1) else FakeIngest.Plan() }
        val events = List(500) { event() }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100)))
                events.forEach { b.add(it) }
                b.close()
                assertEquals(500, b.stats.accepted)
                assertTrue(b.stats.resent >= 300, "resent ${b.stats.resent}") // the three messages, and any sent after them
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `ResourceExhausted waits as long as its RetryInfo says, then resumes`() {
        val fake = FakeIngest {
            if (failures.get() == 0) FakeIngest.Plan(failAfter = 2, code = Status.Code.RESOURCE_EXHAUSTED, through = { it - 2 }, retryInfoMillis = 400)
            else FakeIngest.Plan()
        }
        val events = List(600) { event() }
        var waited = kotlin.time.Duration.ZERO
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100, onStreamFailed = { _, w -> waited = w })))
                val start = System.nanoTime()
                events.forEach { b.add(it) }
                b.close()
                val took = (System.nanoTime() - start) / 1_000_000
                assertEquals(400.milliseconds, waited)
                assertTrue(took >= 400, "took $took ms")
                assertEquals(1, b.stats.retryInfoWaits)
                assertEquals(600, b.stats.accepted)
                // Only what fitted before the refusal goes in the next stream (then twice as much, and so on).
                assertEquals(listOf(2, 1, 2), fake.messages.take(3))
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `refused events are reported and not resent, not-stored ones are resent`() {
        val bad = HashSet<String>()
        val flaky = HashSet<String>()
        val flakyOnce = ConcurrentHashMap.newKeySet<String>()
        // Flaky events fail their first write only.
        val fake = FakeIngest { FakeIngest.Plan(invalid = { it.eventId in bad }, notStored = { flakyOnce.remove(it.eventId) }) }
        val events = List(300) { event() }
        events.filterIndexed { i, _ -> i % 50 == 7 }.forEach { bad += it.eventId }
        events.filterIndexed { i, _ -> i % 30 == 3 }.forEach { flaky += it.eventId }
        flakyOnce += flaky
        val reported = ConcurrentHashMap.newKeySet<String>()
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100, onRejected = { e, field, _ ->
                    assertEquals("position_seconds", field)
                    reported += e.eventId
                })))
                events.forEach { b.add(it) }
                b.close()
                assertEquals(bad.size.toLong(), b.stats.rejected)
                assertEquals((300 - bad.size).toLong(), b.stats.accepted)
                assertEquals(flaky.size.toLong(), b.stats.resent)
            }
        }
        assertEquals(bad, reported)
        assertAllStoredOnce(fake, events.filter { it.eventId !in bad })
    }

    @Test
    fun `add suspends while the server does not read (back-pressure)`() {
        val gate = CompletableDeferred<Unit>()
        val fake = FakeIngest { n -> FakeIngest.Plan(gate = if (n == 0) gate else null) }
        val events = List(20_000) { event() }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100, bufferEvents = 200)))
                val added = AtomicInteger()
                val producer = launch {
                    for (e in events) {
                        b.add(e)
                        added.incrementAndGet()
                    }
                }
                // The server reads nothing: the transport's window fills, then the buffer, then add waits.
                assertNull(withTimeoutOrNull(1.seconds) { producer.join() }, "every add returned while nothing was read")
                val stuck = added.get()
                assertTrue(stuck < events.size, "added $stuck")
                gate.complete(Unit)
                producer.join()
                b.close()
                assertEquals(events.size.toLong(), b.stats.accepted)
            }
        }
        assertAllStoredOnce(fake, events)
    }

    @Test
    fun `a failure that is not transient stops the batcher with what is left`() {
        val fake = FakeIngest { FakeIngest.Plan(failAfter = 1, code = Status.Code.PERMISSION_DENIED, through = null) }
        val events = List(250) { event() }
        withFake(fake) { client ->
            coroutineScope {
                val b = client.playbackBatcher(this, fast(BatcherConfig(batchSize = 100)))
                events.forEach { b.add(it) }
                val e = assertThrowsSuspending<IngestFailedException> { b.flush() }
                assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(e.cause).code)
                assertEquals(events.map { it.eventId }.toSet(), e.unresolved.map { it.eventId }.toSet())
                assertThrowsSuspending<IngestFailedException> { b.add(event()) }
                assertThrowsSuspending<IngestFailedException> { b.close() }
            }
        }
    }
}
