package com.streaming.client

import com.google.protobuf.Any
import com.google.protobuf.CodedInputStream
import com.google.protobuf.Duration
import com.google.protobuf.InvalidProtocolBufferException
import io.grpc.Metadata
import io.grpc.Status
import io.grpc.StatusException
import io.grpc.StatusRuntimeException

/**
 * The rich error details a server sent with a status (the `grpc-status-details-bin` trailer, a serialized
 * `google.rpc.Status`), as far as this library uses them.
 *
 * Why decoded here: the `google.rpc` messages ship in Maven Central only as full-runtime protobuf
 * (`proto-google-common-protos`), which does not mix with protobuf lite, and `buf generate` only generates our own
 * contracts. `google.rpc.Status` (code 1, message 2, details 3) and `google.rpc.RetryInfo` (retry_delay 1) are stable
 * and tiny, so their wire form is read with the lite runtime's [CodedInputStream]; the `Any` and `Duration` inside
 * are the lite well-known types of protobuf-javalite.
 */
class StatusDetails internal constructor(
    /** `google.rpc.Status.code` (0 when the trailer is missing). */
    val code: Int,
    /** `google.rpc.Status.message`. */
    val message: String,
    /** Every detail, packed as `Any` (type URL and bytes). */
    val details: List<Any>,
) {
    /** The wait the server asked for before trying again (`google.rpc.RetryInfo`), or null when it sent none. */
    val retryDelay: java.time.Duration? by lazy {
        details.firstOrNull { it.typeUrl.endsWith("/$RETRY_INFO") }?.let { parseRetryInfo(it.value.toByteArray()) }
    }

    /** The type names of the details, e.g. `google.rpc.BadRequest` (for messages and logs). */
    val typeNames: List<String> get() = details.map { it.typeUrl.substringAfterLast('/') }

    companion object {
        private const val RETRY_INFO = "google.rpc.RetryInfo"

        /** The trailer that carries a serialized `google.rpc.Status`. */
        val KEY: Metadata.Key<ByteArray> = Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER)

        /** The details in [trailers], or null when there are none or they do not parse. */
        fun from(trailers: Metadata?): StatusDetails? {
            val bytes = trailers?.get(KEY) ?: return null
            return try {
                parseStatus(bytes)
            } catch (e: InvalidProtocolBufferException) {
                null
            }
        }

        /** The details a failed call's exception carries ([StatusException] or [StatusRuntimeException]). */
        fun from(t: Throwable): StatusDetails? = from(Status.trailersFromThrowable(t))

        private fun parseStatus(bytes: ByteArray): StatusDetails {
            val input = CodedInputStream.newInstance(bytes)
            var code = 0
            var message = ""
            val details = mutableListOf<Any>()
            while (true) {
                val tag = input.readTag()
                when {
                    tag == 0 -> break
                    tag == (1 shl 3) -> code = input.readInt32()
                    tag == (2 shl 3 or 2) -> message = input.readStringRequireUtf8()
                    tag == (3 shl 3 or 2) -> details += Any.parseFrom(input.readBytes())
                    !input.skipField(tag) -> break
                }
            }
            return StatusDetails(code, message, details)
        }

        private fun parseRetryInfo(bytes: ByteArray): java.time.Duration? {
            val input = CodedInputStream.newInstance(bytes)
            var delay: java.time.Duration? = null
            try {
                while (true) {
                    val tag = input.readTag()
                    when {
                        tag == 0 -> break
                        tag == (1 shl 3 or 2) -> {
                            val d = Duration.parseFrom(input.readBytes())
                            delay = java.time.Duration.ofSeconds(d.seconds, d.nanos.toLong())
                        }
                        !input.skipField(tag) -> break
                    }
                }
            } catch (e: InvalidProtocolBufferException) {
                return null
            }
            return delay?.takeIf { !it.isNegative }
        }
    }
}

/** The wait the server asked for in this failure's RetryInfo, if any. */
val Throwable.retryDelay: java.time.Duration? get() = StatusDetails.from(this)?.retryDelay

/** The gRPC status of a failed call (UNKNOWN for anything that is not a gRPC failure). */
val Throwable.grpcStatus: Status get() = Status.fromThrowable(this)
