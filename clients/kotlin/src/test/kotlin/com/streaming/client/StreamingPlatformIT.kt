package com.streaming.client

import com.google.protobuf.Timestamp
import com.streaming.v1.Content
import com.streaming.v1.ContentType
import com.streaming.v1.Device
import com.streaming.v1.PaymentMethod
import com.streaming.v1.PlaybackEvent
import com.streaming.v1.RecommendationSource
import com.streaming.v1.VideoQuality
import com.streaming.v1.createPlanRequest
import com.streaming.v1.searchContentRequest
import com.streaming.v1.upsertContentRequest
import io.grpc.Status
import io.grpc.StatusException
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.time.Instant
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * The library against a real streamingd (started by deploy/local/scripts/with-server.sh, which exports its address
 * and the operator's tokens: `go tool task test:kotlin`). Without a server these tests fail; they never skip.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingPlatformIT {
    private lateinit var addr: String
    private lateinit var admin: StreamingClient

    private fun env(name: String): String = System.getenv(name)?.takeIf { it.isNotBlank() }
        ?: fail("$name is not set: run these tests through deploy/local/scripts/with-server.sh (go tool task test:kotlin)")

    private fun connect(token: String? = null) =
        StreamingClient.connect(addr, ClientOptions(token = token, tls = false, userAgent = "streaming-kotlin-it"))

    @BeforeAll
    fun server() {
        addr = env("STREAMING_TEST_GRPC_ADDR")
        admin = connect(env("STREAMING_TEST_ADMIN_TOKEN"))
        try {
            runBlocking { withTimeout(15.seconds) { admin.plans() } }
        } catch (e: Exception) {
            fail<Unit>("the server at STREAMING_TEST_GRPC_ADDR=$addr does not answer: $e", e)
        }
    }

    @AfterAll
    fun closeAll() {
        if (::admin.isInitialized) admin.close()
    }

    private fun unique() = UUID.randomUUID().toString().replace("-", "").take(12)

    private suspend fun newTitle(name: String, genre: String): Content = admin.command.upsertContent(upsertContentRequest {
        content = Content.newBuilder().setId(UUID.randomUUID().toString()).setTitle(name).setDescription("Kotlin IT: $name")
            .setType(ContentType.CONTENT_TYPE_MOVIE).addGenres(genre).setReleaseYear(2024).setDurationSeconds(6000).build()
    }).content

    private suspend fun <T> eventually(what: String, within: Duration = 30.seconds, check: suspend () -> T?): T {
        val end = System.nanoTime() + within.inWholeNanoseconds
        var last: Any? = null
        while (System.nanoTime() < end) {
            try {
                check()?.let { return it }
            } catch (e: StatusException) {
                last = e
            }
            delay(200)
        }
        fail<Unit>("$what: not within $within (last error: $last)")
        error("unreachable")
    }

    /** Every event id stored for a title, read back through GetWatchHistory page by page. */
    private suspend fun storedIds(client: StreamingClient, userId: String, contentId: String): List<String> {
        val ids = ArrayList<String>()
        var page = ""
        do {
            val res = client.watchHistory(userId, contentId, pageSize = 500, pageToken = page)
            res.eventsList.mapTo(ids) { it.eventId }
            page = res.nextPageToken
        } while (page.isNotEmpty())
        return ids
    }

    @Test
    fun `register, log in, subscribe, stream 10k playback events, read continue watching and recommendations`() = runBlocking {
        withTimeout(5.minutes) {
            // The catalog: three titles of a genre no other test uses, and a plan.
            val genre = "kt-" + unique()
            val first = newTitle("Primera $genre", genre)
            val second = newTitle("Segunda $genre", genre)
            val unwatched = newTitle("Tercera $genre", genre)
            val plan = admin.command.createPlan(createPlanRequest {
                name = "Kotlin IT ${unique()}"
                monthlyPrice = "7.99"
                currency = "EUR"
                maxStreams = 2
                maxQuality = VideoQuality.VIDEO_QUALITY_HD
                available = true
            }).plan

            connect().use { app ->
                // Sign-up and sign-in: the session's token is what every later call carries.
                val email = "kotlin-${unique()}@example.com"
                val user = app.register(email, "correct horse battery", "Kotlin IT", "ES")
                val session = app.login(email, "correct horse battery")
                assertEquals(user.id, session.user.id)
                assertEquals(session.token, app.tokens.token)
                assertTrue(app.plans().any { it.id == plan.id }, "the new plan is in the catalog")

                // Subscribe with the local payment simulator's approved test card; the same idempotency key twice
                // gives the same subscription (one payment).
                val key = "kotlin-it-${unique()}"
                val sub = app.subscribe(user.id, plan.id, PaymentMethod.PAYMENT_METHOD_CARD, "tok_visa", key)
                val again = app.subscribe(user.id, plan.id, PaymentMethod.PAYMENT_METHOD_CARD, "tok_visa", key)
                assertEquals(sub.id, again.id)
                eventually("the profile shows the subscription") {
                    app.profile(user.id).activeSubscription.takeIf { it.subscriptionId == sub.id }
                }

                // 10,000 events of the user's two titles, sent with the user's own token: past the user's ingest
                // burst the server refuses batches with ResourceExhausted and RetryInfo, and the batcher waits and
                // resumes from the durable-through trailer.
                val base = Instant.now().minusSeconds(30 * 60)
                val events = List(10_000) { i ->
                    val at = base.plusMillis(100L * i)
                    PlaybackEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setUserId(user.id)
                        .setContentId(if (i % 2 == 0) first.id else second.id)
                        .setOccurTime(Timestamp.newBuilder().setSeconds(at.epochSecond).setNanos(at.nano))
                        .setPlayedSeconds(1).setPositionSeconds(i / 2).setDevice(Device.DEVICE_MOBILE)
                        .setQuality(VideoQuality.VIDEO_QUALITY_HD).setCompleted(i == 9_999).build()
                }
                val refused = ConcurrentHashMap<String, String>()
                val started = System.nanoTime()
                coroutineScope {
                    val batcher = app.playbackBatcher(this, BatcherConfig(onRejected = { e, field, reason -> refused[e.eventId] = "$field: $reason" }))
                    // Two producers, as a player and its offline queue might be; add suspends while the buffer is full.
                    val half = events.size / 2
                    listOf(events.subList(0, half), events.subList(half, events.size)).map { part ->
                        launch { part.forEach { batcher.add(it) } }
                    }.forEach { it.join() }
                    batcher.close()
                    val s = batcher.stats
                    println("kotlin IT: 10000 events in %.1f s: %s".format((System.nanoTime() - started) / 1e9, s))
                    assertEquals(emptyMap<String, String>(), refused)
                    assertEquals(10_000, s.accepted)
                    assertEquals(0, s.rejected)
                }

                // Exactly the events sent, each once, read back from Cassandra.
                for ((title, expected) in listOf(first to events.filterIndexed { i, _ -> i % 2 == 0 }, second to events.filterIndexed { i, _ -> i % 2 == 1 })) {
                    val ids = storedIds(app, user.id, title.id)
                    assertEquals(ids.size, ids.toSet().size, "an event stored twice")
                    assertEquals(expected.map { it.eventId }.toSet(), ids.toSet(), "stored events of ${title.title}")
                }

                // Continue watching: the second title (its last event is the newest, and completed), then the first.
                val items = app.continueWatching(user.id)
                assertEquals(listOf(second.id, first.id), items.map { it.contentId })
                assertEquals(listOf(4_999, 4_999), items.map { it.positionSeconds })
                assertEquals(listOf(true, false), items.map { it.completed })

                // Recommendations: the genre's unwatched title, never one watched (the graph learns of the viewings
                // a moment after they are stored).
                val recs = eventually("recommendations with the unwatched title of the genre") {
                    app.recommendations(user.id, limit = 50).takeIf { r -> r.recommendationsList.any { it.contentId == unwatched.id } }
                }
                assertTrue(recs.source == RecommendationSource.RECOMMENDATION_SOURCE_GRAPH || recs.source == RecommendationSource.RECOMMENDATION_SOURCE_CACHE, "source ${recs.source}")
                assertEquals("genre:$genre", recs.recommendationsList.first { it.contentId == unwatched.id }.reason)
                assertTrue(recs.recommendationsList.none { it.contentId == first.id || it.contentId == second.id }, "a watched title recommended: $recs")

                // The catalog search sees the genre's three titles.
                val hits = app.query { searchContent(searchContentRequest { genres += genre }) }
                assertEquals(setOf(first.id, second.id, unwatched.id), hits.hitsList.map { it.content.id }.toSet())
            }
        }
    }

    @Test
    fun `events refused for a field are reported, the others stored`() = runBlocking {
        withTimeout(2.minutes) {
            connect().use { app ->
                val email = "kotlin-${unique()}@example.com"
                val user = app.register(email, "correct horse battery", "Kotlin IT", "PT")
                app.login(email, "correct horse battery")
                val title = UUID.randomUUID().toString()
                val now = Instant.now()
                fun ev(position: Int, userId: String = user.id) = PlaybackEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setUserId(userId).setContentId(title).setOccurTime(Timestamp.newBuilder().setSeconds(now.epochSecond))
                    .setPlayedSeconds(5).setPositionSeconds(position).setDevice(Device.DEVICE_TV)
                    .setQuality(VideoQuality.VIDEO_QUALITY_FULL_HD).build()
                val good = List(50) { ev(it) }
                val tooFar = ev(90_000) // past 86400 s
                val someoneElse = ev(1, UUID.randomUUID().toString()) // users may only send their own events
                val refused = ConcurrentHashMap<String, String>()
                coroutineScope {
                    val b = app.playbackBatcher(this, BatcherConfig(onRejected = { e, field, _ -> refused[e.eventId] = field }))
                    (good.take(25) + tooFar + someoneElse + good.drop(25)).forEach { b.add(it) }
                    b.flush()
                    assertEquals(50, b.stats.accepted)
                    assertEquals(2, b.stats.rejected)
                    b.close()
                }
                assertEquals(mapOf(tooFar.eventId to "position_seconds", someoneElse.eventId to "user_id"), refused.toMap())
                assertEquals(good.map { it.eventId }.toSet(), storedIds(app, user.id, title).toSet())
            }
        }
    }

    @Test
    fun `after logout the old token is refused and forgotten`() = runBlocking {
        withTimeout(1.minutes) {
            connect().use { app ->
                val email = "kotlin-${unique()}@example.com"
                val user = app.register(email, "correct horse battery", "Kotlin IT", "ES")
                val session = app.login(email, "correct horse battery")
                assertNotNull(app.profile(user.id).user)
                app.logout()
                assertNull(app.tokens.token)
                // The same token from another client: the server ended the session.
                val stale = app.withToken(session.token)
                var told: String? = null
                stale.tokens.onUnauthenticated = { told = it }
                val e = assertThrowsSuspending<StatusException> { stale.profile(user.id) }
                assertEquals(Status.Code.UNAUTHENTICATED, e.status.code)
                assertEquals(session.token, told)
                assertNull(stale.tokens.token)
            }
        }
    }
}
