package com.streaming.client

import com.google.protobuf.GeneratedMessageLite
import com.google.protobuf.timestamp
import com.streaming.v1.Device
import com.streaming.v1.IngestServiceGrpc
import com.streaming.v1.PlaybackEvent
import com.streaming.v1.VideoQuality
import com.streaming.v1.playbackEvent
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.time.Instant
import java.util.UUID

/** The stubs of gen/ are protobuf lite, with Kotlin builders, as an Android app needs. */
class GeneratedCodeTest {
    @Test
    fun `messages are lite and round-trip through the Kotlin builders`() {
        val event = playbackEvent {
            eventId = UUID.randomUUID().toString()
            userId = UUID.randomUUID().toString()
            contentId = UUID.randomUUID().toString()
            occurTime = timestamp { seconds = Instant.now().epochSecond }
            playedSeconds = 10
            positionSeconds = 125
            device = Device.DEVICE_MOBILE
            quality = VideoQuality.VIDEO_QUALITY_HD
        }
        assertEquals(GeneratedMessageLite::class.java, PlaybackEvent::class.java.superclass, "not a lite message")
        assertEquals(event, PlaybackEvent.parseFrom(event.toByteArray()))
    }

    @Test
    fun `the gRPC descriptors name the contract's methods`() {
        assertEquals("streaming.v1.IngestService/IngestPlaybackEvents", IngestServiceGrpc.getIngestPlaybackEventsMethod().fullMethodName)
    }
}
