package com.streaming.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
 * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
 * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
 * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
 * themselves.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class PlaybackServiceGrpc {

  private PlaybackServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "streaming.v1.PlaybackService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.StartPlaybackRequest,
      com.streaming.v1.StartPlaybackResponse> getStartPlaybackMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "StartPlayback",
      requestType = com.streaming.v1.StartPlaybackRequest.class,
      responseType = com.streaming.v1.StartPlaybackResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.StartPlaybackRequest,
      com.streaming.v1.StartPlaybackResponse> getStartPlaybackMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.StartPlaybackRequest, com.streaming.v1.StartPlaybackResponse> getStartPlaybackMethod;
    if ((getStartPlaybackMethod = PlaybackServiceGrpc.getStartPlaybackMethod) == null) {
      synchronized (PlaybackServiceGrpc.class) {
        if ((getStartPlaybackMethod = PlaybackServiceGrpc.getStartPlaybackMethod) == null) {
          PlaybackServiceGrpc.getStartPlaybackMethod = getStartPlaybackMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.StartPlaybackRequest, com.streaming.v1.StartPlaybackResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "StartPlayback"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.StartPlaybackRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.StartPlaybackResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getStartPlaybackMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.RenewPlaybackRequest,
      com.streaming.v1.RenewPlaybackResponse> getRenewPlaybackMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RenewPlayback",
      requestType = com.streaming.v1.RenewPlaybackRequest.class,
      responseType = com.streaming.v1.RenewPlaybackResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.RenewPlaybackRequest,
      com.streaming.v1.RenewPlaybackResponse> getRenewPlaybackMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.RenewPlaybackRequest, com.streaming.v1.RenewPlaybackResponse> getRenewPlaybackMethod;
    if ((getRenewPlaybackMethod = PlaybackServiceGrpc.getRenewPlaybackMethod) == null) {
      synchronized (PlaybackServiceGrpc.class) {
        if ((getRenewPlaybackMethod = PlaybackServiceGrpc.getRenewPlaybackMethod) == null) {
          PlaybackServiceGrpc.getRenewPlaybackMethod = getRenewPlaybackMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.RenewPlaybackRequest, com.streaming.v1.RenewPlaybackResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RenewPlayback"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RenewPlaybackRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RenewPlaybackResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getRenewPlaybackMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.StopPlaybackRequest,
      com.streaming.v1.StopPlaybackResponse> getStopPlaybackMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "StopPlayback",
      requestType = com.streaming.v1.StopPlaybackRequest.class,
      responseType = com.streaming.v1.StopPlaybackResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.StopPlaybackRequest,
      com.streaming.v1.StopPlaybackResponse> getStopPlaybackMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.StopPlaybackRequest, com.streaming.v1.StopPlaybackResponse> getStopPlaybackMethod;
    if ((getStopPlaybackMethod = PlaybackServiceGrpc.getStopPlaybackMethod) == null) {
      synchronized (PlaybackServiceGrpc.class) {
        if ((getStopPlaybackMethod = PlaybackServiceGrpc.getStopPlaybackMethod) == null) {
          PlaybackServiceGrpc.getStopPlaybackMethod = getStopPlaybackMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.StopPlaybackRequest, com.streaming.v1.StopPlaybackResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "StopPlayback"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.StopPlaybackRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.StopPlaybackResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getStopPlaybackMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.ListPlaybacksRequest,
      com.streaming.v1.ListPlaybacksResponse> getListPlaybacksMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListPlaybacks",
      requestType = com.streaming.v1.ListPlaybacksRequest.class,
      responseType = com.streaming.v1.ListPlaybacksResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.ListPlaybacksRequest,
      com.streaming.v1.ListPlaybacksResponse> getListPlaybacksMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.ListPlaybacksRequest, com.streaming.v1.ListPlaybacksResponse> getListPlaybacksMethod;
    if ((getListPlaybacksMethod = PlaybackServiceGrpc.getListPlaybacksMethod) == null) {
      synchronized (PlaybackServiceGrpc.class) {
        if ((getListPlaybacksMethod = PlaybackServiceGrpc.getListPlaybacksMethod) == null) {
          PlaybackServiceGrpc.getListPlaybacksMethod = getListPlaybacksMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.ListPlaybacksRequest, com.streaming.v1.ListPlaybacksResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPlaybacks"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListPlaybacksRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListPlaybacksResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getListPlaybacksMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static PlaybackServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceStub>() {
        @java.lang.Override
        public PlaybackServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new PlaybackServiceStub(channel, callOptions);
        }
      };
    return PlaybackServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static PlaybackServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceBlockingV2Stub>() {
        @java.lang.Override
        public PlaybackServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new PlaybackServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return PlaybackServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static PlaybackServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceBlockingStub>() {
        @java.lang.Override
        public PlaybackServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new PlaybackServiceBlockingStub(channel, callOptions);
        }
      };
    return PlaybackServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static PlaybackServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<PlaybackServiceFutureStub>() {
        @java.lang.Override
        public PlaybackServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new PlaybackServiceFutureStub(channel, callOptions);
        }
      };
    return PlaybackServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
   * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
   * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
   * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
   * themselves.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Leases a stream slot for the device, or renews the device's lease (a device plays one title at a time: starting
     * again replaces its lease). Refused with FAILED_PRECONDITION without an active subscription, and with
     * RESOURCE_EXHAUSTED when every slot of the plan is leased to other devices (a QuotaFailure names each of them).
     * A quality above the plan's is capped to it: the lease says what was granted.
     * </pre>
     */
    default void startPlayback(com.streaming.v1.StartPlaybackRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.StartPlaybackResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getStartPlaybackMethod(), responseObserver);
    }

    /**
     * <pre>
     * Extends the device's lease. NOT_FOUND when it has expired or was stopped: the device starts again, which may be
     * refused if its slot was taken meanwhile.
     * </pre>
     */
    default void renewPlayback(com.streaming.v1.RenewPlaybackRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RenewPlaybackResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRenewPlaybackMethod(), responseObserver);
    }

    /**
     * <pre>
     * Gives the device's slot back. Stopping a lease that is gone is not an error.
     * </pre>
     */
    default void stopPlayback(com.streaming.v1.StopPlaybackRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.StopPlaybackResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getStopPlaybackMethod(), responseObserver);
    }

    /**
     * <pre>
     * The user's live leases, oldest first.
     * </pre>
     */
    default void listPlaybacks(com.streaming.v1.ListPlaybacksRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListPlaybacksResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPlaybacksMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service PlaybackService.
   * <pre>
   * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
   * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
   * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
   * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
   * themselves.
   * </pre>
   */
  public static abstract class PlaybackServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return PlaybackServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service PlaybackService.
   * <pre>
   * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
   * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
   * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
   * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
   * themselves.
   * </pre>
   */
  public static final class PlaybackServiceStub
      extends io.grpc.stub.AbstractAsyncStub<PlaybackServiceStub> {
    private PlaybackServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected PlaybackServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new PlaybackServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Leases a stream slot for the device, or renews the device's lease (a device plays one title at a time: starting
     * again replaces its lease). Refused with FAILED_PRECONDITION without an active subscription, and with
     * RESOURCE_EXHAUSTED when every slot of the plan is leased to other devices (a QuotaFailure names each of them).
     * A quality above the plan's is capped to it: the lease says what was granted.
     * </pre>
     */
    public void startPlayback(com.streaming.v1.StartPlaybackRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.StartPlaybackResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getStartPlaybackMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Extends the device's lease. NOT_FOUND when it has expired or was stopped: the device starts again, which may be
     * refused if its slot was taken meanwhile.
     * </pre>
     */
    public void renewPlayback(com.streaming.v1.RenewPlaybackRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RenewPlaybackResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRenewPlaybackMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Gives the device's slot back. Stopping a lease that is gone is not an error.
     * </pre>
     */
    public void stopPlayback(com.streaming.v1.StopPlaybackRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.StopPlaybackResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getStopPlaybackMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The user's live leases, oldest first.
     * </pre>
     */
    public void listPlaybacks(com.streaming.v1.ListPlaybacksRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListPlaybacksResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPlaybacksMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service PlaybackService.
   * <pre>
   * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
   * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
   * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
   * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
   * themselves.
   * </pre>
   */
  public static final class PlaybackServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<PlaybackServiceBlockingV2Stub> {
    private PlaybackServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected PlaybackServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new PlaybackServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Leases a stream slot for the device, or renews the device's lease (a device plays one title at a time: starting
     * again replaces its lease). Refused with FAILED_PRECONDITION without an active subscription, and with
     * RESOURCE_EXHAUSTED when every slot of the plan is leased to other devices (a QuotaFailure names each of them).
     * A quality above the plan's is capped to it: the lease says what was granted.
     * </pre>
     */
    public com.streaming.v1.StartPlaybackResponse startPlayback(com.streaming.v1.StartPlaybackRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getStartPlaybackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Extends the device's lease. NOT_FOUND when it has expired or was stopped: the device starts again, which may be
     * refused if its slot was taken meanwhile.
     * </pre>
     */
    public com.streaming.v1.RenewPlaybackResponse renewPlayback(com.streaming.v1.RenewPlaybackRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRenewPlaybackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Gives the device's slot back. Stopping a lease that is gone is not an error.
     * </pre>
     */
    public com.streaming.v1.StopPlaybackResponse stopPlayback(com.streaming.v1.StopPlaybackRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getStopPlaybackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's live leases, oldest first.
     * </pre>
     */
    public com.streaming.v1.ListPlaybacksResponse listPlaybacks(com.streaming.v1.ListPlaybacksRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListPlaybacksMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service PlaybackService.
   * <pre>
   * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
   * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
   * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
   * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
   * themselves.
   * </pre>
   */
  public static final class PlaybackServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<PlaybackServiceBlockingStub> {
    private PlaybackServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected PlaybackServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new PlaybackServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Leases a stream slot for the device, or renews the device's lease (a device plays one title at a time: starting
     * again replaces its lease). Refused with FAILED_PRECONDITION without an active subscription, and with
     * RESOURCE_EXHAUSTED when every slot of the plan is leased to other devices (a QuotaFailure names each of them).
     * A quality above the plan's is capped to it: the lease says what was granted.
     * </pre>
     */
    public com.streaming.v1.StartPlaybackResponse startPlayback(com.streaming.v1.StartPlaybackRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getStartPlaybackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Extends the device's lease. NOT_FOUND when it has expired or was stopped: the device starts again, which may be
     * refused if its slot was taken meanwhile.
     * </pre>
     */
    public com.streaming.v1.RenewPlaybackResponse renewPlayback(com.streaming.v1.RenewPlaybackRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRenewPlaybackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Gives the device's slot back. Stopping a lease that is gone is not an error.
     * </pre>
     */
    public com.streaming.v1.StopPlaybackResponse stopPlayback(com.streaming.v1.StopPlaybackRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getStopPlaybackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's live leases, oldest first.
     * </pre>
     */
    public com.streaming.v1.ListPlaybacksResponse listPlaybacks(com.streaming.v1.ListPlaybacksRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPlaybacksMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service PlaybackService.
   * <pre>
   * PlaybackService enforces what a subscription entitles to: a device leases a stream slot before it plays, renews
   * the lease while it plays, and gives it back when it stops. A user may hold as many leases at once as the plan of
   * their active subscription has streams (max_streams), at no better quality than the plan's max_quality. A lease
   * that is not renewed expires on its own, so a device that vanished frees its slot. Users may lease only for
   * themselves.
   * </pre>
   */
  public static final class PlaybackServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<PlaybackServiceFutureStub> {
    private PlaybackServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected PlaybackServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new PlaybackServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Leases a stream slot for the device, or renews the device's lease (a device plays one title at a time: starting
     * again replaces its lease). Refused with FAILED_PRECONDITION without an active subscription, and with
     * RESOURCE_EXHAUSTED when every slot of the plan is leased to other devices (a QuotaFailure names each of them).
     * A quality above the plan's is capped to it: the lease says what was granted.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.StartPlaybackResponse> startPlayback(
        com.streaming.v1.StartPlaybackRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getStartPlaybackMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Extends the device's lease. NOT_FOUND when it has expired or was stopped: the device starts again, which may be
     * refused if its slot was taken meanwhile.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.RenewPlaybackResponse> renewPlayback(
        com.streaming.v1.RenewPlaybackRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRenewPlaybackMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Gives the device's slot back. Stopping a lease that is gone is not an error.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.StopPlaybackResponse> stopPlayback(
        com.streaming.v1.StopPlaybackRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getStopPlaybackMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The user's live leases, oldest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.ListPlaybacksResponse> listPlaybacks(
        com.streaming.v1.ListPlaybacksRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPlaybacksMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_START_PLAYBACK = 0;
  private static final int METHODID_RENEW_PLAYBACK = 1;
  private static final int METHODID_STOP_PLAYBACK = 2;
  private static final int METHODID_LIST_PLAYBACKS = 3;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_START_PLAYBACK:
          serviceImpl.startPlayback((com.streaming.v1.StartPlaybackRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.StartPlaybackResponse>) responseObserver);
          break;
        case METHODID_RENEW_PLAYBACK:
          serviceImpl.renewPlayback((com.streaming.v1.RenewPlaybackRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.RenewPlaybackResponse>) responseObserver);
          break;
        case METHODID_STOP_PLAYBACK:
          serviceImpl.stopPlayback((com.streaming.v1.StopPlaybackRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.StopPlaybackResponse>) responseObserver);
          break;
        case METHODID_LIST_PLAYBACKS:
          serviceImpl.listPlaybacks((com.streaming.v1.ListPlaybacksRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.ListPlaybacksResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getStartPlaybackMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.StartPlaybackRequest,
              com.streaming.v1.StartPlaybackResponse>(
                service, METHODID_START_PLAYBACK)))
        .addMethod(
          getRenewPlaybackMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.RenewPlaybackRequest,
              com.streaming.v1.RenewPlaybackResponse>(
                service, METHODID_RENEW_PLAYBACK)))
        .addMethod(
          getStopPlaybackMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.StopPlaybackRequest,
              com.streaming.v1.StopPlaybackResponse>(
                service, METHODID_STOP_PLAYBACK)))
        .addMethod(
          getListPlaybacksMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.ListPlaybacksRequest,
              com.streaming.v1.ListPlaybacksResponse>(
                service, METHODID_LIST_PLAYBACKS)))
        .build();
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (PlaybackServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .addMethod(getStartPlaybackMethod())
              .addMethod(getRenewPlaybackMethod())
              .addMethod(getStopPlaybackMethod())
              .addMethod(getListPlaybacksMethod())
              .build();
        }
      }
    }
    return result;
  }
}
