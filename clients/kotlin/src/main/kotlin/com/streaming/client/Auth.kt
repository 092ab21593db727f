package com.streaming.client

import com.streaming.v1.User
import io.grpc.CallCredentials
import io.grpc.Metadata
import java.time.Instant
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicReference

/** A signed-in user: the bearer token Login returned, when it ends at the latest, and who it is. */
data class Session(val token: String, val user: User, val expireTime: Instant?)

/**
 * The bearer token a client's calls carry: a session token from Login, or an operator's admin or service credential.
 * Null means anonymous calls. Safe to use from any thread; a token set here applies to the next call.
 */
class TokenStore(token: String? = null) {
    private val current = AtomicReference(token?.let { Token(it, null) })

    private class Token(val value: String, val session: Session?)

    /** The token sent now, or null. */
    val token: String? get() = current.get()?.value

    /** The session that set the token, when it came from [StreamingClient.login]. */
    val session: Session? get() = current.get()?.session

    /**
     * Called when a call that carried a token was answered `Unauthenticated` (the session ended: idle timeout,
     * its absolute end, a logout elsewhere). The token has been forgotten by then; an app shows its sign-in here.
     */
    @Volatile
    var onUnauthenticated: ((String) -> Unit)? = null

    fun set(token: String?) = current.set(token?.let { Token(it, null) })

    fun set(session: Session) = current.set(Token(session.token, session))

    fun clear() = current.set(null)

    /** Forgets [token] if it is still the current one and tells [onUnauthenticated]. */
    internal fun rejected(token: String) {
        val now = current.get()
        if (now != null && now.value == token && current.compareAndSet(now, null)) {
            onUnauthenticated?.invoke(token)
        }
    }
}

/**
 * Call credentials that send `authorization: Bearer <token>` from a [TokenStore], or nothing when it holds none.
 * They do not ask for transport security, so a local plaintext server can be used; anywhere else, connect over TLS.
 */
class BearerCredentials(private val tokens: TokenStore) : CallCredentials() {
    override fun applyRequestMetadata(requestInfo: RequestInfo, appExecutor: Executor, applier: MetadataApplier) {
        val headers = Metadata()
        tokens.token?.let { headers.put(AUTHORIZATION, "Bearer $it") }
        applier.apply(headers)
    }

    internal companion object {
        val AUTHORIZATION: Metadata.Key<String> = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)
    }
}
