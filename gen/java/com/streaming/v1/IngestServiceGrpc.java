package com.streaming.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
 * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
 * A user may send events only for themselves; the service role may send for anyone.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class IngestServiceGrpc {

  private IngestServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "streaming.v1.IngestService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.IngestPlaybackEventsRequest,
      com.streaming.v1.IngestPlaybackEventsResponse> getIngestPlaybackEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "IngestPlaybackEvents",
      requestType = com.streaming.v1.IngestPlaybackEventsRequest.class,
      responseType = com.streaming.v1.IngestPlaybackEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
  public static io.grpc.MethodDescriptor<com.streaming.v1.IngestPlaybackEventsRequest,
      com.streaming.v1.IngestPlaybackEventsResponse> getIngestPlaybackEventsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.IngestPlaybackEventsRequest, com.streaming.v1.IngestPlaybackEventsResponse> getIngestPlaybackEventsMethod;
    if ((getIngestPlaybackEventsMethod = IngestServiceGrpc.getIngestPlaybackEventsMethod) == null) {
      synchronized (IngestServiceGrpc.class) {
        if ((getIngestPlaybackEventsMethod = IngestServiceGrpc.getIngestPlaybackEventsMethod) == null) {
          IngestServiceGrpc.getIngestPlaybackEventsMethod = getIngestPlaybackEventsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.IngestPlaybackEventsRequest, com.streaming.v1.IngestPlaybackEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "IngestPlaybackEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.IngestPlaybackEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.IngestPlaybackEventsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getIngestPlaybackEventsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.RecordPlaybackEventsRequest,
      com.streaming.v1.RecordPlaybackEventsResponse> getRecordPlaybackEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RecordPlaybackEvents",
      requestType = com.streaming.v1.RecordPlaybackEventsRequest.class,
      responseType = com.streaming.v1.RecordPlaybackEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.RecordPlaybackEventsRequest,
      com.streaming.v1.RecordPlaybackEventsResponse> getRecordPlaybackEventsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.RecordPlaybackEventsRequest, com.streaming.v1.RecordPlaybackEventsResponse> getRecordPlaybackEventsMethod;
    if ((getRecordPlaybackEventsMethod = IngestServiceGrpc.getRecordPlaybackEventsMethod) == null) {
      synchronized (IngestServiceGrpc.class) {
        if ((getRecordPlaybackEventsMethod = IngestServiceGrpc.getRecordPlaybackEventsMethod) == null) {
          IngestServiceGrpc.getRecordPlaybackEventsMethod = getRecordPlaybackEventsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.RecordPlaybackEventsRequest, com.streaming.v1.RecordPlaybackEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RecordPlaybackEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RecordPlaybackEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RecordPlaybackEventsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getRecordPlaybackEventsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static IngestServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<IngestServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<IngestServiceStub>() {
        @java.lang.Override
        public IngestServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new IngestServiceStub(channel, callOptions);
        }
      };
    return IngestServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static IngestServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<IngestServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<IngestServiceBlockingV2Stub>() {
        @java.lang.Override
        public IngestServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new IngestServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return IngestServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static IngestServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<IngestServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<IngestServiceBlockingStub>() {
        @java.lang.Override
        public IngestServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new IngestServiceBlockingStub(channel, callOptions);
        }
      };
    return IngestServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static IngestServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<IngestServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<IngestServiceFutureStub>() {
        @java.lang.Override
        public IngestServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new IngestServiceFutureStub(channel, callOptions);
        }
      };
    return IngestServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
   * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
   * A user may send events only for themselves; the service role may send for anyone.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Client streaming: each message carries a batch of events; the single response sums up the whole stream.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<com.streaming.v1.IngestPlaybackEventsRequest> ingestPlaybackEvents(
        io.grpc.stub.StreamObserver<com.streaming.v1.IngestPlaybackEventsResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getIngestPlaybackEventsMethod(), responseObserver);
    }

    /**
     * <pre>
     * The same for one batch, for REST callers (grpc-gateway cannot carry client streams).
     * </pre>
     */
    default void recordPlaybackEvents(com.streaming.v1.RecordPlaybackEventsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RecordPlaybackEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRecordPlaybackEventsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service IngestService.
   * <pre>
   * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
   * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
   * A user may send events only for themselves; the service role may send for anyone.
   * </pre>
   */
  public static abstract class IngestServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return IngestServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service IngestService.
   * <pre>
   * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
   * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
   * A user may send events only for themselves; the service role may send for anyone.
   * </pre>
   */
  public static final class IngestServiceStub
      extends io.grpc.stub.AbstractAsyncStub<IngestServiceStub> {
    private IngestServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected IngestServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new IngestServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Client streaming: each message carries a batch of events; the single response sums up the whole stream.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<com.streaming.v1.IngestPlaybackEventsRequest> ingestPlaybackEvents(
        io.grpc.stub.StreamObserver<com.streaming.v1.IngestPlaybackEventsResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncClientStreamingCall(
          getChannel().newCall(getIngestPlaybackEventsMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * The same for one batch, for REST callers (grpc-gateway cannot carry client streams).
     * </pre>
     */
    public void recordPlaybackEvents(com.streaming.v1.RecordPlaybackEventsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RecordPlaybackEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRecordPlaybackEventsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service IngestService.
   * <pre>
   * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
   * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
   * A user may send events only for themselves; the service role may send for anyone.
   * </pre>
   */
  public static final class IngestServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<IngestServiceBlockingV2Stub> {
    private IngestServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected IngestServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new IngestServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Client streaming: each message carries a batch of events; the single response sums up the whole stream.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<com.streaming.v1.IngestPlaybackEventsRequest, com.streaming.v1.IngestPlaybackEventsResponse>
        ingestPlaybackEvents() {
      return io.grpc.stub.ClientCalls.blockingClientStreamingCall(
          getChannel(), getIngestPlaybackEventsMethod(), getCallOptions());
    }

    /**
     * <pre>
     * The same for one batch, for REST callers (grpc-gateway cannot carry client streams).
     * </pre>
     */
    public com.streaming.v1.RecordPlaybackEventsResponse recordPlaybackEvents(com.streaming.v1.RecordPlaybackEventsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRecordPlaybackEventsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service IngestService.
   * <pre>
   * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
   * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
   * A user may send events only for themselves; the service role may send for anyone.
   * </pre>
   */
  public static final class IngestServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<IngestServiceBlockingStub> {
    private IngestServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected IngestServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new IngestServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * The same for one batch, for REST callers (grpc-gateway cannot carry client streams).
     * </pre>
     */
    public com.streaming.v1.RecordPlaybackEventsResponse recordPlaybackEvents(com.streaming.v1.RecordPlaybackEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRecordPlaybackEventsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service IngestService.
   * <pre>
   * IngestService takes playback events into Cassandra. An event counts as accepted only once Cassandra confirmed its
   * write. Each event is validated on its own: a bad event is rejected with its index and reason, the others go on.
   * A user may send events only for themselves; the service role may send for anyone.
   * </pre>
   */
  public static final class IngestServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<IngestServiceFutureStub> {
    private IngestServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected IngestServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new IngestServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * The same for one batch, for REST callers (grpc-gateway cannot carry client streams).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.RecordPlaybackEventsResponse> recordPlaybackEvents(
        com.streaming.v1.RecordPlaybackEventsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRecordPlaybackEventsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_RECORD_PLAYBACK_EVENTS = 0;
  private static final int METHODID_INGEST_PLAYBACK_EVENTS = 1;

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
        case METHODID_RECORD_PLAYBACK_EVENTS:
          serviceImpl.recordPlaybackEvents((com.streaming.v1.RecordPlaybackEventsRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.RecordPlaybackEventsResponse>) responseObserver);
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
        case METHODID_INGEST_PLAYBACK_EVENTS:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.ingestPlaybackEvents(
              (io.grpc.stub.StreamObserver<com.streaming.v1.IngestPlaybackEventsResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getIngestPlaybackEventsMethod(),
          io.grpc.stub.ServerCalls.asyncClientStreamingCall(
            new MethodHandlers<
              com.streaming.v1.IngestPlaybackEventsRequest,
              com.streaming.v1.IngestPlaybackEventsResponse>(
                service, METHODID_INGEST_PLAYBACK_EVENTS)))
        .addMethod(
          getRecordPlaybackEventsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.RecordPlaybackEventsRequest,
              com.streaming.v1.RecordPlaybackEventsResponse>(
                service, METHODID_RECORD_PLAYBACK_EVENTS)))
        .build();
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (IngestServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .addMethod(getIngestPlaybackEventsMethod())
              .addMethod(getRecordPlaybackEventsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
