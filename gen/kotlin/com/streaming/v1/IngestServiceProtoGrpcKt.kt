package com.streaming.v1

import com.streaming.v1.IngestServiceGrpc.getServiceDescriptor
import io.grpc.CallOptions
import io.grpc.CallOptions.DEFAULT
import io.grpc.Channel
import io.grpc.Metadata
import io.grpc.MethodDescriptor
import io.grpc.ServerServiceDefinition
import io.grpc.ServerServiceDefinition.builder
import io.grpc.ServiceDescriptor
import io.grpc.Status.UNIMPLEMENTED
import io.grpc.StatusException
import io.grpc.kotlin.AbstractCoroutineServerImpl
import io.grpc.kotlin.AbstractCoroutineStub
import io.grpc.kotlin.ClientCalls.clientStreamingRpc
import io.grpc.kotlin.ClientCalls.unaryRpc
import io.grpc.kotlin.ServerCalls.clientStreamingServerMethodDefinition
import io.grpc.kotlin.ServerCalls.unaryServerMethodDefinition
import io.grpc.kotlin.StubFor
import kotlin.String
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.jvm.JvmOverloads
import kotlin.jvm.JvmStatic
import kotlinx.coroutines.flow.Flow

/**
 * Holder for Kotlin coroutine-based client and server APIs for streaming.v1.IngestService.
 */
public object IngestServiceGrpcKt {
  public const val SERVICE_NAME: String = IngestServiceGrpc.SERVICE_NAME

  @JvmStatic
  public val serviceDescriptor: ServiceDescriptor
    get() = getServiceDescriptor()

  public val ingestPlaybackEventsMethod:
      MethodDescriptor<IngestPlaybackEventsRequest, IngestPlaybackEventsResponse>
    @JvmStatic
    get() = IngestServiceGrpc.getIngestPlaybackEventsMethod()

  public val recordPlaybackEventsMethod:
      MethodDescriptor<RecordPlaybackEventsRequest, RecordPlaybackEventsResponse>
    @JvmStatic
    get() = IngestServiceGrpc.getRecordPlaybackEventsMethod()

  /**
   * A stub for issuing RPCs to a(n) streaming.v1.IngestService service as suspending coroutines.
   */
  @StubFor(IngestServiceGrpc::class)
  public class IngestServiceCoroutineStub @JvmOverloads constructor(
    channel: Channel,
    callOptions: CallOptions = DEFAULT,
  ) : AbstractCoroutineStub<IngestServiceCoroutineStub>(channel, callOptions) {
    override fun build(channel: Channel, callOptions: CallOptions): IngestServiceCoroutineStub = IngestServiceCoroutineStub(channel, callOptions)

    /**
     * Executes this RPC and returns the response message, suspending until the RPC completes
     * with [`Status.OK`][io.grpc.Status].  If the RPC completes with another status, a corresponding
     * [StatusException] is thrown.  If this coroutine is cancelled, the RPC is also cancelled
     * with the corresponding exception as a cause.
     *
     * This function collects the [Flow] of requests.  If the server terminates the RPC
     * for any reason before collection of requests is complete, the collection of requests
     * will be cancelled.  If the collection of requests completes exceptionally for any other
     * reason, the RPC will be cancelled for that reason and this method will throw that
     * exception.
     *
     * @param requests A [Flow] of request messages.
     *
     * @param headers Metadata to attach to the request.  Most users will not need this.
     *
     * @return The single response from the server.
     */
    public suspend fun ingestPlaybackEvents(requests: Flow<IngestPlaybackEventsRequest>, headers: Metadata = Metadata()): IngestPlaybackEventsResponse = clientStreamingRpc(
      channel,
      IngestServiceGrpc.getIngestPlaybackEventsMethod(),
      requests,
      callOptions,
      headers
    )

    /**
     * Executes this RPC and returns the response message, suspending until the RPC completes
     * with [`Status.OK`][io.grpc.Status].  If the RPC completes with another status, a corresponding
     * [StatusException] is thrown.  If this coroutine is cancelled, the RPC is also cancelled
     * with the corresponding exception as a cause.
     *
     * @param request The request message to send to the server.
     *
     * @param headers Metadata to attach to the request.  Most users will not need this.
     *
     * @return The single response from the server.
     */
    public suspend fun recordPlaybackEvents(request: RecordPlaybackEventsRequest, headers: Metadata = Metadata()): RecordPlaybackEventsResponse = unaryRpc(
      channel,
      IngestServiceGrpc.getRecordPlaybackEventsMethod(),
      request,
      callOptions,
      headers
    )
  }

  /**
   * Skeletal implementation of the streaming.v1.IngestService service based on Kotlin coroutines.
   */
  public abstract class IngestServiceCoroutineImplBase(
    coroutineContext: CoroutineContext = EmptyCoroutineContext,
  ) : AbstractCoroutineServerImpl(coroutineContext) {
    /**
     * Returns the response to an RPC for streaming.v1.IngestService.IngestPlaybackEvents.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param requests A [Flow] of requests from the client.  This flow can be
     *        collected only once and throws [java.lang.IllegalStateException] on attempts to collect
     *        it more than once.
     */
    public open suspend fun ingestPlaybackEvents(requests: Flow<IngestPlaybackEventsRequest>): IngestPlaybackEventsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.IngestService.IngestPlaybackEvents is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.IngestService.RecordPlaybackEvents.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun recordPlaybackEvents(request: RecordPlaybackEventsRequest): RecordPlaybackEventsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.IngestService.RecordPlaybackEvents is unimplemented"))

    final override fun bindService(): ServerServiceDefinition = builder(getServiceDescriptor())
      .addMethod(clientStreamingServerMethodDefinition(
      context = this.context,
      descriptor = IngestServiceGrpc.getIngestPlaybackEventsMethod(),
      implementation = ::ingestPlaybackEvents
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = IngestServiceGrpc.getRecordPlaybackEventsMethod(),
      implementation = ::recordPlaybackEvents
    )).build()
  }
}
