package com.streaming.client

import com.google.protobuf.Any
import com.google.protobuf.ByteString
import com.google.protobuf.CodedOutputStream
import com.google.protobuf.Duration
import com.google.protobuf.Timestamp
import com.streaming.v1.Device
import com.streaming.v1.PlaybackEvent
import com.streaming.v1.VideoQuality
import io.grpc.BindableService
import io.grpc.ManagedChannel
import io.grpc.Metadata
import io.grpc.Server
import io.grpc.ServerInterceptor
import io.grpc.ServerInterceptors
import io.grpc.Status
import io.grpc.StatusException
import io.grpc.inprocess.InProcessChannelBuilder
import io.grpc.inprocess.InProcessServerBuilder
import java.io.ByteArrayOutputStream
import java.time.Instant
import java.util.UUID

/**
 * An in-process server with [services], and a channel to it; close both with [close]. With [propagateCause], the
 * cause of a status a service fails with reaches the client, as a status the client's transport makes itself has one.
 */
class InProcess(vararg services: BindableService, interceptor: ServerInterceptor? = null, propagateCause: Boolean = false) : AutoCloseable {
    private val name = "test-" + UUID.randomUUID()
    private val server: Server = InProcessServerBuilder.forName(name).directExecutor().apply {
        for (s in services) {
            if (interceptor != null) addService(ServerInterceptors.intercept(s, interceptor)) else addService(s)
        }
    }.build().start()
    val channel: ManagedChannel = InProcessChannelBuilder.forName(name).propagateCauseWithStatus(propagateCause).build()

    override fun close() {
        channel.shutdownNow()
        server.shutdownNow()
    }
}

/** A google.rpc.Status with a RetryInfo of [delayMillis], serialized as the grpc-status-details-bin trailer carries it. */
fun statusWithRetryInfo(code: Status.Code, delayMillis: Long): ByteArray {
    val delay = Duration.newBuilder().setSeconds(delayMillis / 1000).setNanos(((delayMillis % 1000) * 1_000_000).toInt()).build()
    val retryInfo = ByteArrayOutputStream().also { out ->
        val c = CodedOutputStream.newInstance(out)
        c.writeMessage(1, delay)
        c.flush()
    }.toByteArray()
    val detail = Any.newBuilder().setTypeUrl("type.googleapis.com/google.rpc.RetryInfo").setValue(ByteString.copyFrom(retryInfo)).build()
    return ByteArrayOutputStream().also { out ->
        val c = CodedOutputStream.newInstance(out)
        c.writeInt32(1, code.value())
        c.writeString(2, "slow down")
        c.writeMessage(3, detail)
        c.flush()
    }.toByteArray()
}

/** A failure whose trailers carry a RetryInfo of [delayMillis] (and [more] trailers). */
fun retryInfoFailure(code: Status.Code, delayMillis: Long, more: Metadata = Metadata()): StatusException {
    val trailers = Metadata()
    trailers.merge(more)
    trailers.put(StatusDetails.KEY, statusWithRetryInfo(code, delayMillis))
    return StatusException(Status.fromCode(code).withDescription("slow down"), trailers)
}

fun event(user: String = "00000000-0000-4000-8000-000000000001", content: String = "00000000-0000-4000-8000-000000000002", position: Int = 0): PlaybackEvent {
    val now = Instant.now()
    return PlaybackEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setUserId(user)
        .setContentId(content)
        .setOccurTime(Timestamp.newBuilder().setSeconds(now.epochSecond).setNanos(now.nano))
        .setPlayedSeconds(10)
        .setPositionSeconds(position)
        .setDevice(Device.DEVICE_MOBILE)
        .setQuality(VideoQuality.VIDEO_QUALITY_HD)
        .build()
}

/** assertThrows for suspending code. */
suspend inline fun <reified T : Throwable> assertThrowsSuspending(crossinline block: suspend () -> kotlin.Any?): T {
    val e = try {
        block()
        null
    } catch (t: Throwable) {
        t
    }
    if (e !is T) throw AssertionError("expected ${T::class.simpleName}, got $e", e)
    return e
}
