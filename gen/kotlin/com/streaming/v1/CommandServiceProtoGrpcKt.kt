package com.streaming.v1

import com.streaming.v1.CommandServiceGrpc.getServiceDescriptor
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
 * Holder for Kotlin coroutine-based client and server APIs for streaming.v1.CommandService.
 */
public object CommandServiceGrpcKt {
  public const val SERVICE_NAME: String = CommandServiceGrpc.SERVICE_NAME

  @JvmStatic
  public val serviceDescriptor: ServiceDescriptor
    get() = getServiceDescriptor()

  public val registerUserMethod: MethodDescriptor<RegisterUserRequest, RegisterUserResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getRegisterUserMethod()

  public val loginMethod: MethodDescriptor<LoginRequest, LoginResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getLoginMethod()

  public val logoutMethod: MethodDescriptor<LogoutRequest, LogoutResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getLogoutMethod()

  public val logoutAllMethod: MethodDescriptor<LogoutAllRequest, LogoutAllResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getLogoutAllMethod()

  public val createPlanMethod: MethodDescriptor<CreatePlanRequest, CreatePlanResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getCreatePlanMethod()

  public val updatePlanMethod: MethodDescriptor<UpdatePlanRequest, UpdatePlanResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getUpdatePlanMethod()

  public val createSubscriptionMethod:
      MethodDescriptor<CreateSubscriptionRequest, CreateSubscriptionResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getCreateSubscriptionMethod()

  public val cancelSubscriptionMethod:
      MethodDescriptor<CancelSubscriptionRequest, CancelSubscriptionResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getCancelSubscriptionMethod()

  public val changeSubscriptionPlanMethod:
      MethodDescriptor<ChangeSubscriptionPlanRequest, ChangeSubscriptionPlanResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getChangeSubscriptionPlanMethod()

  public val updatePaymentMethodMethod:
      MethodDescriptor<UpdatePaymentMethodRequest, UpdatePaymentMethodResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getUpdatePaymentMethodMethod()

  public val upsertContentMethod: MethodDescriptor<UpsertContentRequest, UpsertContentResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getUpsertContentMethod()

  public val rateContentMethod: MethodDescriptor<RateContentRequest, RateContentResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getRateContentMethod()

  public val deleteUserMethod: MethodDescriptor<DeleteUserRequest, DeleteUserResponse>
    @JvmStatic
    get() = CommandServiceGrpc.getDeleteUserMethod()

  /**
   * A stub for issuing RPCs to a(n) streaming.v1.CommandService service as suspending coroutines.
   */
  @StubFor(CommandServiceGrpc::class)
  public class CommandServiceCoroutineStub @JvmOverloads constructor(
    channel: Channel,
    callOptions: CallOptions = DEFAULT,
  ) : AbstractCoroutineStub<CommandServiceCoroutineStub>(channel, callOptions) {
    override fun build(channel: Channel, callOptions: CallOptions): CommandServiceCoroutineStub = CommandServiceCoroutineStub(channel, callOptions)

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
    public suspend fun registerUser(request: RegisterUserRequest, headers: Metadata = Metadata()): RegisterUserResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getRegisterUserMethod(),
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
    public suspend fun login(request: LoginRequest, headers: Metadata = Metadata()): LoginResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getLoginMethod(),
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
    public suspend fun logout(request: LogoutRequest, headers: Metadata = Metadata()): LogoutResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getLogoutMethod(),
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
    public suspend fun logoutAll(request: LogoutAllRequest, headers: Metadata = Metadata()): LogoutAllResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getLogoutAllMethod(),
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
    public suspend fun createPlan(request: CreatePlanRequest, headers: Metadata = Metadata()): CreatePlanResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getCreatePlanMethod(),
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
    public suspend fun updatePlan(request: UpdatePlanRequest, headers: Metadata = Metadata()): UpdatePlanResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getUpdatePlanMethod(),
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
    public suspend fun createSubscription(request: CreateSubscriptionRequest, headers: Metadata = Metadata()): CreateSubscriptionResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getCreateSubscriptionMethod(),
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
    public suspend fun cancelSubscription(request: CancelSubscriptionRequest, headers: Metadata = Metadata()): CancelSubscriptionResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getCancelSubscriptionMethod(),
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
    public suspend fun changeSubscriptionPlan(request: ChangeSubscriptionPlanRequest, headers: Metadata = Metadata()): ChangeSubscriptionPlanResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getChangeSubscriptionPlanMethod(),
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
    public suspend fun updatePaymentMethod(request: UpdatePaymentMethodRequest, headers: Metadata = Metadata()): UpdatePaymentMethodResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getUpdatePaymentMethodMethod(),
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
    public suspend fun upsertContent(request: UpsertContentRequest, headers: Metadata = Metadata()): UpsertContentResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getUpsertContentMethod(),
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
    public suspend fun rateContent(request: RateContentRequest, headers: Metadata = Metadata()): RateContentResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getRateContentMethod(),
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
    public suspend fun deleteUser(request: DeleteUserRequest, headers: Metadata = Metadata()): DeleteUserResponse = unaryRpc(
      channel,
      CommandServiceGrpc.getDeleteUserMethod(),
      request,
      callOptions,
      headers
    )
  }

  /**
   * Skeletal implementation of the streaming.v1.CommandService service based on Kotlin coroutines.
   */
  public abstract class CommandServiceCoroutineImplBase(
    coroutineContext: CoroutineContext = EmptyCoroutineContext,
  ) : AbstractCoroutineServerImpl(coroutineContext) {
    /**
     * Returns the response to an RPC for streaming.v1.CommandService.RegisterUser.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun registerUser(request: RegisterUserRequest): RegisterUserResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.RegisterUser is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.Login.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun login(request: LoginRequest): LoginResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.Login is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.Logout.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun logout(request: LogoutRequest): LogoutResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.Logout is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.LogoutAll.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun logoutAll(request: LogoutAllRequest): LogoutAllResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.LogoutAll is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.CreatePlan.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun createPlan(request: CreatePlanRequest): CreatePlanResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.CreatePlan is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.UpdatePlan.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun updatePlan(request: UpdatePlanRequest): UpdatePlanResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.UpdatePlan is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.CreateSubscription.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun createSubscription(request: CreateSubscriptionRequest): CreateSubscriptionResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.CreateSubscription is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.CancelSubscription.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun cancelSubscription(request: CancelSubscriptionRequest): CancelSubscriptionResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.CancelSubscription is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.ChangeSubscriptionPlan.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun changeSubscriptionPlan(request: ChangeSubscriptionPlanRequest): ChangeSubscriptionPlanResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.ChangeSubscriptionPlan is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.UpdatePaymentMethod.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun updatePaymentMethod(request: UpdatePaymentMethodRequest): UpdatePaymentMethodResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.UpdatePaymentMethod is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.UpsertContent.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun upsertContent(request: UpsertContentRequest): UpsertContentResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.UpsertContent is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.RateContent.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun rateContent(request: RateContentRequest): RateContentResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.RateContent is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.CommandService.DeleteUser.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun deleteUser(request: DeleteUserRequest): DeleteUserResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.CommandService.DeleteUser is unimplemented"))

    final override fun bindService(): ServerServiceDefinition = builder(getServiceDescriptor())
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getRegisterUserMethod(),
      implementation = ::registerUser
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getLoginMethod(),
      implementation = ::login
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getLogoutMethod(),
      implementation = ::logout
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getLogoutAllMethod(),
      implementation = ::logoutAll
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getCreatePlanMethod(),
      implementation = ::createPlan
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getUpdatePlanMethod(),
      implementation = ::updatePlan
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getCreateSubscriptionMethod(),
      implementation = ::createSubscription
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getCancelSubscriptionMethod(),
      implementation = ::cancelSubscription
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getChangeSubscriptionPlanMethod(),
      implementation = ::changeSubscriptionPlan
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getUpdatePaymentMethodMethod(),
      implementation = ::updatePaymentMethod
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getUpsertContentMethod(),
      implementation = ::upsertContent
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getRateContentMethod(),
      implementation = ::rateContent
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = CommandServiceGrpc.getDeleteUserMethod(),
      implementation = ::deleteUser
    )).build()
  }
}
