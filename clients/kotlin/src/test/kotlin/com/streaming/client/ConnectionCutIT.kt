package com.streaming.client

import com.google.protobuf.Timestamp
import com.streaming.v1.Device
import com.streaming.v1.PlaybackEvent
import com.streaming.v1.VideoQuality
import io.grpc.Status
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.io.IOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.time.Instant
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * The batcher against the real streamingd (deploy/local/scripts/with-server.sh, `go tool task test:kotlin`) through a
 * TCP proxy ([CuttingProxy]) that cuts every connection it carries while the ingest streams are in flight: the client
 * sees its transport break with no trailer, reconnects through the proxy (refused for a moment after each cut), and
 * the batcher resends what was not acknowledged. Every event must end up in Cassandra exactly once. Without a server
 * this test fails; it never skips.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionCutIT {
    private lateinit var addr: String

    private fun env(name: String): String = System.getenv(name)?.takeIf { it.isNotBlank() }
        ?: fail("$name is not set: run these tests through deploy/local/scripts/with-server.sh (go tool task test:kotlin)")

    private fun connect(target: String, token: String? = null) =
        StreamingClient.connect(target, ClientOptions(token = token, tls = false, userAgent = "streaming-kotlin-it"))

    @BeforeAll
    fun server() {
        addr = env("STREAMING_TEST_GRPC_ADDR")
        try {
            connect(addr).use { c -> runBlocking { withTimeout(15.seconds) { c.plans() } } }
        } catch (e: Exception) {
            fail<Unit>("the server at STREAMING_TEST_GRPC_ADDR=$addr does not answer: $e", e)
        }
    }

    private fun unique() = UUID.randomUUID().toString().replace("-", "").take(12)

    @Test
    fun `connections cut mid-stream - the batcher reconnects, resends, and every event is stored once`() = runBlocking {
        withTimeout(2.minutes) {
            connect(addr).use { direct ->
                // A user of its own (its own ingest quota), signed in over a direct connection.
                val email = "kotlin-cut-${unique()}@example.com"
                val user = direct.register(email, "correct horse battery", "Kotlin cut IT", "ES")
                val session = direct.login(email, "correct horse battery")
                val title = UUID.randomUUID().toString()

                val count = 5_000
                val base = Instant.now().minusSeconds(30 * 60)
                val events = List(count) { i ->
                    val at = base.plusMillis(100L * i)
                    PlaybackEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setUserId(user.id)
                        .setContentId(title).setOccurTime(Timestamp.newBuilder().setSeconds(at.epochSecond).setNanos(at.nano))
                        .setPlayedSeconds(1).setPositionSeconds(i).setDevice(Device.DEVICE_MOBILE)
                        .setQuality(VideoQuality.VIDEO_QUALITY_HD).build()
                }
                // Three cuts, at 15%, 40% and 65% of the events' bytes sent client->server: every event crosses the proxy
                // at least once, so all three happen. The first two land in a stream's messages; the third in the
                // answer to a stream, once the server stored it all (the batcher resends what the server has).
                val eventBytes = events.sumOf { it.serializedSize.toLong() }
                val plan = listOf(0.15 to Cut.RESET, 0.40 to Cut.FIN, 0.65 to Cut.MID_FRAME).map { (at, how) -> (eventBytes * at).toLong() to how }

                val failures = ConcurrentHashMap<Status.Code, AtomicInteger>()
                val notes = CopyOnWriteArrayList<String>()
                val refused = ConcurrentHashMap<String, String>()
                val started = System.nanoTime()
                val stats = CuttingProxy(addr, plan, downFor = 300.milliseconds).use { proxy ->
                    var s: BatcherStats? = null
                    try {
                        // The batcher's client goes through the proxy, with the user's token.
                        connect(proxy.address, session.token).use { app ->
                            coroutineScope {
                                val batcher = app.playbackBatcher(this, BatcherConfig(
                                    onRejected = { e, field, reason -> refused[e.eventId] = "$field: $reason" },
                                    onStreamFailed = { status, _ ->
                                        failures.computeIfAbsent(status.code) { AtomicInteger() }.incrementAndGet()
                                        if (status.code != Status.Code.RESOURCE_EXHAUSTED && notes.size < 10) {
                                            notes += "${status.code}: ${status.description ?: status.cause}"
                                        }
                                    },
                                ))
                                events.forEach { batcher.add(it) }
                                try {
                                    batcher.close()
                                } finally {
                                    s = batcher.stats
                                }
                            }
                        }
                    } finally {
                        println("kotlin cut IT: $count events (%d bytes) in %.1f s through the proxy: cuts %s at %s bytes; %d connections, %d refused while down; %s; failed streams by code %s: %s".format(
                            eventBytes, (System.nanoTime() - started) / 1e9, proxy.cuts, plan.map { it.first },
                            proxy.connections.get(), proxy.refused.get(), s, failures.mapValues { it.value.get() }, notes))
                    }
                    assertEquals(plan.map { it.second }, proxy.cuts.toList(), "cuts made by the proxy")
                    assertTrue(proxy.connections.get() > proxy.cuts.size, "the client reconnected after each cut (${proxy.connections.get()} connections)")
                    s!!
                }
                // The cuts broke streams: failed without a RetryInfo (the quota's refusals have one), with no trailer.
                val broken = failures.filterKeys { it != Status.Code.RESOURCE_EXHAUSTED }.values.sumOf { it.get() }
                assertTrue(broken >= 1 && stats.failedStreams - stats.retryInfoWaits >= 1, "streams broken by the cuts: $broken ($failures, $stats)")
                // The answer cut inside its frame: grpc-okhttp says Internal (an EOFException), taken as a broken connection.
                assertTrue((failures[Status.Code.INTERNAL]?.get() ?: 0) >= 1, "a stream ended by the mid-frame cut ($failures)")
                assertEquals(emptyMap<String, String>(), refused)
                assertEquals(count.toLong(), stats.accepted, "events acknowledged")
                assertEquals(0, stats.rejected)
                assertTrue(stats.resent > 0, "events resent after the cuts: ${stats.resent}")

                // Exactly the events sent, each once, read back from Cassandra over the direct connection.
                val ids = ArrayList<String>()
                var page = ""
                do {
                    val res = direct.watchHistory(user.id, title, pageSize = 500, pageToken = page)
                    res.eventsList.mapTo(ids) { it.eventId }
                    page = res.nextPageToken
                } while (page.isNotEmpty())
                val dup = ids.groupingBy { it }.eachCount().filterValues { it > 1 }
                assertEquals(emptyMap<String, Int>(), dup, "events stored more than once")
                val want = events.map { it.eventId }.toSet()
                assertEquals(emptySet<String>(), want - ids.toSet(), "events missing")
                assertEquals(emptySet<String>(), ids.toSet() - want, "events never sent")
                assertEquals(count, ids.size)
            }
        }
    }
}

/** How [CuttingProxy] cuts the connections it carries. */
internal enum class Cut {
    /** Both sockets closed with a reset (SO_LINGER 0) as a client->server chunk crosses the threshold; the chunk dropped. */
    RESET,

    /** Likewise, but both sockets are shut down for output (a FIN) before they are closed. */
    FIN,

    /**
     * Once the threshold is crossed, the next answer of the server (the response message of a stream, an HTTP/2 DATA
     * frame to the client, sent once the server has stored and acknowledged the stream's events) is forwarded only up
     * to the middle of the frame's payload, then both sockets are shut down and closed: the client, waiting for that
     * answer, reads a frame header and part of its payload, then the end of the connection (a cut that does not fall
     * between two frames, and loses an answer the server sent).
     */
    MID_FRAME,
}

/**
 * A TCP proxy on 127.0.0.1 (an ephemeral port) to [upstream] (`host:port`) that cuts every connection it carries,
 * abruptly, each time the bytes it forwarded client->server (all connections) cross the next threshold of [plan],
 * in that threshold's way ([Cut]); the client gets no trailer. Only a chunk of at least [MIN_CUT_CHUNK] bytes (stream
 * data, not a ping or a window update) crosses a threshold, so a [Cut.RESET] or [Cut.FIN] always lands while a stream
 * is sending its messages (the chunk is dropped: the server never sees the stream's end). For [downFor] after a cut,
 * new connections are reset at once; then the proxy carries new connections again.
 */
internal class CuttingProxy(
    upstream: String,
    private val plan: List<Pair<Long, Cut>>,
    private val downFor: Duration,
) : AutoCloseable {
    private val upHost = upstream.substringBeforeLast(':').removePrefix("[").removeSuffix("]")
    private val upPort = upstream.substringAfterLast(':').toInt()
    private val listener = ServerSocket(0, 128, InetAddress.getByName("127.0.0.1"))
    val address = "127.0.0.1:${listener.localPort}"

    /** Connections carried (accepted and connected upstream). */
    val connections = AtomicInteger()

    /** Connections reset at once while down after a cut. */
    val refused = AtomicInteger()

    /** Cuts made, in order. */
    val cuts: MutableList<Cut> = CopyOnWriteArrayList()

    /** Bytes read from clients, all connections. */
    val upBytes = AtomicLong()

    private val links: MutableSet<Link> = ConcurrentHashMap.newKeySet()
    private var nextCut = 0

    @Volatile
    private var midFrameArmed = false

    @Volatile
    private var downUntil = System.nanoTime()

    private class Link(val client: Socket, val server: Socket) {
        fun close(reset: Boolean) {
            for (s in listOf(client, server)) {
                try {
                    if (reset) s.setSoLinger(true, 0) else if (!s.isClosed) s.shutdownOutput() // after what was written
                    s.close()
                } catch (_: IOException) {
                }
            }
        }
    }

    init {
        thread(name = "cut-proxy-accept", isDaemon = true) { accept() }
    }

    private fun accept() {
        while (true) {
            val c = try {
                listener.accept()
            } catch (_: IOException) {
                return // closed
            }
            if (System.nanoTime() - downUntil < 0) {
                refused.incrementAndGet()
                Link(c, c).close(reset = true) // the one socket, reset
                continue
            }
            val s = Socket()
            try {
                s.tcpNoDelay = true
                c.tcpNoDelay = true
                s.connect(InetSocketAddress(upHost, upPort), 5_000)
            } catch (_: IOException) {
                Link(c, s).close(reset = true)
                continue
            }
            val link = Link(c, s)
            links += link
            connections.incrementAndGet()
            thread(name = "cut-proxy-up", isDaemon = true) { pumpUp(link) }
            thread(name = "cut-proxy-down", isDaemon = true) { pumpDown(link) }
        }
    }

    /** Client to server: counts the bytes and cuts (or arms a mid-frame cut) when a threshold is crossed. */
    private fun pumpUp(link: Link) = pump(link) {
        val buf = ByteArray(64 * 1024)
        val input = link.client.getInputStream()
        val output = link.server.getOutputStream()
        while (true) {
            val n = input.read(buf)
            if (n < 0) break
            when (crossed(n)) {
                Cut.RESET -> return@pump cutAll(Cut.RESET)
                Cut.FIN -> return@pump cutAll(Cut.FIN)
                Cut.MID_FRAME -> midFrameArmed = true
                null -> {}
            }
            output.write(buf, 0, n)
            output.flush()
        }
    }

    /** Server to client: follows the HTTP/2 frames, to cut inside an answer when a mid-frame cut is armed. */
    private fun pumpDown(link: Link) = pump(link) {
        val buf = ByteArray(64 * 1024)
        val input = link.server.getInputStream()
        val output = link.client.getOutputStream()
        val frames = FrameCursor()
        while (true) {
            val n = input.read(buf)
            if (n < 0) break
            val inside = frames.advance(buf, n)
            if (inside >= 0 && midFrameArmed) {
                midFrameArmed = false
                output.write(buf, 0, inside)
                output.flush()
                return@pump cutAll(Cut.MID_FRAME)
            }
            output.write(buf, 0, n)
            output.flush()
        }
    }

    private inline fun pump(link: Link, body: () -> Unit) {
        try {
            body()
        } catch (_: IOException) {
            // the other direction's end, a cut, or the peer closed it
        } finally {
            links -= link
            link.close(reset = false)
        }
    }

    @Synchronized
    private fun crossed(n: Int): Cut? {
        val total = upBytes.addAndGet(n.toLong())
        if (midFrameArmed || nextCut >= plan.size || n < MIN_CUT_CHUNK || total < plan[nextCut].first) return null
        return plan[nextCut++].second
    }

    /** Cuts every connection now; new ones are refused for [downFor]. */
    private fun cutAll(how: Cut) {
        downUntil = System.nanoTime() + downFor.inWholeNanoseconds
        cuts += how
        for (link in links.toList()) {
            links -= link
            link.close(reset = how == Cut.RESET)
        }
    }

    override fun close() {
        listener.close()
        for (link in links.toList()) link.close(reset = true)
        links.clear()
    }

    /**
     * Follows HTTP/2 frames (a 9-byte header: the payload's length in 3 bytes, the type, flags, stream id; then the
     * payload) through the chunks of one direction of a connection, from its first byte (the server's side has no
     * preface).
     */
    private class FrameCursor {
        private var headerRead = 0
        private var length = 0
        private var type = 0
        private var payloadLeft = 0

        /**
         * Moves over [n] bytes of [buf]; returns an offset in them that falls inside the payload of a HEADERS or
         * DATA frame (at least one of its bytes before, one after), or -1 when no frame of the chunk allows it.
         */
        fun advance(buf: ByteArray, n: Int): Int {
            var inside = -1
            var i = 0
            while (i < n) {
                if (payloadLeft > 0) {
                    val k = minOf(payloadLeft, n - i)
                    if (inside < 0 && type == DATA && payloadLeft >= 2) inside = i + 1
                    payloadLeft -= k
                    i += k
                    continue
                }
                val b = buf[i].toInt() and 0xff
                if (headerRead < 3) length = (length shl 8) or b
                if (headerRead == 3) type = b
                headerRead++
                i++
                if (headerRead == 9) {
                    payloadLeft = length
                    headerRead = 0
                    length = 0
                }
            }
            return inside
        }

        private companion object {
            const val DATA = 0x0
            const val HEADERS = 0x1
        }
    }

    private companion object {
        const val MIN_CUT_CHUNK = 1024
    }
}
