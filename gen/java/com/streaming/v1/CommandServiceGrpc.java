package com.streaming.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
 * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
 * operator's admin or service credential.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class CommandServiceGrpc {

  private CommandServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "streaming.v1.CommandService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.RegisterUserRequest,
      com.streaming.v1.RegisterUserResponse> getRegisterUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterUser",
      requestType = com.streaming.v1.RegisterUserRequest.class,
      responseType = com.streaming.v1.RegisterUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.RegisterUserRequest,
      com.streaming.v1.RegisterUserResponse> getRegisterUserMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.RegisterUserRequest, com.streaming.v1.RegisterUserResponse> getRegisterUserMethod;
    if ((getRegisterUserMethod = CommandServiceGrpc.getRegisterUserMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getRegisterUserMethod = CommandServiceGrpc.getRegisterUserMethod) == null) {
          CommandServiceGrpc.getRegisterUserMethod = getRegisterUserMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.RegisterUserRequest, com.streaming.v1.RegisterUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RegisterUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RegisterUserResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getRegisterUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.LoginRequest,
      com.streaming.v1.LoginResponse> getLoginMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Login",
      requestType = com.streaming.v1.LoginRequest.class,
      responseType = com.streaming.v1.LoginResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.LoginRequest,
      com.streaming.v1.LoginResponse> getLoginMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.LoginRequest, com.streaming.v1.LoginResponse> getLoginMethod;
    if ((getLoginMethod = CommandServiceGrpc.getLoginMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getLoginMethod = CommandServiceGrpc.getLoginMethod) == null) {
          CommandServiceGrpc.getLoginMethod = getLoginMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.LoginRequest, com.streaming.v1.LoginResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Login"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.LoginRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.LoginResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getLoginMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.LogoutRequest,
      com.streaming.v1.LogoutResponse> getLogoutMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Logout",
      requestType = com.streaming.v1.LogoutRequest.class,
      responseType = com.streaming.v1.LogoutResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.LogoutRequest,
      com.streaming.v1.LogoutResponse> getLogoutMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.LogoutRequest, com.streaming.v1.LogoutResponse> getLogoutMethod;
    if ((getLogoutMethod = CommandServiceGrpc.getLogoutMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getLogoutMethod = CommandServiceGrpc.getLogoutMethod) == null) {
          CommandServiceGrpc.getLogoutMethod = getLogoutMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.LogoutRequest, com.streaming.v1.LogoutResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Logout"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.LogoutRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.LogoutResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getLogoutMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.LogoutAllRequest,
      com.streaming.v1.LogoutAllResponse> getLogoutAllMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "LogoutAll",
      requestType = com.streaming.v1.LogoutAllRequest.class,
      responseType = com.streaming.v1.LogoutAllResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.LogoutAllRequest,
      com.streaming.v1.LogoutAllResponse> getLogoutAllMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.LogoutAllRequest, com.streaming.v1.LogoutAllResponse> getLogoutAllMethod;
    if ((getLogoutAllMethod = CommandServiceGrpc.getLogoutAllMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getLogoutAllMethod = CommandServiceGrpc.getLogoutAllMethod) == null) {
          CommandServiceGrpc.getLogoutAllMethod = getLogoutAllMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.LogoutAllRequest, com.streaming.v1.LogoutAllResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "LogoutAll"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.LogoutAllRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.LogoutAllResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getLogoutAllMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.CreatePlanRequest,
      com.streaming.v1.CreatePlanResponse> getCreatePlanMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreatePlan",
      requestType = com.streaming.v1.CreatePlanRequest.class,
      responseType = com.streaming.v1.CreatePlanResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.CreatePlanRequest,
      com.streaming.v1.CreatePlanResponse> getCreatePlanMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.CreatePlanRequest, com.streaming.v1.CreatePlanResponse> getCreatePlanMethod;
    if ((getCreatePlanMethod = CommandServiceGrpc.getCreatePlanMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getCreatePlanMethod = CommandServiceGrpc.getCreatePlanMethod) == null) {
          CommandServiceGrpc.getCreatePlanMethod = getCreatePlanMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.CreatePlanRequest, com.streaming.v1.CreatePlanResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreatePlan"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.CreatePlanRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.CreatePlanResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getCreatePlanMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.UpdatePlanRequest,
      com.streaming.v1.UpdatePlanResponse> getUpdatePlanMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdatePlan",
      requestType = com.streaming.v1.UpdatePlanRequest.class,
      responseType = com.streaming.v1.UpdatePlanResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.UpdatePlanRequest,
      com.streaming.v1.UpdatePlanResponse> getUpdatePlanMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.UpdatePlanRequest, com.streaming.v1.UpdatePlanResponse> getUpdatePlanMethod;
    if ((getUpdatePlanMethod = CommandServiceGrpc.getUpdatePlanMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getUpdatePlanMethod = CommandServiceGrpc.getUpdatePlanMethod) == null) {
          CommandServiceGrpc.getUpdatePlanMethod = getUpdatePlanMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.UpdatePlanRequest, com.streaming.v1.UpdatePlanResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdatePlan"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.UpdatePlanRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.UpdatePlanResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getUpdatePlanMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.CreateSubscriptionRequest,
      com.streaming.v1.CreateSubscriptionResponse> getCreateSubscriptionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateSubscription",
      requestType = com.streaming.v1.CreateSubscriptionRequest.class,
      responseType = com.streaming.v1.CreateSubscriptionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.CreateSubscriptionRequest,
      com.streaming.v1.CreateSubscriptionResponse> getCreateSubscriptionMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.CreateSubscriptionRequest, com.streaming.v1.CreateSubscriptionResponse> getCreateSubscriptionMethod;
    if ((getCreateSubscriptionMethod = CommandServiceGrpc.getCreateSubscriptionMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getCreateSubscriptionMethod = CommandServiceGrpc.getCreateSubscriptionMethod) == null) {
          CommandServiceGrpc.getCreateSubscriptionMethod = getCreateSubscriptionMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.CreateSubscriptionRequest, com.streaming.v1.CreateSubscriptionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateSubscription"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.CreateSubscriptionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.CreateSubscriptionResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getCreateSubscriptionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.CancelSubscriptionRequest,
      com.streaming.v1.CancelSubscriptionResponse> getCancelSubscriptionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CancelSubscription",
      requestType = com.streaming.v1.CancelSubscriptionRequest.class,
      responseType = com.streaming.v1.CancelSubscriptionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.CancelSubscriptionRequest,
      com.streaming.v1.CancelSubscriptionResponse> getCancelSubscriptionMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.CancelSubscriptionRequest, com.streaming.v1.CancelSubscriptionResponse> getCancelSubscriptionMethod;
    if ((getCancelSubscriptionMethod = CommandServiceGrpc.getCancelSubscriptionMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getCancelSubscriptionMethod = CommandServiceGrpc.getCancelSubscriptionMethod) == null) {
          CommandServiceGrpc.getCancelSubscriptionMethod = getCancelSubscriptionMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.CancelSubscriptionRequest, com.streaming.v1.CancelSubscriptionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CancelSubscription"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.CancelSubscriptionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.CancelSubscriptionResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getCancelSubscriptionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.ChangeSubscriptionPlanRequest,
      com.streaming.v1.ChangeSubscriptionPlanResponse> getChangeSubscriptionPlanMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ChangeSubscriptionPlan",
      requestType = com.streaming.v1.ChangeSubscriptionPlanRequest.class,
      responseType = com.streaming.v1.ChangeSubscriptionPlanResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.ChangeSubscriptionPlanRequest,
      com.streaming.v1.ChangeSubscriptionPlanResponse> getChangeSubscriptionPlanMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.ChangeSubscriptionPlanRequest, com.streaming.v1.ChangeSubscriptionPlanResponse> getChangeSubscriptionPlanMethod;
    if ((getChangeSubscriptionPlanMethod = CommandServiceGrpc.getChangeSubscriptionPlanMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getChangeSubscriptionPlanMethod = CommandServiceGrpc.getChangeSubscriptionPlanMethod) == null) {
          CommandServiceGrpc.getChangeSubscriptionPlanMethod = getChangeSubscriptionPlanMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.ChangeSubscriptionPlanRequest, com.streaming.v1.ChangeSubscriptionPlanResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ChangeSubscriptionPlan"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ChangeSubscriptionPlanRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ChangeSubscriptionPlanResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getChangeSubscriptionPlanMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.UpdatePaymentMethodRequest,
      com.streaming.v1.UpdatePaymentMethodResponse> getUpdatePaymentMethodMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdatePaymentMethod",
      requestType = com.streaming.v1.UpdatePaymentMethodRequest.class,
      responseType = com.streaming.v1.UpdatePaymentMethodResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.UpdatePaymentMethodRequest,
      com.streaming.v1.UpdatePaymentMethodResponse> getUpdatePaymentMethodMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.UpdatePaymentMethodRequest, com.streaming.v1.UpdatePaymentMethodResponse> getUpdatePaymentMethodMethod;
    if ((getUpdatePaymentMethodMethod = CommandServiceGrpc.getUpdatePaymentMethodMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getUpdatePaymentMethodMethod = CommandServiceGrpc.getUpdatePaymentMethodMethod) == null) {
          CommandServiceGrpc.getUpdatePaymentMethodMethod = getUpdatePaymentMethodMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.UpdatePaymentMethodRequest, com.streaming.v1.UpdatePaymentMethodResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdatePaymentMethod"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.UpdatePaymentMethodRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.UpdatePaymentMethodResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getUpdatePaymentMethodMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.UpsertContentRequest,
      com.streaming.v1.UpsertContentResponse> getUpsertContentMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpsertContent",
      requestType = com.streaming.v1.UpsertContentRequest.class,
      responseType = com.streaming.v1.UpsertContentResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.UpsertContentRequest,
      com.streaming.v1.UpsertContentResponse> getUpsertContentMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.UpsertContentRequest, com.streaming.v1.UpsertContentResponse> getUpsertContentMethod;
    if ((getUpsertContentMethod = CommandServiceGrpc.getUpsertContentMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getUpsertContentMethod = CommandServiceGrpc.getUpsertContentMethod) == null) {
          CommandServiceGrpc.getUpsertContentMethod = getUpsertContentMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.UpsertContentRequest, com.streaming.v1.UpsertContentResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpsertContent"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.UpsertContentRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.UpsertContentResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getUpsertContentMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.RateContentRequest,
      com.streaming.v1.RateContentResponse> getRateContentMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RateContent",
      requestType = com.streaming.v1.RateContentRequest.class,
      responseType = com.streaming.v1.RateContentResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.RateContentRequest,
      com.streaming.v1.RateContentResponse> getRateContentMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.RateContentRequest, com.streaming.v1.RateContentResponse> getRateContentMethod;
    if ((getRateContentMethod = CommandServiceGrpc.getRateContentMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getRateContentMethod = CommandServiceGrpc.getRateContentMethod) == null) {
          CommandServiceGrpc.getRateContentMethod = getRateContentMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.RateContentRequest, com.streaming.v1.RateContentResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RateContent"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RateContentRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.RateContentResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getRateContentMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.DeleteUserRequest,
      com.streaming.v1.DeleteUserResponse> getDeleteUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteUser",
      requestType = com.streaming.v1.DeleteUserRequest.class,
      responseType = com.streaming.v1.DeleteUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.DeleteUserRequest,
      com.streaming.v1.DeleteUserResponse> getDeleteUserMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.DeleteUserRequest, com.streaming.v1.DeleteUserResponse> getDeleteUserMethod;
    if ((getDeleteUserMethod = CommandServiceGrpc.getDeleteUserMethod) == null) {
      synchronized (CommandServiceGrpc.class) {
        if ((getDeleteUserMethod = CommandServiceGrpc.getDeleteUserMethod) == null) {
          CommandServiceGrpc.getDeleteUserMethod = getDeleteUserMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.DeleteUserRequest, com.streaming.v1.DeleteUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.DeleteUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.DeleteUserResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getDeleteUserMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static CommandServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CommandServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CommandServiceStub>() {
        @java.lang.Override
        public CommandServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CommandServiceStub(channel, callOptions);
        }
      };
    return CommandServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static CommandServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CommandServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CommandServiceBlockingV2Stub>() {
        @java.lang.Override
        public CommandServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CommandServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return CommandServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static CommandServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CommandServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CommandServiceBlockingStub>() {
        @java.lang.Override
        public CommandServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CommandServiceBlockingStub(channel, callOptions);
        }
      };
    return CommandServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static CommandServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CommandServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CommandServiceFutureStub>() {
        @java.lang.Override
        public CommandServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CommandServiceFutureStub(channel, callOptions);
        }
      };
    return CommandServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
   * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
   * operator's admin or service credential.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Creates an account. Anonymous callers may register.
     * </pre>
     */
    default void registerUser(com.streaming.v1.RegisterUserRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RegisterUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegisterUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * Checks a password and opens a session; the token expires after the configured session TTL.
     * </pre>
     */
    default void login(com.streaming.v1.LoginRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.LoginResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLoginMethod(), responseObserver);
    }

    /**
     * <pre>
     * Ends the caller's session.
     * </pre>
     */
    default void logout(com.streaming.v1.LogoutRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.LogoutResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLogoutMethod(), responseObserver);
    }

    /**
     * <pre>
     * Ends every session of the caller (every device), including the one making the call. Open ingest streams of
     * those sessions end within seconds.
     * </pre>
     */
    default void logoutAll(com.streaming.v1.LogoutAllRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.LogoutAllResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLogoutAllMethod(), responseObserver);
    }

    /**
     * <pre>
     * Adds a plan. Admin only.
     * </pre>
     */
    default void createPlan(com.streaming.v1.CreatePlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.CreatePlanResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreatePlanMethod(), responseObserver);
    }

    /**
     * <pre>
     * Changes the fields of a plan that are set in the request. Admin only.
     * </pre>
     */
    default void updatePlan(com.streaming.v1.UpdatePlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.UpdatePlanResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdatePlanMethod(), responseObserver);
    }

    /**
     * <pre>
     * Subscribes a user to an available plan and takes the first payment. Requires an idempotency key (the field, or
     * the Idempotency-Key header): a retry with the same key and request returns the first response; the same key
     * with a different request is rejected.
     * </pre>
     */
    default void createSubscription(com.streaming.v1.CreateSubscriptionRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.CreateSubscriptionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateSubscriptionMethod(), responseObserver);
    }

    /**
     * <pre>
     * Cancels an active subscription at the end of its current period (it plays until then, and is not renewed); the
     * reason is kept.
     * </pre>
     */
    default void cancelSubscription(com.streaming.v1.CancelSubscriptionRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.CancelSubscriptionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCancelSubscriptionMethod(), responseObserver);
    }

    /**
     * <pre>
     * Moves an active subscription to another available plan at once, prorated to the day: an upgrade charges the
     * difference for the days left in the period, a downgrade credits it to the next invoice.
     * </pre>
     */
    default void changeSubscriptionPlan(com.streaming.v1.ChangeSubscriptionPlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ChangeSubscriptionPlanResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getChangeSubscriptionPlanMethod(), responseObserver);
    }

    /**
     * <pre>
     * Replaces the payment method and token that renewals of an ACTIVE or PAST_DUE subscription charge (a card that
     * expired or was declined). Nothing is charged now. When the subscription is PAST_DUE, its open renewal invoice is
     * retried with the new token at the renewal worker's next pass, not at the next time of the retry schedule. The
     * token is kept for renewals only: it is never returned, published in events or read models, or logged.
     * </pre>
     */
    default void updatePaymentMethod(com.streaming.v1.UpdatePaymentMethodRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.UpdatePaymentMethodResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdatePaymentMethodMethod(), responseObserver);
    }

    /**
     * <pre>
     * Creates or replaces a catalog title. Admin only.
     * </pre>
     */
    default void upsertContent(com.streaming.v1.UpsertContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.UpsertContentResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpsertContentMethod(), responseObserver);
    }

    /**
     * <pre>
     * Sets the caller's rating of a title (one rating per user and title; a new one replaces the old).
     * </pre>
     */
    default void rateContent(com.streaming.v1.RateContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RateContentResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRateContentMethod(), responseObserver);
    }

    /**
     * <pre>
     * Erases the user: the account's personal data is removed from PostgreSQL (payments and invoices are kept, as the
     * law requires, without personal data), current subscriptions are canceled (an active one runs out its paid
     * period, unrenewed), every session ends, and the viewing history (Cassandra), the graph (Neo4j) and the cached
     * views (Redis) are erased by a worker that retries each store until it is done: GetUserErasure shows how far it
     * has come. The user themself or an admin. A repeated call succeeds and erases again what arrived since.
     * </pre>
     */
    default void deleteUser(com.streaming.v1.DeleteUserRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.DeleteUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteUserMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service CommandService.
   * <pre>
   * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
   * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
   * operator's admin or service credential.
   * </pre>
   */
  public static abstract class CommandServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return CommandServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service CommandService.
   * <pre>
   * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
   * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
   * operator's admin or service credential.
   * </pre>
   */
  public static final class CommandServiceStub
      extends io.grpc.stub.AbstractAsyncStub<CommandServiceStub> {
    private CommandServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CommandServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CommandServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Creates an account. Anonymous callers may register.
     * </pre>
     */
    public void registerUser(com.streaming.v1.RegisterUserRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RegisterUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegisterUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Checks a password and opens a session; the token expires after the configured session TTL.
     * </pre>
     */
    public void login(com.streaming.v1.LoginRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.LoginResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLoginMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Ends the caller's session.
     * </pre>
     */
    public void logout(com.streaming.v1.LogoutRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.LogoutResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLogoutMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Ends every session of the caller (every device), including the one making the call. Open ingest streams of
     * those sessions end within seconds.
     * </pre>
     */
    public void logoutAll(com.streaming.v1.LogoutAllRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.LogoutAllResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLogoutAllMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Adds a plan. Admin only.
     * </pre>
     */
    public void createPlan(com.streaming.v1.CreatePlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.CreatePlanResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreatePlanMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Changes the fields of a plan that are set in the request. Admin only.
     * </pre>
     */
    public void updatePlan(com.streaming.v1.UpdatePlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.UpdatePlanResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdatePlanMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Subscribes a user to an available plan and takes the first payment. Requires an idempotency key (the field, or
     * the Idempotency-Key header): a retry with the same key and request returns the first response; the same key
     * with a different request is rejected.
     * </pre>
     */
    public void createSubscription(com.streaming.v1.CreateSubscriptionRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.CreateSubscriptionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateSubscriptionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Cancels an active subscription at the end of its current period (it plays until then, and is not renewed); the
     * reason is kept.
     * </pre>
     */
    public void cancelSubscription(com.streaming.v1.CancelSubscriptionRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.CancelSubscriptionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCancelSubscriptionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Moves an active subscription to another available plan at once, prorated to the day: an upgrade charges the
     * difference for the days left in the period, a downgrade credits it to the next invoice.
     * </pre>
     */
    public void changeSubscriptionPlan(com.streaming.v1.ChangeSubscriptionPlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ChangeSubscriptionPlanResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getChangeSubscriptionPlanMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Replaces the payment method and token that renewals of an ACTIVE or PAST_DUE subscription charge (a card that
     * expired or was declined). Nothing is charged now. When the subscription is PAST_DUE, its open renewal invoice is
     * retried with the new token at the renewal worker's next pass, not at the next time of the retry schedule. The
     * token is kept for renewals only: it is never returned, published in events or read models, or logged.
     * </pre>
     */
    public void updatePaymentMethod(com.streaming.v1.UpdatePaymentMethodRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.UpdatePaymentMethodResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdatePaymentMethodMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Creates or replaces a catalog title. Admin only.
     * </pre>
     */
    public void upsertContent(com.streaming.v1.UpsertContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.UpsertContentResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpsertContentMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Sets the caller's rating of a title (one rating per user and title; a new one replaces the old).
     * </pre>
     */
    public void rateContent(com.streaming.v1.RateContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.RateContentResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRateContentMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Erases the user: the account's personal data is removed from PostgreSQL (payments and invoices are kept, as the
     * law requires, without personal data), current subscriptions are canceled (an active one runs out its paid
     * period, unrenewed), every session ends, and the viewing history (Cassandra), the graph (Neo4j) and the cached
     * views (Redis) are erased by a worker that retries each store until it is done: GetUserErasure shows how far it
     * has come. The user themself or an admin. A repeated call succeeds and erases again what arrived since.
     * </pre>
     */
    public void deleteUser(com.streaming.v1.DeleteUserRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.DeleteUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteUserMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service CommandService.
   * <pre>
   * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
   * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
   * operator's admin or service credential.
   * </pre>
   */
  public static final class CommandServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<CommandServiceBlockingV2Stub> {
    private CommandServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CommandServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CommandServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Creates an account. Anonymous callers may register.
     * </pre>
     */
    public com.streaming.v1.RegisterUserResponse registerUser(com.streaming.v1.RegisterUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRegisterUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Checks a password and opens a session; the token expires after the configured session TTL.
     * </pre>
     */
    public com.streaming.v1.LoginResponse login(com.streaming.v1.LoginRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getLoginMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Ends the caller's session.
     * </pre>
     */
    public com.streaming.v1.LogoutResponse logout(com.streaming.v1.LogoutRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getLogoutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Ends every session of the caller (every device), including the one making the call. Open ingest streams of
     * those sessions end within seconds.
     * </pre>
     */
    public com.streaming.v1.LogoutAllResponse logoutAll(com.streaming.v1.LogoutAllRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getLogoutAllMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Adds a plan. Admin only.
     * </pre>
     */
    public com.streaming.v1.CreatePlanResponse createPlan(com.streaming.v1.CreatePlanRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreatePlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Changes the fields of a plan that are set in the request. Admin only.
     * </pre>
     */
    public com.streaming.v1.UpdatePlanResponse updatePlan(com.streaming.v1.UpdatePlanRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdatePlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Subscribes a user to an available plan and takes the first payment. Requires an idempotency key (the field, or
     * the Idempotency-Key header): a retry with the same key and request returns the first response; the same key
     * with a different request is rejected.
     * </pre>
     */
    public com.streaming.v1.CreateSubscriptionResponse createSubscription(com.streaming.v1.CreateSubscriptionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateSubscriptionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancels an active subscription at the end of its current period (it plays until then, and is not renewed); the
     * reason is kept.
     * </pre>
     */
    public com.streaming.v1.CancelSubscriptionResponse cancelSubscription(com.streaming.v1.CancelSubscriptionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCancelSubscriptionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Moves an active subscription to another available plan at once, prorated to the day: an upgrade charges the
     * difference for the days left in the period, a downgrade credits it to the next invoice.
     * </pre>
     */
    public com.streaming.v1.ChangeSubscriptionPlanResponse changeSubscriptionPlan(com.streaming.v1.ChangeSubscriptionPlanRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getChangeSubscriptionPlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Replaces the payment method and token that renewals of an ACTIVE or PAST_DUE subscription charge (a card that
     * expired or was declined). Nothing is charged now. When the subscription is PAST_DUE, its open renewal invoice is
     * retried with the new token at the renewal worker's next pass, not at the next time of the retry schedule. The
     * token is kept for renewals only: it is never returned, published in events or read models, or logged.
     * </pre>
     */
    public com.streaming.v1.UpdatePaymentMethodResponse updatePaymentMethod(com.streaming.v1.UpdatePaymentMethodRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdatePaymentMethodMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Creates or replaces a catalog title. Admin only.
     * </pre>
     */
    public com.streaming.v1.UpsertContentResponse upsertContent(com.streaming.v1.UpsertContentRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpsertContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Sets the caller's rating of a title (one rating per user and title; a new one replaces the old).
     * </pre>
     */
    public com.streaming.v1.RateContentResponse rateContent(com.streaming.v1.RateContentRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRateContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Erases the user: the account's personal data is removed from PostgreSQL (payments and invoices are kept, as the
     * law requires, without personal data), current subscriptions are canceled (an active one runs out its paid
     * period, unrenewed), every session ends, and the viewing history (Cassandra), the graph (Neo4j) and the cached
     * views (Redis) are erased by a worker that retries each store until it is done: GetUserErasure shows how far it
     * has come. The user themself or an admin. A repeated call succeeds and erases again what arrived since.
     * </pre>
     */
    public com.streaming.v1.DeleteUserResponse deleteUser(com.streaming.v1.DeleteUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteUserMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service CommandService.
   * <pre>
   * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
   * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
   * operator's admin or service credential.
   * </pre>
   */
  public static final class CommandServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<CommandServiceBlockingStub> {
    private CommandServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CommandServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CommandServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Creates an account. Anonymous callers may register.
     * </pre>
     */
    public com.streaming.v1.RegisterUserResponse registerUser(com.streaming.v1.RegisterUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegisterUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Checks a password and opens a session; the token expires after the configured session TTL.
     * </pre>
     */
    public com.streaming.v1.LoginResponse login(com.streaming.v1.LoginRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLoginMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Ends the caller's session.
     * </pre>
     */
    public com.streaming.v1.LogoutResponse logout(com.streaming.v1.LogoutRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLogoutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Ends every session of the caller (every device), including the one making the call. Open ingest streams of
     * those sessions end within seconds.
     * </pre>
     */
    public com.streaming.v1.LogoutAllResponse logoutAll(com.streaming.v1.LogoutAllRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLogoutAllMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Adds a plan. Admin only.
     * </pre>
     */
    public com.streaming.v1.CreatePlanResponse createPlan(com.streaming.v1.CreatePlanRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreatePlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Changes the fields of a plan that are set in the request. Admin only.
     * </pre>
     */
    public com.streaming.v1.UpdatePlanResponse updatePlan(com.streaming.v1.UpdatePlanRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdatePlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Subscribes a user to an available plan and takes the first payment. Requires an idempotency key (the field, or
     * the Idempotency-Key header): a retry with the same key and request returns the first response; the same key
     * with a different request is rejected.
     * </pre>
     */
    public com.streaming.v1.CreateSubscriptionResponse createSubscription(com.streaming.v1.CreateSubscriptionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateSubscriptionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cancels an active subscription at the end of its current period (it plays until then, and is not renewed); the
     * reason is kept.
     * </pre>
     */
    public com.streaming.v1.CancelSubscriptionResponse cancelSubscription(com.streaming.v1.CancelSubscriptionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCancelSubscriptionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Moves an active subscription to another available plan at once, prorated to the day: an upgrade charges the
     * difference for the days left in the period, a downgrade credits it to the next invoice.
     * </pre>
     */
    public com.streaming.v1.ChangeSubscriptionPlanResponse changeSubscriptionPlan(com.streaming.v1.ChangeSubscriptionPlanRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getChangeSubscriptionPlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Replaces the payment method and token that renewals of an ACTIVE or PAST_DUE subscription charge (a card that
     * expired or was declined). Nothing is charged now. When the subscription is PAST_DUE, its open renewal invoice is
     * retried with the new token at the renewal worker's next pass, not at the next time of the retry schedule. The
     * token is kept for renewals only: it is never returned, published in events or read models, or logged.
     * </pre>
     */
    public com.streaming.v1.UpdatePaymentMethodResponse updatePaymentMethod(com.streaming.v1.UpdatePaymentMethodRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdatePaymentMethodMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Creates or replaces a catalog title. Admin only.
     * </pre>
     */
    public com.streaming.v1.UpsertContentResponse upsertContent(com.streaming.v1.UpsertContentRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpsertContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Sets the caller's rating of a title (one rating per user and title; a new one replaces the old).
     * </pre>
     */
    public com.streaming.v1.RateContentResponse rateContent(com.streaming.v1.RateContentRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRateContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Erases the user: the account's personal data is removed from PostgreSQL (payments and invoices are kept, as the
     * law requires, without personal data), current subscriptions are canceled (an active one runs out its paid
     * period, unrenewed), every session ends, and the viewing history (Cassandra), the graph (Neo4j) and the cached
     * views (Redis) are erased by a worker that retries each store until it is done: GetUserErasure shows how far it
     * has come. The user themself or an admin. A repeated call succeeds and erases again what arrived since.
     * </pre>
     */
    public com.streaming.v1.DeleteUserResponse deleteUser(com.streaming.v1.DeleteUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteUserMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service CommandService.
   * <pre>
   * CommandService changes state. Every command runs in one PostgreSQL transaction that also writes its domain event
   * to the outbox. Callers authenticate with "authorization: Bearer &lt;token&gt;": a session token from Login, or the
   * operator's admin or service credential.
   * </pre>
   */
  public static final class CommandServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<CommandServiceFutureStub> {
    private CommandServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CommandServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CommandServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Creates an account. Anonymous callers may register.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.RegisterUserResponse> registerUser(
        com.streaming.v1.RegisterUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegisterUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Checks a password and opens a session; the token expires after the configured session TTL.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.LoginResponse> login(
        com.streaming.v1.LoginRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLoginMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Ends the caller's session.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.LogoutResponse> logout(
        com.streaming.v1.LogoutRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLogoutMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Ends every session of the caller (every device), including the one making the call. Open ingest streams of
     * those sessions end within seconds.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.LogoutAllResponse> logoutAll(
        com.streaming.v1.LogoutAllRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLogoutAllMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Adds a plan. Admin only.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.CreatePlanResponse> createPlan(
        com.streaming.v1.CreatePlanRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreatePlanMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Changes the fields of a plan that are set in the request. Admin only.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.UpdatePlanResponse> updatePlan(
        com.streaming.v1.UpdatePlanRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdatePlanMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Subscribes a user to an available plan and takes the first payment. Requires an idempotency key (the field, or
     * the Idempotency-Key header): a retry with the same key and request returns the first response; the same key
     * with a different request is rejected.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.CreateSubscriptionResponse> createSubscription(
        com.streaming.v1.CreateSubscriptionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateSubscriptionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Cancels an active subscription at the end of its current period (it plays until then, and is not renewed); the
     * reason is kept.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.CancelSubscriptionResponse> cancelSubscription(
        com.streaming.v1.CancelSubscriptionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCancelSubscriptionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Moves an active subscription to another available plan at once, prorated to the day: an upgrade charges the
     * difference for the days left in the period, a downgrade credits it to the next invoice.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.ChangeSubscriptionPlanResponse> changeSubscriptionPlan(
        com.streaming.v1.ChangeSubscriptionPlanRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getChangeSubscriptionPlanMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Replaces the payment method and token that renewals of an ACTIVE or PAST_DUE subscription charge (a card that
     * expired or was declined). Nothing is charged now. When the subscription is PAST_DUE, its open renewal invoice is
     * retried with the new token at the renewal worker's next pass, not at the next time of the retry schedule. The
     * token is kept for renewals only: it is never returned, published in events or read models, or logged.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.UpdatePaymentMethodResponse> updatePaymentMethod(
        com.streaming.v1.UpdatePaymentMethodRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdatePaymentMethodMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Creates or replaces a catalog title. Admin only.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.UpsertContentResponse> upsertContent(
        com.streaming.v1.UpsertContentRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpsertContentMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Sets the caller's rating of a title (one rating per user and title; a new one replaces the old).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.RateContentResponse> rateContent(
        com.streaming.v1.RateContentRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRateContentMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Erases the user: the account's personal data is removed from PostgreSQL (payments and invoices are kept, as the
     * law requires, without personal data), current subscriptions are canceled (an active one runs out its paid
     * period, unrenewed), every session ends, and the viewing history (Cassandra), the graph (Neo4j) and the cached
     * views (Redis) are erased by a worker that retries each store until it is done: GetUserErasure shows how far it
     * has come. The user themself or an admin. A repeated call succeeds and erases again what arrived since.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.DeleteUserResponse> deleteUser(
        com.streaming.v1.DeleteUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteUserMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_REGISTER_USER = 0;
  private static final int METHODID_LOGIN = 1;
  private static final int METHODID_LOGOUT = 2;
  private static final int METHODID_LOGOUT_ALL = 3;
  private static final int METHODID_CREATE_PLAN = 4;
  private static final int METHODID_UPDATE_PLAN = 5;
  private static final int METHODID_CREATE_SUBSCRIPTION = 6;
  private static final int METHODID_CANCEL_SUBSCRIPTION = 7;
  private static final int METHODID_CHANGE_SUBSCRIPTION_PLAN = 8;
  private static final int METHODID_UPDATE_PAYMENT_METHOD = 9;
  private static final int METHODID_UPSERT_CONTENT = 10;
  private static final int METHODID_RATE_CONTENT = 11;
  private static final int METHODID_DELETE_USER = 12;

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
        case METHODID_REGISTER_USER:
          serviceImpl.registerUser((com.streaming.v1.RegisterUserRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.RegisterUserResponse>) responseObserver);
          break;
        case METHODID_LOGIN:
          serviceImpl.login((com.streaming.v1.LoginRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.LoginResponse>) responseObserver);
          break;
        case METHODID_LOGOUT:
          serviceImpl.logout((com.streaming.v1.LogoutRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.LogoutResponse>) responseObserver);
          break;
        case METHODID_LOGOUT_ALL:
          serviceImpl.logoutAll((com.streaming.v1.LogoutAllRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.LogoutAllResponse>) responseObserver);
          break;
        case METHODID_CREATE_PLAN:
          serviceImpl.createPlan((com.streaming.v1.CreatePlanRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.CreatePlanResponse>) responseObserver);
          break;
        case METHODID_UPDATE_PLAN:
          serviceImpl.updatePlan((com.streaming.v1.UpdatePlanRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.UpdatePlanResponse>) responseObserver);
          break;
        case METHODID_CREATE_SUBSCRIPTION:
          serviceImpl.createSubscription((com.streaming.v1.CreateSubscriptionRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.CreateSubscriptionResponse>) responseObserver);
          break;
        case METHODID_CANCEL_SUBSCRIPTION:
          serviceImpl.cancelSubscription((com.streaming.v1.CancelSubscriptionRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.CancelSubscriptionResponse>) responseObserver);
          break;
        case METHODID_CHANGE_SUBSCRIPTION_PLAN:
          serviceImpl.changeSubscriptionPlan((com.streaming.v1.ChangeSubscriptionPlanRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.ChangeSubscriptionPlanResponse>) responseObserver);
          break;
        case METHODID_UPDATE_PAYMENT_METHOD:
          serviceImpl.updatePaymentMethod((com.streaming.v1.UpdatePaymentMethodRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.UpdatePaymentMethodResponse>) responseObserver);
          break;
        case METHODID_UPSERT_CONTENT:
          serviceImpl.upsertContent((com.streaming.v1.UpsertContentRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.UpsertContentResponse>) responseObserver);
          break;
        case METHODID_RATE_CONTENT:
          serviceImpl.rateContent((com.streaming.v1.RateContentRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.RateContentResponse>) responseObserver);
          break;
        case METHODID_DELETE_USER:
          serviceImpl.deleteUser((com.streaming.v1.DeleteUserRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.DeleteUserResponse>) responseObserver);
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
          getRegisterUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.RegisterUserRequest,
              com.streaming.v1.RegisterUserResponse>(
                service, METHODID_REGISTER_USER)))
        .addMethod(
          getLoginMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.LoginRequest,
              com.streaming.v1.LoginResponse>(
                service, METHODID_LOGIN)))
        .addMethod(
          getLogoutMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.LogoutRequest,
              com.streaming.v1.LogoutResponse>(
                service, METHODID_LOGOUT)))
        .addMethod(
          getLogoutAllMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.LogoutAllRequest,
              com.streaming.v1.LogoutAllResponse>(
                service, METHODID_LOGOUT_ALL)))
        .addMethod(
          getCreatePlanMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.CreatePlanRequest,
              com.streaming.v1.CreatePlanResponse>(
                service, METHODID_CREATE_PLAN)))
        .addMethod(
          getUpdatePlanMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.UpdatePlanRequest,
              com.streaming.v1.UpdatePlanResponse>(
                service, METHODID_UPDATE_PLAN)))
        .addMethod(
          getCreateSubscriptionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.CreateSubscriptionRequest,
              com.streaming.v1.CreateSubscriptionResponse>(
                service, METHODID_CREATE_SUBSCRIPTION)))
        .addMethod(
          getCancelSubscriptionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.CancelSubscriptionRequest,
              com.streaming.v1.CancelSubscriptionResponse>(
                service, METHODID_CANCEL_SUBSCRIPTION)))
        .addMethod(
          getChangeSubscriptionPlanMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.ChangeSubscriptionPlanRequest,
              com.streaming.v1.ChangeSubscriptionPlanResponse>(
                service, METHODID_CHANGE_SUBSCRIPTION_PLAN)))
        .addMethod(
          getUpdatePaymentMethodMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.UpdatePaymentMethodRequest,
              com.streaming.v1.UpdatePaymentMethodResponse>(
                service, METHODID_UPDATE_PAYMENT_METHOD)))
        .addMethod(
          getUpsertContentMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.UpsertContentRequest,
              com.streaming.v1.UpsertContentResponse>(
                service, METHODID_UPSERT_CONTENT)))
        .addMethod(
          getRateContentMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.RateContentRequest,
              com.streaming.v1.RateContentResponse>(
                service, METHODID_RATE_CONTENT)))
        .addMethod(
          getDeleteUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.DeleteUserRequest,
              com.streaming.v1.DeleteUserResponse>(
                service, METHODID_DELETE_USER)))
        .build();
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (CommandServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .addMethod(getRegisterUserMethod())
              .addMethod(getLoginMethod())
              .addMethod(getLogoutMethod())
              .addMethod(getLogoutAllMethod())
              .addMethod(getCreatePlanMethod())
              .addMethod(getUpdatePlanMethod())
              .addMethod(getCreateSubscriptionMethod())
              .addMethod(getCancelSubscriptionMethod())
              .addMethod(getChangeSubscriptionPlanMethod())
              .addMethod(getUpdatePaymentMethodMethod())
              .addMethod(getUpsertContentMethod())
              .addMethod(getRateContentMethod())
              .addMethod(getDeleteUserMethod())
              .build();
        }
      }
    }
    return result;
  }
}
