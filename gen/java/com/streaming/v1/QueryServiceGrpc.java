package com.streaming.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
 * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class QueryServiceGrpc {

  private QueryServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "streaming.v1.QueryService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetUserProfileRequest,
      com.streaming.v1.GetUserProfileResponse> getGetUserProfileMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetUserProfile",
      requestType = com.streaming.v1.GetUserProfileRequest.class,
      responseType = com.streaming.v1.GetUserProfileResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetUserProfileRequest,
      com.streaming.v1.GetUserProfileResponse> getGetUserProfileMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetUserProfileRequest, com.streaming.v1.GetUserProfileResponse> getGetUserProfileMethod;
    if ((getGetUserProfileMethod = QueryServiceGrpc.getGetUserProfileMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetUserProfileMethod = QueryServiceGrpc.getGetUserProfileMethod) == null) {
          QueryServiceGrpc.getGetUserProfileMethod = getGetUserProfileMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetUserProfileRequest, com.streaming.v1.GetUserProfileResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetUserProfile"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetUserProfileRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetUserProfileResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetUserProfileMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.ListSubscriptionsRequest,
      com.streaming.v1.ListSubscriptionsResponse> getListSubscriptionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSubscriptions",
      requestType = com.streaming.v1.ListSubscriptionsRequest.class,
      responseType = com.streaming.v1.ListSubscriptionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.ListSubscriptionsRequest,
      com.streaming.v1.ListSubscriptionsResponse> getListSubscriptionsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.ListSubscriptionsRequest, com.streaming.v1.ListSubscriptionsResponse> getListSubscriptionsMethod;
    if ((getListSubscriptionsMethod = QueryServiceGrpc.getListSubscriptionsMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getListSubscriptionsMethod = QueryServiceGrpc.getListSubscriptionsMethod) == null) {
          QueryServiceGrpc.getListSubscriptionsMethod = getListSubscriptionsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.ListSubscriptionsRequest, com.streaming.v1.ListSubscriptionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSubscriptions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListSubscriptionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListSubscriptionsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getListSubscriptionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetRecommendationsRequest,
      com.streaming.v1.GetRecommendationsResponse> getGetRecommendationsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetRecommendations",
      requestType = com.streaming.v1.GetRecommendationsRequest.class,
      responseType = com.streaming.v1.GetRecommendationsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetRecommendationsRequest,
      com.streaming.v1.GetRecommendationsResponse> getGetRecommendationsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetRecommendationsRequest, com.streaming.v1.GetRecommendationsResponse> getGetRecommendationsMethod;
    if ((getGetRecommendationsMethod = QueryServiceGrpc.getGetRecommendationsMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetRecommendationsMethod = QueryServiceGrpc.getGetRecommendationsMethod) == null) {
          QueryServiceGrpc.getGetRecommendationsMethod = getGetRecommendationsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetRecommendationsRequest, com.streaming.v1.GetRecommendationsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetRecommendations"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetRecommendationsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetRecommendationsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetRecommendationsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetTrendingRequest,
      com.streaming.v1.GetTrendingResponse> getGetTrendingMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetTrending",
      requestType = com.streaming.v1.GetTrendingRequest.class,
      responseType = com.streaming.v1.GetTrendingResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetTrendingRequest,
      com.streaming.v1.GetTrendingResponse> getGetTrendingMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetTrendingRequest, com.streaming.v1.GetTrendingResponse> getGetTrendingMethod;
    if ((getGetTrendingMethod = QueryServiceGrpc.getGetTrendingMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetTrendingMethod = QueryServiceGrpc.getGetTrendingMethod) == null) {
          QueryServiceGrpc.getGetTrendingMethod = getGetTrendingMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetTrendingRequest, com.streaming.v1.GetTrendingResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetTrending"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetTrendingRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetTrendingResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetTrendingMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.SearchContentRequest,
      com.streaming.v1.SearchContentResponse> getSearchContentMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SearchContent",
      requestType = com.streaming.v1.SearchContentRequest.class,
      responseType = com.streaming.v1.SearchContentResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.SearchContentRequest,
      com.streaming.v1.SearchContentResponse> getSearchContentMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.SearchContentRequest, com.streaming.v1.SearchContentResponse> getSearchContentMethod;
    if ((getSearchContentMethod = QueryServiceGrpc.getSearchContentMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getSearchContentMethod = QueryServiceGrpc.getSearchContentMethod) == null) {
          QueryServiceGrpc.getSearchContentMethod = getSearchContentMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.SearchContentRequest, com.streaming.v1.SearchContentResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SearchContent"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.SearchContentRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.SearchContentResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getSearchContentMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetContinueWatchingRequest,
      com.streaming.v1.GetContinueWatchingResponse> getGetContinueWatchingMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetContinueWatching",
      requestType = com.streaming.v1.GetContinueWatchingRequest.class,
      responseType = com.streaming.v1.GetContinueWatchingResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetContinueWatchingRequest,
      com.streaming.v1.GetContinueWatchingResponse> getGetContinueWatchingMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetContinueWatchingRequest, com.streaming.v1.GetContinueWatchingResponse> getGetContinueWatchingMethod;
    if ((getGetContinueWatchingMethod = QueryServiceGrpc.getGetContinueWatchingMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetContinueWatchingMethod = QueryServiceGrpc.getGetContinueWatchingMethod) == null) {
          QueryServiceGrpc.getGetContinueWatchingMethod = getGetContinueWatchingMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetContinueWatchingRequest, com.streaming.v1.GetContinueWatchingResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetContinueWatching"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetContinueWatchingRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetContinueWatchingResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetContinueWatchingMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetWatchHistoryRequest,
      com.streaming.v1.GetWatchHistoryResponse> getGetWatchHistoryMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetWatchHistory",
      requestType = com.streaming.v1.GetWatchHistoryRequest.class,
      responseType = com.streaming.v1.GetWatchHistoryResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetWatchHistoryRequest,
      com.streaming.v1.GetWatchHistoryResponse> getGetWatchHistoryMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetWatchHistoryRequest, com.streaming.v1.GetWatchHistoryResponse> getGetWatchHistoryMethod;
    if ((getGetWatchHistoryMethod = QueryServiceGrpc.getGetWatchHistoryMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetWatchHistoryMethod = QueryServiceGrpc.getGetWatchHistoryMethod) == null) {
          QueryServiceGrpc.getGetWatchHistoryMethod = getGetWatchHistoryMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetWatchHistoryRequest, com.streaming.v1.GetWatchHistoryResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetWatchHistory"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetWatchHistoryRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetWatchHistoryResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetWatchHistoryMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetContentRequest,
      com.streaming.v1.GetContentResponse> getGetContentMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetContent",
      requestType = com.streaming.v1.GetContentRequest.class,
      responseType = com.streaming.v1.GetContentResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetContentRequest,
      com.streaming.v1.GetContentResponse> getGetContentMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetContentRequest, com.streaming.v1.GetContentResponse> getGetContentMethod;
    if ((getGetContentMethod = QueryServiceGrpc.getGetContentMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetContentMethod = QueryServiceGrpc.getGetContentMethod) == null) {
          QueryServiceGrpc.getGetContentMethod = getGetContentMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetContentRequest, com.streaming.v1.GetContentResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetContent"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetContentRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetContentResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetContentMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.ListPlansRequest,
      com.streaming.v1.ListPlansResponse> getListPlansMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListPlans",
      requestType = com.streaming.v1.ListPlansRequest.class,
      responseType = com.streaming.v1.ListPlansResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.ListPlansRequest,
      com.streaming.v1.ListPlansResponse> getListPlansMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.ListPlansRequest, com.streaming.v1.ListPlansResponse> getListPlansMethod;
    if ((getListPlansMethod = QueryServiceGrpc.getListPlansMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getListPlansMethod = QueryServiceGrpc.getListPlansMethod) == null) {
          QueryServiceGrpc.getListPlansMethod = getListPlansMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.ListPlansRequest, com.streaming.v1.ListPlansResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPlans"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListPlansRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListPlansResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getListPlansMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetPlanRequest,
      com.streaming.v1.GetPlanResponse> getGetPlanMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetPlan",
      requestType = com.streaming.v1.GetPlanRequest.class,
      responseType = com.streaming.v1.GetPlanResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetPlanRequest,
      com.streaming.v1.GetPlanResponse> getGetPlanMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetPlanRequest, com.streaming.v1.GetPlanResponse> getGetPlanMethod;
    if ((getGetPlanMethod = QueryServiceGrpc.getGetPlanMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetPlanMethod = QueryServiceGrpc.getGetPlanMethod) == null) {
          QueryServiceGrpc.getGetPlanMethod = getGetPlanMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetPlanRequest, com.streaming.v1.GetPlanResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetPlan"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetPlanRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetPlanResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetPlanMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.ListInvoicesRequest,
      com.streaming.v1.ListInvoicesResponse> getListInvoicesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListInvoices",
      requestType = com.streaming.v1.ListInvoicesRequest.class,
      responseType = com.streaming.v1.ListInvoicesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.ListInvoicesRequest,
      com.streaming.v1.ListInvoicesResponse> getListInvoicesMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.ListInvoicesRequest, com.streaming.v1.ListInvoicesResponse> getListInvoicesMethod;
    if ((getListInvoicesMethod = QueryServiceGrpc.getListInvoicesMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getListInvoicesMethod = QueryServiceGrpc.getListInvoicesMethod) == null) {
          QueryServiceGrpc.getListInvoicesMethod = getListInvoicesMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.ListInvoicesRequest, com.streaming.v1.ListInvoicesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListInvoices"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListInvoicesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListInvoicesResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getListInvoicesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetRevenueReportRequest,
      com.streaming.v1.GetRevenueReportResponse> getGetRevenueReportMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetRevenueReport",
      requestType = com.streaming.v1.GetRevenueReportRequest.class,
      responseType = com.streaming.v1.GetRevenueReportResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetRevenueReportRequest,
      com.streaming.v1.GetRevenueReportResponse> getGetRevenueReportMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetRevenueReportRequest, com.streaming.v1.GetRevenueReportResponse> getGetRevenueReportMethod;
    if ((getGetRevenueReportMethod = QueryServiceGrpc.getGetRevenueReportMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetRevenueReportMethod = QueryServiceGrpc.getGetRevenueReportMethod) == null) {
          QueryServiceGrpc.getGetRevenueReportMethod = getGetRevenueReportMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetRevenueReportRequest, com.streaming.v1.GetRevenueReportResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetRevenueReport"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetRevenueReportRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetRevenueReportResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetRevenueReportMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetUserErasureRequest,
      com.streaming.v1.GetUserErasureResponse> getGetUserErasureMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetUserErasure",
      requestType = com.streaming.v1.GetUserErasureRequest.class,
      responseType = com.streaming.v1.GetUserErasureResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetUserErasureRequest,
      com.streaming.v1.GetUserErasureResponse> getGetUserErasureMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetUserErasureRequest, com.streaming.v1.GetUserErasureResponse> getGetUserErasureMethod;
    if ((getGetUserErasureMethod = QueryServiceGrpc.getGetUserErasureMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetUserErasureMethod = QueryServiceGrpc.getGetUserErasureMethod) == null) {
          QueryServiceGrpc.getGetUserErasureMethod = getGetUserErasureMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetUserErasureRequest, com.streaming.v1.GetUserErasureResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetUserErasure"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetUserErasureRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetUserErasureResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetUserErasureMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetAccountRiskRequest,
      com.streaming.v1.GetAccountRiskResponse> getGetAccountRiskMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetAccountRisk",
      requestType = com.streaming.v1.GetAccountRiskRequest.class,
      responseType = com.streaming.v1.GetAccountRiskResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetAccountRiskRequest,
      com.streaming.v1.GetAccountRiskResponse> getGetAccountRiskMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetAccountRiskRequest, com.streaming.v1.GetAccountRiskResponse> getGetAccountRiskMethod;
    if ((getGetAccountRiskMethod = QueryServiceGrpc.getGetAccountRiskMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetAccountRiskMethod = QueryServiceGrpc.getGetAccountRiskMethod) == null) {
          QueryServiceGrpc.getGetAccountRiskMethod = getGetAccountRiskMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetAccountRiskRequest, com.streaming.v1.GetAccountRiskResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetAccountRisk"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetAccountRiskRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetAccountRiskResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetAccountRiskMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.ListSuspiciousAccountsRequest,
      com.streaming.v1.ListSuspiciousAccountsResponse> getListSuspiciousAccountsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSuspiciousAccounts",
      requestType = com.streaming.v1.ListSuspiciousAccountsRequest.class,
      responseType = com.streaming.v1.ListSuspiciousAccountsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.ListSuspiciousAccountsRequest,
      com.streaming.v1.ListSuspiciousAccountsResponse> getListSuspiciousAccountsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.ListSuspiciousAccountsRequest, com.streaming.v1.ListSuspiciousAccountsResponse> getListSuspiciousAccountsMethod;
    if ((getListSuspiciousAccountsMethod = QueryServiceGrpc.getListSuspiciousAccountsMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getListSuspiciousAccountsMethod = QueryServiceGrpc.getListSuspiciousAccountsMethod) == null) {
          QueryServiceGrpc.getListSuspiciousAccountsMethod = getListSuspiciousAccountsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.ListSuspiciousAccountsRequest, com.streaming.v1.ListSuspiciousAccountsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSuspiciousAccounts"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListSuspiciousAccountsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.ListSuspiciousAccountsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getListSuspiciousAccountsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetContentAnalyticsRequest,
      com.streaming.v1.GetContentAnalyticsResponse> getGetContentAnalyticsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetContentAnalytics",
      requestType = com.streaming.v1.GetContentAnalyticsRequest.class,
      responseType = com.streaming.v1.GetContentAnalyticsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetContentAnalyticsRequest,
      com.streaming.v1.GetContentAnalyticsResponse> getGetContentAnalyticsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetContentAnalyticsRequest, com.streaming.v1.GetContentAnalyticsResponse> getGetContentAnalyticsMethod;
    if ((getGetContentAnalyticsMethod = QueryServiceGrpc.getGetContentAnalyticsMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetContentAnalyticsMethod = QueryServiceGrpc.getGetContentAnalyticsMethod) == null) {
          QueryServiceGrpc.getGetContentAnalyticsMethod = getGetContentAnalyticsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetContentAnalyticsRequest, com.streaming.v1.GetContentAnalyticsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetContentAnalytics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetContentAnalyticsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetContentAnalyticsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetContentAnalyticsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.streaming.v1.GetViewingStatsRequest,
      com.streaming.v1.GetViewingStatsResponse> getGetViewingStatsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetViewingStats",
      requestType = com.streaming.v1.GetViewingStatsRequest.class,
      responseType = com.streaming.v1.GetViewingStatsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.streaming.v1.GetViewingStatsRequest,
      com.streaming.v1.GetViewingStatsResponse> getGetViewingStatsMethod() {
    io.grpc.MethodDescriptor<com.streaming.v1.GetViewingStatsRequest, com.streaming.v1.GetViewingStatsResponse> getGetViewingStatsMethod;
    if ((getGetViewingStatsMethod = QueryServiceGrpc.getGetViewingStatsMethod) == null) {
      synchronized (QueryServiceGrpc.class) {
        if ((getGetViewingStatsMethod = QueryServiceGrpc.getGetViewingStatsMethod) == null) {
          QueryServiceGrpc.getGetViewingStatsMethod = getGetViewingStatsMethod =
              io.grpc.MethodDescriptor.<com.streaming.v1.GetViewingStatsRequest, com.streaming.v1.GetViewingStatsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetViewingStats"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetViewingStatsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.lite.ProtoLiteUtils.marshaller(
                  com.streaming.v1.GetViewingStatsResponse.getDefaultInstance()))
              .build();
        }
      }
    }
    return getGetViewingStatsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static QueryServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<QueryServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<QueryServiceStub>() {
        @java.lang.Override
        public QueryServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new QueryServiceStub(channel, callOptions);
        }
      };
    return QueryServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static QueryServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<QueryServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<QueryServiceBlockingV2Stub>() {
        @java.lang.Override
        public QueryServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new QueryServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return QueryServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static QueryServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<QueryServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<QueryServiceBlockingStub>() {
        @java.lang.Override
        public QueryServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new QueryServiceBlockingStub(channel, callOptions);
        }
      };
    return QueryServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static QueryServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<QueryServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<QueryServiceFutureStub>() {
        @java.lang.Override
        public QueryServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new QueryServiceFutureStub(channel, callOptions);
        }
      };
    return QueryServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
   * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * The user's profile with a summary of the active subscription.
     * </pre>
     */
    default void getUserProfile(com.streaming.v1.GetUserProfileRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetUserProfileResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetUserProfileMethod(), responseObserver);
    }

    /**
     * <pre>
     * The user's subscriptions, newest first.
     * </pre>
     */
    default void listSubscriptions(com.streaming.v1.ListSubscriptionsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListSubscriptionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSubscriptionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Titles recommended for the user, never one already watched, each with a score and a reason.
     * </pre>
     */
    default void getRecommendations(com.streaming.v1.GetRecommendationsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetRecommendationsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetRecommendationsMethod(), responseObserver);
    }

    /**
     * <pre>
     * The most watched titles over a window.
     * </pre>
     */
    default void getTrending(com.streaming.v1.GetTrendingRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetTrendingResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetTrendingMethod(), responseObserver);
    }

    /**
     * <pre>
     * Full-text catalog search with genre and rating filters and facets.
     * </pre>
     */
    default void searchContent(com.streaming.v1.SearchContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.SearchContentResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSearchContentMethod(), responseObserver);
    }

    /**
     * <pre>
     * Where the user stopped in each title they started, most recent first.
     * </pre>
     */
    default void getContinueWatching(com.streaming.v1.GetContinueWatchingRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetContinueWatchingResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetContinueWatchingMethod(), responseObserver);
    }

    /**
     * <pre>
     * The user's playback events for one title, newest first, paged.
     * </pre>
     */
    default void getWatchHistory(com.streaming.v1.GetWatchHistoryRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetWatchHistoryResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetWatchHistoryMethod(), responseObserver);
    }

    /**
     * <pre>
     * One catalog title.
     * </pre>
     */
    default void getContent(com.streaming.v1.GetContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetContentResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetContentMethod(), responseObserver);
    }

    /**
     * <pre>
     * The plan catalog: available plans first (cheapest first), then the others. Anonymous callers may list plans.
     * </pre>
     */
    default void listPlans(com.streaming.v1.ListPlansRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListPlansResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPlansMethod(), responseObserver);
    }

    /**
     * <pre>
     * One plan. Anonymous callers may read plans.
     * </pre>
     */
    default void getPlan(com.streaming.v1.GetPlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetPlanResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetPlanMethod(), responseObserver);
    }

    /**
     * <pre>
     * The user's invoices, newest first.
     * </pre>
     */
    default void listInvoices(com.streaming.v1.ListInvoicesRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListInvoicesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListInvoicesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Revenue collected per month and plan (paid invoices). Admin only.
     * </pre>
     */
    default void getRevenueReport(com.streaming.v1.GetRevenueReportRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetRevenueReportResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetRevenueReportMethod(), responseObserver);
    }

    /**
     * <pre>
     * How far a user's erasure (DeleteUser) has come, store by store. Admin only: an erased user has no session.
     * </pre>
     */
    default void getUserErasure(com.streaming.v1.GetUserErasureRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetUserErasureResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetUserErasureMethod(), responseObserver);
    }

    /**
     * <pre>
     * An account's sharing and fraud risk: a score from 0 to 100 and the signals behind it, read from the graph's links
     * between accounts (payment instruments, devices, networks). Admin only. An account without links scores 0.
     * </pre>
     */
    default void getAccountRisk(com.streaming.v1.GetAccountRiskRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetAccountRiskResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetAccountRiskMethod(), responseObserver);
    }

    /**
     * <pre>
     * Accounts with at least one risk signal, highest score first. Admin only.
     * </pre>
     */
    default void listSuspiciousAccounts(com.streaming.v1.ListSuspiciousAccountsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListSuspiciousAccountsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSuspiciousAccountsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Catalog analytics over the hourly playback roll-ups in the search server: totals, a date histogram, the top
     * titles and breakdowns by country and device, for a time range and optional filters. Admin only.
     * </pre>
     */
    default void getContentAnalytics(com.streaming.v1.GetContentAnalyticsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetContentAnalyticsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetContentAnalyticsMethod(), responseObserver);
    }

    /**
     * <pre>
     * A user's own viewing, from the playback history (Cassandra): time watched per day and per genre.
     * </pre>
     */
    default void getViewingStats(com.streaming.v1.GetViewingStatsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetViewingStatsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetViewingStatsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service QueryService.
   * <pre>
   * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
   * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
   * </pre>
   */
  public static abstract class QueryServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return QueryServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service QueryService.
   * <pre>
   * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
   * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
   * </pre>
   */
  public static final class QueryServiceStub
      extends io.grpc.stub.AbstractAsyncStub<QueryServiceStub> {
    private QueryServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected QueryServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new QueryServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * The user's profile with a summary of the active subscription.
     * </pre>
     */
    public void getUserProfile(com.streaming.v1.GetUserProfileRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetUserProfileResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetUserProfileMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The user's subscriptions, newest first.
     * </pre>
     */
    public void listSubscriptions(com.streaming.v1.ListSubscriptionsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListSubscriptionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSubscriptionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Titles recommended for the user, never one already watched, each with a score and a reason.
     * </pre>
     */
    public void getRecommendations(com.streaming.v1.GetRecommendationsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetRecommendationsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetRecommendationsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The most watched titles over a window.
     * </pre>
     */
    public void getTrending(com.streaming.v1.GetTrendingRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetTrendingResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetTrendingMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Full-text catalog search with genre and rating filters and facets.
     * </pre>
     */
    public void searchContent(com.streaming.v1.SearchContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.SearchContentResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSearchContentMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Where the user stopped in each title they started, most recent first.
     * </pre>
     */
    public void getContinueWatching(com.streaming.v1.GetContinueWatchingRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetContinueWatchingResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetContinueWatchingMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The user's playback events for one title, newest first, paged.
     * </pre>
     */
    public void getWatchHistory(com.streaming.v1.GetWatchHistoryRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetWatchHistoryResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetWatchHistoryMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * One catalog title.
     * </pre>
     */
    public void getContent(com.streaming.v1.GetContentRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetContentResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetContentMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The plan catalog: available plans first (cheapest first), then the others. Anonymous callers may list plans.
     * </pre>
     */
    public void listPlans(com.streaming.v1.ListPlansRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListPlansResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPlansMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * One plan. Anonymous callers may read plans.
     * </pre>
     */
    public void getPlan(com.streaming.v1.GetPlanRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetPlanResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetPlanMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The user's invoices, newest first.
     * </pre>
     */
    public void listInvoices(com.streaming.v1.ListInvoicesRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListInvoicesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListInvoicesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Revenue collected per month and plan (paid invoices). Admin only.
     * </pre>
     */
    public void getRevenueReport(com.streaming.v1.GetRevenueReportRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetRevenueReportResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetRevenueReportMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * How far a user's erasure (DeleteUser) has come, store by store. Admin only: an erased user has no session.
     * </pre>
     */
    public void getUserErasure(com.streaming.v1.GetUserErasureRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetUserErasureResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetUserErasureMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * An account's sharing and fraud risk: a score from 0 to 100 and the signals behind it, read from the graph's links
     * between accounts (payment instruments, devices, networks). Admin only. An account without links scores 0.
     * </pre>
     */
    public void getAccountRisk(com.streaming.v1.GetAccountRiskRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetAccountRiskResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetAccountRiskMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Accounts with at least one risk signal, highest score first. Admin only.
     * </pre>
     */
    public void listSuspiciousAccounts(com.streaming.v1.ListSuspiciousAccountsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.ListSuspiciousAccountsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSuspiciousAccountsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Catalog analytics over the hourly playback roll-ups in the search server: totals, a date histogram, the top
     * titles and breakdowns by country and device, for a time range and optional filters. Admin only.
     * </pre>
     */
    public void getContentAnalytics(com.streaming.v1.GetContentAnalyticsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetContentAnalyticsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetContentAnalyticsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A user's own viewing, from the playback history (Cassandra): time watched per day and per genre.
     * </pre>
     */
    public void getViewingStats(com.streaming.v1.GetViewingStatsRequest request,
        io.grpc.stub.StreamObserver<com.streaming.v1.GetViewingStatsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetViewingStatsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service QueryService.
   * <pre>
   * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
   * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
   * </pre>
   */
  public static final class QueryServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<QueryServiceBlockingV2Stub> {
    private QueryServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected QueryServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new QueryServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * The user's profile with a summary of the active subscription.
     * </pre>
     */
    public com.streaming.v1.GetUserProfileResponse getUserProfile(com.streaming.v1.GetUserProfileRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetUserProfileMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's subscriptions, newest first.
     * </pre>
     */
    public com.streaming.v1.ListSubscriptionsResponse listSubscriptions(com.streaming.v1.ListSubscriptionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSubscriptionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Titles recommended for the user, never one already watched, each with a score and a reason.
     * </pre>
     */
    public com.streaming.v1.GetRecommendationsResponse getRecommendations(com.streaming.v1.GetRecommendationsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetRecommendationsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The most watched titles over a window.
     * </pre>
     */
    public com.streaming.v1.GetTrendingResponse getTrending(com.streaming.v1.GetTrendingRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetTrendingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Full-text catalog search with genre and rating filters and facets.
     * </pre>
     */
    public com.streaming.v1.SearchContentResponse searchContent(com.streaming.v1.SearchContentRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSearchContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Where the user stopped in each title they started, most recent first.
     * </pre>
     */
    public com.streaming.v1.GetContinueWatchingResponse getContinueWatching(com.streaming.v1.GetContinueWatchingRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetContinueWatchingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's playback events for one title, newest first, paged.
     * </pre>
     */
    public com.streaming.v1.GetWatchHistoryResponse getWatchHistory(com.streaming.v1.GetWatchHistoryRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetWatchHistoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One catalog title.
     * </pre>
     */
    public com.streaming.v1.GetContentResponse getContent(com.streaming.v1.GetContentRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The plan catalog: available plans first (cheapest first), then the others. Anonymous callers may list plans.
     * </pre>
     */
    public com.streaming.v1.ListPlansResponse listPlans(com.streaming.v1.ListPlansRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListPlansMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One plan. Anonymous callers may read plans.
     * </pre>
     */
    public com.streaming.v1.GetPlanResponse getPlan(com.streaming.v1.GetPlanRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetPlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's invoices, newest first.
     * </pre>
     */
    public com.streaming.v1.ListInvoicesResponse listInvoices(com.streaming.v1.ListInvoicesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListInvoicesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Revenue collected per month and plan (paid invoices). Admin only.
     * </pre>
     */
    public com.streaming.v1.GetRevenueReportResponse getRevenueReport(com.streaming.v1.GetRevenueReportRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetRevenueReportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * How far a user's erasure (DeleteUser) has come, store by store. Admin only: an erased user has no session.
     * </pre>
     */
    public com.streaming.v1.GetUserErasureResponse getUserErasure(com.streaming.v1.GetUserErasureRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetUserErasureMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * An account's sharing and fraud risk: a score from 0 to 100 and the signals behind it, read from the graph's links
     * between accounts (payment instruments, devices, networks). Admin only. An account without links scores 0.
     * </pre>
     */
    public com.streaming.v1.GetAccountRiskResponse getAccountRisk(com.streaming.v1.GetAccountRiskRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetAccountRiskMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Accounts with at least one risk signal, highest score first. Admin only.
     * </pre>
     */
    public com.streaming.v1.ListSuspiciousAccountsResponse listSuspiciousAccounts(com.streaming.v1.ListSuspiciousAccountsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSuspiciousAccountsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Catalog analytics over the hourly playback roll-ups in the search server: totals, a date histogram, the top
     * titles and breakdowns by country and device, for a time range and optional filters. Admin only.
     * </pre>
     */
    public com.streaming.v1.GetContentAnalyticsResponse getContentAnalytics(com.streaming.v1.GetContentAnalyticsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetContentAnalyticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A user's own viewing, from the playback history (Cassandra): time watched per day and per genre.
     * </pre>
     */
    public com.streaming.v1.GetViewingStatsResponse getViewingStats(com.streaming.v1.GetViewingStatsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetViewingStatsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service QueryService.
   * <pre>
   * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
   * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
   * </pre>
   */
  public static final class QueryServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<QueryServiceBlockingStub> {
    private QueryServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected QueryServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new QueryServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * The user's profile with a summary of the active subscription.
     * </pre>
     */
    public com.streaming.v1.GetUserProfileResponse getUserProfile(com.streaming.v1.GetUserProfileRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetUserProfileMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's subscriptions, newest first.
     * </pre>
     */
    public com.streaming.v1.ListSubscriptionsResponse listSubscriptions(com.streaming.v1.ListSubscriptionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSubscriptionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Titles recommended for the user, never one already watched, each with a score and a reason.
     * </pre>
     */
    public com.streaming.v1.GetRecommendationsResponse getRecommendations(com.streaming.v1.GetRecommendationsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetRecommendationsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The most watched titles over a window.
     * </pre>
     */
    public com.streaming.v1.GetTrendingResponse getTrending(com.streaming.v1.GetTrendingRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetTrendingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Full-text catalog search with genre and rating filters and facets.
     * </pre>
     */
    public com.streaming.v1.SearchContentResponse searchContent(com.streaming.v1.SearchContentRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSearchContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Where the user stopped in each title they started, most recent first.
     * </pre>
     */
    public com.streaming.v1.GetContinueWatchingResponse getContinueWatching(com.streaming.v1.GetContinueWatchingRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetContinueWatchingMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's playback events for one title, newest first, paged.
     * </pre>
     */
    public com.streaming.v1.GetWatchHistoryResponse getWatchHistory(com.streaming.v1.GetWatchHistoryRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetWatchHistoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One catalog title.
     * </pre>
     */
    public com.streaming.v1.GetContentResponse getContent(com.streaming.v1.GetContentRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetContentMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The plan catalog: available plans first (cheapest first), then the others. Anonymous callers may list plans.
     * </pre>
     */
    public com.streaming.v1.ListPlansResponse listPlans(com.streaming.v1.ListPlansRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPlansMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * One plan. Anonymous callers may read plans.
     * </pre>
     */
    public com.streaming.v1.GetPlanResponse getPlan(com.streaming.v1.GetPlanRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetPlanMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's invoices, newest first.
     * </pre>
     */
    public com.streaming.v1.ListInvoicesResponse listInvoices(com.streaming.v1.ListInvoicesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListInvoicesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Revenue collected per month and plan (paid invoices). Admin only.
     * </pre>
     */
    public com.streaming.v1.GetRevenueReportResponse getRevenueReport(com.streaming.v1.GetRevenueReportRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetRevenueReportMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * How far a user's erasure (DeleteUser) has come, store by store. Admin only: an erased user has no session.
     * </pre>
     */
    public com.streaming.v1.GetUserErasureResponse getUserErasure(com.streaming.v1.GetUserErasureRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetUserErasureMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * An account's sharing and fraud risk: a score from 0 to 100 and the signals behind it, read from the graph's links
     * between accounts (payment instruments, devices, networks). Admin only. An account without links scores 0.
     * </pre>
     */
    public com.streaming.v1.GetAccountRiskResponse getAccountRisk(com.streaming.v1.GetAccountRiskRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetAccountRiskMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Accounts with at least one risk signal, highest score first. Admin only.
     * </pre>
     */
    public com.streaming.v1.ListSuspiciousAccountsResponse listSuspiciousAccounts(com.streaming.v1.ListSuspiciousAccountsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSuspiciousAccountsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Catalog analytics over the hourly playback roll-ups in the search server: totals, a date histogram, the top
     * titles and breakdowns by country and device, for a time range and optional filters. Admin only.
     * </pre>
     */
    public com.streaming.v1.GetContentAnalyticsResponse getContentAnalytics(com.streaming.v1.GetContentAnalyticsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetContentAnalyticsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A user's own viewing, from the playback history (Cassandra): time watched per day and per genre.
     * </pre>
     */
    public com.streaming.v1.GetViewingStatsResponse getViewingStats(com.streaming.v1.GetViewingStatsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetViewingStatsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service QueryService.
   * <pre>
   * QueryService reads the platform's read models: Redis (profiles, caches, trending), Neo4j (recommendations), the
   * search server (catalog search) and Cassandra (watch history). Users may read only their own data.
   * </pre>
   */
  public static final class QueryServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<QueryServiceFutureStub> {
    private QueryServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected QueryServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new QueryServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * The user's profile with a summary of the active subscription.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetUserProfileResponse> getUserProfile(
        com.streaming.v1.GetUserProfileRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetUserProfileMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The user's subscriptions, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.ListSubscriptionsResponse> listSubscriptions(
        com.streaming.v1.ListSubscriptionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSubscriptionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Titles recommended for the user, never one already watched, each with a score and a reason.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetRecommendationsResponse> getRecommendations(
        com.streaming.v1.GetRecommendationsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetRecommendationsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The most watched titles over a window.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetTrendingResponse> getTrending(
        com.streaming.v1.GetTrendingRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetTrendingMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Full-text catalog search with genre and rating filters and facets.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.SearchContentResponse> searchContent(
        com.streaming.v1.SearchContentRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSearchContentMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Where the user stopped in each title they started, most recent first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetContinueWatchingResponse> getContinueWatching(
        com.streaming.v1.GetContinueWatchingRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetContinueWatchingMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The user's playback events for one title, newest first, paged.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetWatchHistoryResponse> getWatchHistory(
        com.streaming.v1.GetWatchHistoryRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetWatchHistoryMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * One catalog title.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetContentResponse> getContent(
        com.streaming.v1.GetContentRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetContentMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The plan catalog: available plans first (cheapest first), then the others. Anonymous callers may list plans.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.ListPlansResponse> listPlans(
        com.streaming.v1.ListPlansRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPlansMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * One plan. Anonymous callers may read plans.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetPlanResponse> getPlan(
        com.streaming.v1.GetPlanRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetPlanMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The user's invoices, newest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.ListInvoicesResponse> listInvoices(
        com.streaming.v1.ListInvoicesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListInvoicesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Revenue collected per month and plan (paid invoices). Admin only.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetRevenueReportResponse> getRevenueReport(
        com.streaming.v1.GetRevenueReportRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetRevenueReportMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * How far a user's erasure (DeleteUser) has come, store by store. Admin only: an erased user has no session.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetUserErasureResponse> getUserErasure(
        com.streaming.v1.GetUserErasureRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetUserErasureMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * An account's sharing and fraud risk: a score from 0 to 100 and the signals behind it, read from the graph's links
     * between accounts (payment instruments, devices, networks). Admin only. An account without links scores 0.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetAccountRiskResponse> getAccountRisk(
        com.streaming.v1.GetAccountRiskRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetAccountRiskMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Accounts with at least one risk signal, highest score first. Admin only.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.ListSuspiciousAccountsResponse> listSuspiciousAccounts(
        com.streaming.v1.ListSuspiciousAccountsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSuspiciousAccountsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Catalog analytics over the hourly playback roll-ups in the search server: totals, a date histogram, the top
     * titles and breakdowns by country and device, for a time range and optional filters. Admin only.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetContentAnalyticsResponse> getContentAnalytics(
        com.streaming.v1.GetContentAnalyticsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetContentAnalyticsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A user's own viewing, from the playback history (Cassandra): time watched per day and per genre.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.streaming.v1.GetViewingStatsResponse> getViewingStats(
        com.streaming.v1.GetViewingStatsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetViewingStatsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_USER_PROFILE = 0;
  private static final int METHODID_LIST_SUBSCRIPTIONS = 1;
  private static final int METHODID_GET_RECOMMENDATIONS = 2;
  private static final int METHODID_GET_TRENDING = 3;
  private static final int METHODID_SEARCH_CONTENT = 4;
  private static final int METHODID_GET_CONTINUE_WATCHING = 5;
  private static final int METHODID_GET_WATCH_HISTORY = 6;
  private static final int METHODID_GET_CONTENT = 7;
  private static final int METHODID_LIST_PLANS = 8;
  private static final int METHODID_GET_PLAN = 9;
  private static final int METHODID_LIST_INVOICES = 10;
  private static final int METHODID_GET_REVENUE_REPORT = 11;
  private static final int METHODID_GET_USER_ERASURE = 12;
  private static final int METHODID_GET_ACCOUNT_RISK = 13;
  private static final int METHODID_LIST_SUSPICIOUS_ACCOUNTS = 14;
  private static final int METHODID_GET_CONTENT_ANALYTICS = 15;
  private static final int METHODID_GET_VIEWING_STATS = 16;

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
        case METHODID_GET_USER_PROFILE:
          serviceImpl.getUserProfile((com.streaming.v1.GetUserProfileRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetUserProfileResponse>) responseObserver);
          break;
        case METHODID_LIST_SUBSCRIPTIONS:
          serviceImpl.listSubscriptions((com.streaming.v1.ListSubscriptionsRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.ListSubscriptionsResponse>) responseObserver);
          break;
        case METHODID_GET_RECOMMENDATIONS:
          serviceImpl.getRecommendations((com.streaming.v1.GetRecommendationsRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetRecommendationsResponse>) responseObserver);
          break;
        case METHODID_GET_TRENDING:
          serviceImpl.getTrending((com.streaming.v1.GetTrendingRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetTrendingResponse>) responseObserver);
          break;
        case METHODID_SEARCH_CONTENT:
          serviceImpl.searchContent((com.streaming.v1.SearchContentRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.SearchContentResponse>) responseObserver);
          break;
        case METHODID_GET_CONTINUE_WATCHING:
          serviceImpl.getContinueWatching((com.streaming.v1.GetContinueWatchingRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetContinueWatchingResponse>) responseObserver);
          break;
        case METHODID_GET_WATCH_HISTORY:
          serviceImpl.getWatchHistory((com.streaming.v1.GetWatchHistoryRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetWatchHistoryResponse>) responseObserver);
          break;
        case METHODID_GET_CONTENT:
          serviceImpl.getContent((com.streaming.v1.GetContentRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetContentResponse>) responseObserver);
          break;
        case METHODID_LIST_PLANS:
          serviceImpl.listPlans((com.streaming.v1.ListPlansRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.ListPlansResponse>) responseObserver);
          break;
        case METHODID_GET_PLAN:
          serviceImpl.getPlan((com.streaming.v1.GetPlanRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetPlanResponse>) responseObserver);
          break;
        case METHODID_LIST_INVOICES:
          serviceImpl.listInvoices((com.streaming.v1.ListInvoicesRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.ListInvoicesResponse>) responseObserver);
          break;
        case METHODID_GET_REVENUE_REPORT:
          serviceImpl.getRevenueReport((com.streaming.v1.GetRevenueReportRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetRevenueReportResponse>) responseObserver);
          break;
        case METHODID_GET_USER_ERASURE:
          serviceImpl.getUserErasure((com.streaming.v1.GetUserErasureRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetUserErasureResponse>) responseObserver);
          break;
        case METHODID_GET_ACCOUNT_RISK:
          serviceImpl.getAccountRisk((com.streaming.v1.GetAccountRiskRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetAccountRiskResponse>) responseObserver);
          break;
        case METHODID_LIST_SUSPICIOUS_ACCOUNTS:
          serviceImpl.listSuspiciousAccounts((com.streaming.v1.ListSuspiciousAccountsRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.ListSuspiciousAccountsResponse>) responseObserver);
          break;
        case METHODID_GET_CONTENT_ANALYTICS:
          serviceImpl.getContentAnalytics((com.streaming.v1.GetContentAnalyticsRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetContentAnalyticsResponse>) responseObserver);
          break;
        case METHODID_GET_VIEWING_STATS:
          serviceImpl.getViewingStats((com.streaming.v1.GetViewingStatsRequest) request,
              (io.grpc.stub.StreamObserver<com.streaming.v1.GetViewingStatsResponse>) responseObserver);
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
          getGetUserProfileMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetUserProfileRequest,
              com.streaming.v1.GetUserProfileResponse>(
                service, METHODID_GET_USER_PROFILE)))
        .addMethod(
          getListSubscriptionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.ListSubscriptionsRequest,
              com.streaming.v1.ListSubscriptionsResponse>(
                service, METHODID_LIST_SUBSCRIPTIONS)))
        .addMethod(
          getGetRecommendationsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetRecommendationsRequest,
              com.streaming.v1.GetRecommendationsResponse>(
                service, METHODID_GET_RECOMMENDATIONS)))
        .addMethod(
          getGetTrendingMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetTrendingRequest,
              com.streaming.v1.GetTrendingResponse>(
                service, METHODID_GET_TRENDING)))
        .addMethod(
          getSearchContentMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.SearchContentRequest,
              com.streaming.v1.SearchContentResponse>(
                service, METHODID_SEARCH_CONTENT)))
        .addMethod(
          getGetContinueWatchingMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetContinueWatchingRequest,
              com.streaming.v1.GetContinueWatchingResponse>(
                service, METHODID_GET_CONTINUE_WATCHING)))
        .addMethod(
          getGetWatchHistoryMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetWatchHistoryRequest,
              com.streaming.v1.GetWatchHistoryResponse>(
                service, METHODID_GET_WATCH_HISTORY)))
        .addMethod(
          getGetContentMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetContentRequest,
              com.streaming.v1.GetContentResponse>(
                service, METHODID_GET_CONTENT)))
        .addMethod(
          getListPlansMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.ListPlansRequest,
              com.streaming.v1.ListPlansResponse>(
                service, METHODID_LIST_PLANS)))
        .addMethod(
          getGetPlanMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetPlanRequest,
              com.streaming.v1.GetPlanResponse>(
                service, METHODID_GET_PLAN)))
        .addMethod(
          getListInvoicesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.ListInvoicesRequest,
              com.streaming.v1.ListInvoicesResponse>(
                service, METHODID_LIST_INVOICES)))
        .addMethod(
          getGetRevenueReportMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetRevenueReportRequest,
              com.streaming.v1.GetRevenueReportResponse>(
                service, METHODID_GET_REVENUE_REPORT)))
        .addMethod(
          getGetUserErasureMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetUserErasureRequest,
              com.streaming.v1.GetUserErasureResponse>(
                service, METHODID_GET_USER_ERASURE)))
        .addMethod(
          getGetAccountRiskMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetAccountRiskRequest,
              com.streaming.v1.GetAccountRiskResponse>(
                service, METHODID_GET_ACCOUNT_RISK)))
        .addMethod(
          getListSuspiciousAccountsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.ListSuspiciousAccountsRequest,
              com.streaming.v1.ListSuspiciousAccountsResponse>(
                service, METHODID_LIST_SUSPICIOUS_ACCOUNTS)))
        .addMethod(
          getGetContentAnalyticsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetContentAnalyticsRequest,
              com.streaming.v1.GetContentAnalyticsResponse>(
                service, METHODID_GET_CONTENT_ANALYTICS)))
        .addMethod(
          getGetViewingStatsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              com.streaming.v1.GetViewingStatsRequest,
              com.streaming.v1.GetViewingStatsResponse>(
                service, METHODID_GET_VIEWING_STATS)))
        .build();
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (QueryServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .addMethod(getGetUserProfileMethod())
              .addMethod(getListSubscriptionsMethod())
              .addMethod(getGetRecommendationsMethod())
              .addMethod(getGetTrendingMethod())
              .addMethod(getSearchContentMethod())
              .addMethod(getGetContinueWatchingMethod())
              .addMethod(getGetWatchHistoryMethod())
              .addMethod(getGetContentMethod())
              .addMethod(getListPlansMethod())
              .addMethod(getGetPlanMethod())
              .addMethod(getListInvoicesMethod())
              .addMethod(getGetRevenueReportMethod())
              .addMethod(getGetUserErasureMethod())
              .addMethod(getGetAccountRiskMethod())
              .addMethod(getListSuspiciousAccountsMethod())
              .addMethod(getGetContentAnalyticsMethod())
              .addMethod(getGetViewingStatsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
