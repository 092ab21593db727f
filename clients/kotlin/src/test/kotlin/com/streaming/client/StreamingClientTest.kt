package com.streaming.client

import com.streaming.v1.CommandServiceGrpcKt
import com.streaming.v1.ContinueWatchingItem
import com.streaming.v1.GetContinueWatchingRequest
import com.streaming.v1.GetContinueWatchingResponse
import com.streaming.v1.GetRecommendationsRequest
import com.streaming.v1.GetRecommendationsResponse
import com.streaming.v1.GetUserProfileRequest
import com.streaming.v1.GetUserProfileResponse
import com.streaming.v1.LoginRequest
import com.streaming.v1.LoginResponse
import com.streaming.v1.QueryServiceGrpcKt
import com.streaming.v1.RegisterUserRequest
import com.streaming.v1.RegisterUserResponse
import com.streaming.v1.User
import io.grpc.Context
import io.grpc.Metadata
import io.grpc.ServerCall
import io.grpc.ServerCallHandler
import io.grpc.ServerInterceptor
import io.grpc.Status
import io.grpc.StatusException
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.EOFException
import java.net.SocketException
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

private class FakeCommand : CommandServiceGrpcKt.CommandServiceCoroutineImplBase() {
    val registerCalls = AtomicInteger()
    val loginCalls = AtomicInteger()
    var loginRetryInfoMillis = 30L

    override suspend fun registerUser(request: RegisterUserRequest): RegisterUserResponse {
        registerCalls.incrementAndGet()
        throw StatusException(Status.UNAVAILABLE.withDescription("database down"))
    }

    override suspend fun login(request: LoginRequest): LoginResponse {
        if (loginCalls.incrementAndGet() == 1) throw retryInfoFailure(Status.Code.RESOURCE_EXHAUSTED, loginRetryInfoMillis)
        return LoginResponse.newBuilder().setToken("session-1").setUser(User.newBuilder().setId("u1").setEmail(request.email)).build()
    }
}

private class FakeQuery : QueryServiceGrpcKt.QueryServiceCoroutineImplBase() {
    val calls = ConcurrentHashMap<String, AtomicInteger>()
    private fun count(name: String) = calls.computeIfAbsent(name) { AtomicInteger() }.incrementAndGet()

    override suspend fun getContinueWatching(request: GetContinueWatchingRequest): GetContinueWatchingResponse {
        if (count("continue") <= 2) throw StatusException(Status.UNAVAILABLE.withDescription("cassandra down"))
        return GetContinueWatchingResponse.newBuilder().addItems(ContinueWatchingItem.newBuilder().setContentId("c1").setPositionSeconds(42)).build()
    }

    override suspend fun getRecommendations(request: GetRecommendationsRequest): GetRecommendationsResponse {
        if (count("recs") == 1) throw retryInfoFailure(Status.Code.RESOURCE_EXHAUSTED, 20)
        return GetRecommendationsResponse.getDefaultInstance()
    }

    override suspend fun getUserProfile(request: GetUserProfileRequest): GetUserProfileResponse {
        count("profile")
        throw StatusException(Status.UNAUTHENTICATED.withDescription("session ended"))
    }
}

/** Records each call's authorization header and deadline, as the server sees them. */
private class Recorder : ServerInterceptor {
    val calls = CopyOnWriteArrayList<Triple<String, String?, Long?>>()
    override fun <ReqT, RespT> interceptCall(call: ServerCall<ReqT, RespT>, headers: Metadata, next: ServerCallHandler<ReqT, RespT>): ServerCall.Listener<ReqT> {
        val deadline = Context.current().deadline?.timeRemaining(TimeUnit.MILLISECONDS)
        calls += Triple(call.methodDescriptor.bareMethodName!!, headers.get(BearerCredentials.AUTHORIZATION), deadline)
        return next.startCall(call, headers)
    }
}

class StreamingClientTest {
    private val command = FakeCommand()
    private val query = FakeQuery()
    private val recorder = Recorder()

    private fun test(block: suspend (StreamingClient) -> Unit) = InProcess(command, query, interceptor = recorder).use { srv ->
        runBlocking { block(StreamingClient.forChannel(srv.channel, ClientOptions(defaultDeadline = 3.seconds))) }
    }

    @Test
    fun `login keeps the session token, and later calls carry it with the default deadline`() = test { client ->
        val session = client.login("ana@example.com", "correct horse battery")
        assertEquals("session-1", session.token)
        assertEquals("session-1", client.tokens.token)
        assertEquals(2, command.loginCalls.get(), "a login refused with RetryInfo is tried again")
        client.continueWatching("u1")
        val (method, auth, deadline) = recorder.calls.last()
        assertEquals("GetContinueWatching", method)
        assertEquals("Bearer session-1", auth)
        assertTrue(deadline != null && deadline in 1..3_000, "deadline $deadline ms")
        assertNull(recorder.calls.first().second, "the login itself was anonymous")
    }

    @Test
    fun `queries are retried on Unavailable and after a RetryInfo`() = test { client ->
        val items = client.continueWatching("u1")
        assertEquals(42, items.single().positionSeconds)
        assertEquals(3, query.calls["continue"]!!.get())
        client.recommendations("u1")
        assertEquals(2, query.calls["recs"]!!.get())
    }

    @Test
    fun `commands are not retried on Unavailable`() = test { client ->
        val e = assertThrowsSuspending<StatusException> { client.register("a@example.com", "correct horse battery", "A", "ES") }
        assertEquals(Status.Code.UNAVAILABLE, e.status.code)
        assertEquals(1, command.registerCalls.get())
    }

    @Test
    fun `a connection cut inside a frame is retried like Unavailable, a server's Internal is not`() {
        val policy = RetryPolicy.DEFAULT
        val cut = StatusException(Status.INTERNAL.withDescription("error in frame handler").withCause(EOFException()))
        assertTrue(connectionBroke(cut.status))
        assertTrue(retryWait(cut, Safety.IDEMPOTENT, policy, 100.milliseconds) != null)
        assertNull(retryWait(cut, Safety.NOT_IDEMPOTENT, policy, 100.milliseconds), "a command may have been applied")
        val reset = StatusException(Status.UNKNOWN.withCause(RuntimeException(SocketException("Connection reset"))))
        assertTrue(connectionBroke(reset.status))
        val server = StatusException(Status.INTERNAL.withDescription("grpc: error unmarshalling request"))
        assertTrue(!connectionBroke(server.status))
        assertNull(retryWait(server, Safety.IDEMPOTENT, policy, 100.milliseconds))
        assertTrue(!connectionBroke(Status.PERMISSION_DENIED.withCause(EOFException())))
    }

    @Test
    fun `a RetryInfo longer than the policy allows is left to the caller`() = test { client ->
        command.loginRetryInfoMillis = 60_000
        val e = assertThrowsSuspending<StatusException> { client.login("ana@example.com", "correct horse battery") }
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.status.code)
        assertEquals(60.seconds, e.retryDelay?.toMillis()?.milliseconds)
        assertEquals(1, command.loginCalls.get())
    }

    @Test
    fun `an ended session forgets its token and says so`() = test { client ->
        client.tokens.set("stale")
        var told: String? = null
        client.tokens.onUnauthenticated = { told = it }
        assertThrowsSuspending<StatusException> { client.profile("u1") }
        assertEquals("stale", told)
        assertNull(client.tokens.token)
        assertEquals(1, query.calls["profile"]!!.get(), "Unauthenticated is not retried")
    }
}
