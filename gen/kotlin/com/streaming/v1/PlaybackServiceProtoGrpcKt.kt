package com.streaming.v1

import com.streaming.v1.PlaybackServiceGrpc.getServiceDescriptor
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
import io.grpc.kotlin.ClientCalls.unaryRpc
import io.grpc.kotlin.ServerCalls.unaryServerMethodDefinition
import io.grpc.kotlin.StubFor
import kotlin.String
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.jvm.JvmOverloads
import kotlin.jvm.JvmStatic

/**
 * Holder for Kotlin coroutine-based client and server APIs for streaming.v1.PlaybackService.
 */
public object PlaybackServiceGrpcKt {
  public const val SERVICE_NAME: String = PlaybackServiceGrpc.SERVICE_NAME

  @JvmStatic
  public val serviceDescriptor: ServiceDescriptor
    get() = getServiceDescriptor()

  public val startPlaybackMethod: MethodDescriptor<StartPlaybackRequest, StartPlaybackResponse>
    @JvmStatic
    get() = PlaybackServiceGrpc.getStartPlaybackMethod()

  public val renewPlaybackMethod: MethodDescriptor<RenewPlaybackRequest, RenewPlaybackResponse>
    @JvmStatic
    get() = PlaybackServiceGrpc.getRenewPlaybackMethod()

  public val stopPlaybackMethod: MethodDescriptor<StopPlaybackRequest, StopPlaybackResponse>
    @JvmStatic
    get() = PlaybackServiceGrpc.getStopPlaybackMethod()

  public val listPlaybacksMethod: MethodDescriptor<ListPlaybacksRequest, ListPlaybacksResponse>
    @JvmStatic
    get() = PlaybackServiceGrpc.getListPlaybacksMethod()

  /**
   * A stub for issuing RPCs to a(n) streaming.v1.PlaybackService service as suspending coroutines.
   */
  @StubFor(PlaybackServiceGrpc::class)
  public class PlaybackServiceCoroutineStub @JvmOverloads constructor(
    channel: Channel,
    callOptions: CallOptions = DEFAULT,
  ) : AbstractCoroutineStub<PlaybackServiceCoroutineStub>(channel, callOptions) {
    override fun build(channel: Channel, callOptions: CallOptions): PlaybackServiceCoroutineStub = PlaybackServiceCoroutineStub(channel, callOptions)

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
    public suspend fun startPlayback(request: StartPlaybackRequest, headers: Metadata = Metadata()): StartPlaybackResponse = unaryRpc(
      channel,
      PlaybackServiceGrpc.getStartPlaybackMethod(),
      request,
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
    public suspend fun renewPlayback(request: RenewPlaybackRequest, headers: Metadata = Metadata()): RenewPlaybackResponse = unaryRpc(
      channel,
      PlaybackServiceGrpc.getRenewPlaybackMethod(),
      request,
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
    public suspend fun stopPlayback(request: StopPlaybackRequest, headers: Metadata = Metadata()): StopPlaybackResponse = unaryRpc(
      channel,
      PlaybackServiceGrpc.getStopPlaybackMethod(),
      request,
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
    public suspend fun listPlaybacks(request: ListPlaybacksRequest, headers: Metadata = Metadata()): ListPlaybacksResponse = unaryRpc(
      channel,
      PlaybackServiceGrpc.getListPlaybacksMethod(),
      request,
      callOptions,
      headers
    )
  }

  /**
   * Skeletal implementation of the streaming.v1.PlaybackService service based on Kotlin coroutines.
   */
  public abstract class PlaybackServiceCoroutineImplBase(
    coroutineContext: CoroutineContext = EmptyCoroutineContext,
  ) : AbstractCoroutineServerImpl(coroutineContext) {
    /**
     * Returns the response to an RPC for streaming.v1.PlaybackService.StartPlayback.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun startPlayback(request: StartPlaybackRequest): StartPlaybackResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.PlaybackService.StartPlayback is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.PlaybackService.RenewPlayback.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun renewPlayback(request: RenewPlaybackRequest): RenewPlaybackResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.PlaybackService.RenewPlayback is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.PlaybackService.StopPlayback.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun stopPlayback(request: StopPlaybackRequest): StopPlaybackResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.PlaybackService.StopPlayback is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.PlaybackService.ListPlaybacks.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun listPlaybacks(request: ListPlaybacksRequest): ListPlaybacksResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.PlaybackService.ListPlaybacks is unimplemented"))

    final override fun bindService(): ServerServiceDefinition = builder(getServiceDescriptor())
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = PlaybackServiceGrpc.getStartPlaybackMethod(),
      implementation = ::startPlayback
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = PlaybackServiceGrpc.getRenewPlaybackMethod(),
      implementation = ::renewPlayback
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = PlaybackServiceGrpc.getStopPlaybackMethod(),
      implementation = ::stopPlayback
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = PlaybackServiceGrpc.getListPlaybacksMethod(),
      implementation = ::listPlaybacks
    )).build()
  }
}
