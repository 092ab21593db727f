package com.streaming.client

import io.grpc.Metadata
import io.grpc.Status
import io.grpc.StatusException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import java.time.Duration

class StatusDetailsTest {
    @Test
    fun `RetryInfo is read from the grpc-status-details-bin trailer`() {
        val e = retryInfoFailure(Status.Code.RESOURCE_EXHAUSTED, 1_500)
        val details = StatusDetails.from(e)!!
        assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), details.code)
        assertEquals("slow down", details.message)
        assertEquals(listOf("google.rpc.RetryInfo"), details.typeNames)
        assertEquals(Duration.ofMillis(1_500), details.retryDelay)
        assertEquals(Duration.ofMillis(1_500), e.retryDelay)
    }

    @Test
    fun `no trailer, or one that does not parse, means no details`() {
        assertNull(StatusDetails.from(StatusException(Status.UNAVAILABLE)))
        assertNull(StatusException(Status.UNAVAILABLE).retryDelay)
        val garbage = Metadata().apply { put(StatusDetails.KEY, byteArrayOf(0x1a, 0x7f, 0x01)) }
        assertNull(StatusDetails.from(garbage))
    }
}
