package com.streaming.v1

import com.streaming.v1.QueryServiceGrpc.getServiceDescriptor
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
 * Holder for Kotlin coroutine-based client and server APIs for streaming.v1.QueryService.
 */
public object QueryServiceGrpcKt {
  public const val SERVICE_NAME: String = QueryServiceGrpc.SERVICE_NAME

  @JvmStatic
  public val serviceDescriptor: ServiceDescriptor
    get() = getServiceDescriptor()

  public val getUserProfileMethod: MethodDescriptor<GetUserProfileRequest, GetUserProfileResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetUserProfileMethod()

  public val listSubscriptionsMethod:
      MethodDescriptor<ListSubscriptionsRequest, ListSubscriptionsResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getListSubscriptionsMethod()

  public val getRecommendationsMethod:
      MethodDescriptor<GetRecommendationsRequest, GetRecommendationsResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetRecommendationsMethod()

  public val getTrendingMethod: MethodDescriptor<GetTrendingRequest, GetTrendingResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetTrendingMethod()

  public val searchContentMethod: MethodDescriptor<SearchContentRequest, SearchContentResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getSearchContentMethod()

  public val getContinueWatchingMethod:
      MethodDescriptor<GetContinueWatchingRequest, GetContinueWatchingResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetContinueWatchingMethod()

  public val getWatchHistoryMethod:
      MethodDescriptor<GetWatchHistoryRequest, GetWatchHistoryResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetWatchHistoryMethod()

  public val getContentMethod: MethodDescriptor<GetContentRequest, GetContentResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetContentMethod()

  public val listPlansMethod: MethodDescriptor<ListPlansRequest, ListPlansResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getListPlansMethod()

  public val getPlanMethod: MethodDescriptor<GetPlanRequest, GetPlanResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetPlanMethod()

  public val listInvoicesMethod: MethodDescriptor<ListInvoicesRequest, ListInvoicesResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getListInvoicesMethod()

  public val getRevenueReportMethod:
      MethodDescriptor<GetRevenueReportRequest, GetRevenueReportResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetRevenueReportMethod()

  public val getUserErasureMethod: MethodDescriptor<GetUserErasureRequest, GetUserErasureResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetUserErasureMethod()

  public val getAccountRiskMethod: MethodDescriptor<GetAccountRiskRequest, GetAccountRiskResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetAccountRiskMethod()

  public val listSuspiciousAccountsMethod:
      MethodDescriptor<ListSuspiciousAccountsRequest, ListSuspiciousAccountsResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getListSuspiciousAccountsMethod()

  public val getContentAnalyticsMethod:
      MethodDescriptor<GetContentAnalyticsRequest, GetContentAnalyticsResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetContentAnalyticsMethod()

  public val getViewingStatsMethod:
      MethodDescriptor<GetViewingStatsRequest, GetViewingStatsResponse>
    @JvmStatic
    get() = QueryServiceGrpc.getGetViewingStatsMethod()

  /**
   * A stub for issuing RPCs to a(n) streaming.v1.QueryService service as suspending coroutines.
   */
  @StubFor(QueryServiceGrpc::class)
  public class QueryServiceCoroutineStub @JvmOverloads constructor(
    channel: Channel,
    callOptions: CallOptions = DEFAULT,
  ) : AbstractCoroutineStub<QueryServiceCoroutineStub>(channel, callOptions) {
    override fun build(channel: Channel, callOptions: CallOptions): QueryServiceCoroutineStub = QueryServiceCoroutineStub(channel, callOptions)

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
    public suspend fun getUserProfile(request: GetUserProfileRequest, headers: Metadata = Metadata()): GetUserProfileResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetUserProfileMethod(),
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
    public suspend fun listSubscriptions(request: ListSubscriptionsRequest, headers: Metadata = Metadata()): ListSubscriptionsResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getListSubscriptionsMethod(),
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
    public suspend fun getRecommendations(request: GetRecommendationsRequest, headers: Metadata = Metadata()): GetRecommendationsResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetRecommendationsMethod(),
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
    public suspend fun getTrending(request: GetTrendingRequest, headers: Metadata = Metadata()): GetTrendingResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetTrendingMethod(),
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
    public suspend fun searchContent(request: SearchContentRequest, headers: Metadata = Metadata()): SearchContentResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getSearchContentMethod(),
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
    public suspend fun getContinueWatching(request: GetContinueWatchingRequest, headers: Metadata = Metadata()): GetContinueWatchingResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetContinueWatchingMethod(),
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
    public suspend fun getWatchHistory(request: GetWatchHistoryRequest, headers: Metadata = Metadata()): GetWatchHistoryResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetWatchHistoryMethod(),
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
    public suspend fun getContent(request: GetContentRequest, headers: Metadata = Metadata()): GetContentResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetContentMethod(),
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
    public suspend fun listPlans(request: ListPlansRequest, headers: Metadata = Metadata()): ListPlansResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getListPlansMethod(),
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
    public suspend fun getPlan(request: GetPlanRequest, headers: Metadata = Metadata()): GetPlanResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetPlanMethod(),
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
    public suspend fun listInvoices(request: ListInvoicesRequest, headers: Metadata = Metadata()): ListInvoicesResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getListInvoicesMethod(),
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
    public suspend fun getRevenueReport(request: GetRevenueReportRequest, headers: Metadata = Metadata()): GetRevenueReportResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetRevenueReportMethod(),
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
    public suspend fun getUserErasure(request: GetUserErasureRequest, headers: Metadata = Metadata()): GetUserErasureResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetUserErasureMethod(),
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
    public suspend fun getAccountRisk(request: GetAccountRiskRequest, headers: Metadata = Metadata()): GetAccountRiskResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetAccountRiskMethod(),
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
    public suspend fun listSuspiciousAccounts(request: ListSuspiciousAccountsRequest, headers: Metadata = Metadata()): ListSuspiciousAccountsResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getListSuspiciousAccountsMethod(),
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
    public suspend fun getContentAnalytics(request: GetContentAnalyticsRequest, headers: Metadata = Metadata()): GetContentAnalyticsResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetContentAnalyticsMethod(),
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
    public suspend fun getViewingStats(request: GetViewingStatsRequest, headers: Metadata = Metadata()): GetViewingStatsResponse = unaryRpc(
      channel,
      QueryServiceGrpc.getGetViewingStatsMethod(),
      request,
      callOptions,
      headers
    )
  }

  /**
   * Skeletal implementation of the streaming.v1.QueryService service based on Kotlin coroutines.
   */
  public abstract class QueryServiceCoroutineImplBase(
    coroutineContext: CoroutineContext = EmptyCoroutineContext,
  ) : AbstractCoroutineServerImpl(coroutineContext) {
    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetUserProfile.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getUserProfile(request: GetUserProfileRequest): GetUserProfileResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetUserProfile is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.ListSubscriptions.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun listSubscriptions(request: ListSubscriptionsRequest): ListSubscriptionsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.ListSubscriptions is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetRecommendations.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getRecommendations(request: GetRecommendationsRequest): GetRecommendationsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetRecommendations is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetTrending.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getTrending(request: GetTrendingRequest): GetTrendingResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetTrending is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.SearchContent.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun searchContent(request: SearchContentRequest): SearchContentResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.SearchContent is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetContinueWatching.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getContinueWatching(request: GetContinueWatchingRequest): GetContinueWatchingResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetContinueWatching is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetWatchHistory.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getWatchHistory(request: GetWatchHistoryRequest): GetWatchHistoryResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetWatchHistory is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetContent.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getContent(request: GetContentRequest): GetContentResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetContent is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.ListPlans.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun listPlans(request: ListPlansRequest): ListPlansResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.ListPlans is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetPlan.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getPlan(request: GetPlanRequest): GetPlanResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetPlan is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.ListInvoices.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun listInvoices(request: ListInvoicesRequest): ListInvoicesResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.ListInvoices is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetRevenueReport.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getRevenueReport(request: GetRevenueReportRequest): GetRevenueReportResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetRevenueReport is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetUserErasure.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getUserErasure(request: GetUserErasureRequest): GetUserErasureResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetUserErasure is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetAccountRisk.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getAccountRisk(request: GetAccountRiskRequest): GetAccountRiskResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetAccountRisk is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.ListSuspiciousAccounts.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun listSuspiciousAccounts(request: ListSuspiciousAccountsRequest): ListSuspiciousAccountsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.ListSuspiciousAccounts is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetContentAnalytics.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getContentAnalytics(request: GetContentAnalyticsRequest): GetContentAnalyticsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetContentAnalytics is unimplemented"))

    /**
     * Returns the response to an RPC for streaming.v1.QueryService.GetViewingStats.
     *
     * If this method fails with a [StatusException], the RPC will fail with the corresponding
     * [io.grpc.Status].  If this method fails with a [java.util.concurrent.CancellationException], the RPC will fail
     * with status `Status.CANCELLED`.  If this method fails for any other reason, the RPC will
     * fail with `Status.UNKNOWN` with the exception as a cause.
     *
     * @param request The request from the client.
     */
    public open suspend fun getViewingStats(request: GetViewingStatsRequest): GetViewingStatsResponse = throw StatusException(UNIMPLEMENTED.withDescription("Method streaming.v1.QueryService.GetViewingStats is unimplemented"))

    final override fun bindService(): ServerServiceDefinition = builder(getServiceDescriptor())
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetUserProfileMethod(),
      implementation = ::getUserProfile
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getListSubscriptionsMethod(),
      implementation = ::listSubscriptions
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetRecommendationsMethod(),
      implementation = ::getRecommendations
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetTrendingMethod(),
      implementation = ::getTrending
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getSearchContentMethod(),
      implementation = ::searchContent
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetContinueWatchingMethod(),
      implementation = ::getContinueWatching
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetWatchHistoryMethod(),
      implementation = ::getWatchHistory
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetContentMethod(),
      implementation = ::getContent
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getListPlansMethod(),
      implementation = ::listPlans
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetPlanMethod(),
      implementation = ::getPlan
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getListInvoicesMethod(),
      implementation = ::listInvoices
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetRevenueReportMethod(),
      implementation = ::getRevenueReport
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetUserErasureMethod(),
      implementation = ::getUserErasure
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetAccountRiskMethod(),
      implementation = ::getAccountRisk
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getListSuspiciousAccountsMethod(),
      implementation = ::listSuspiciousAccounts
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetContentAnalyticsMethod(),
      implementation = ::getContentAnalytics
    ))
      .addMethod(unaryServerMethodDefinition(
      context = this.context,
      descriptor = QueryServiceGrpc.getGetViewingStatsMethod(),
      implementation = ::getViewingStats
    )).build()
  }
}
