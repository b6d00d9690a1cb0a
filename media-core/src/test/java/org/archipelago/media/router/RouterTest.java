package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.router.RouterTestPackets.CountingRequestSink;
import org.archipelago.media.router.RouterTestPackets.RecordingSink;
import org.archipelago.media.rtp.RtpPacket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.archipelago.media.router.RouterTestPackets.OPUS;
import static org.archipelago.media.router.RouterTestPackets.RED;
import static org.archipelago.media.router.RouterTestPackets.VP8;
import static org.archipelago.media.router.RouterTestPackets.audio;
import static org.archipelago.media.router.RouterTestPackets.paddingOnly;
import static org.archipelago.media.router.RouterTestPackets.red;
import static org.archipelago.media.router.RouterTestPackets.vp8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The router's fan-out, key frame gating, switching and key frame requests, on a virtual clock
 * (milliseconds). Publishers' SSRCs are 0xA0..; downstreams' rewriters start at seq 1000, ts 0.
 */
class RouterTest {
    private static final int TAILROOM = 16;
    private static final long CAMERA_SSRC = 0xA0000001L;
    private static final long SCREEN_SSRC = 0xA0000002L;

    private final RtpPacket view = new RtpPacket();
    private Router router;
    private CountingRequestSink cameraRequests;
    private Source camera;

    @BeforeEach
    void createRoom() {
        router = new Router(PooledByteBufAllocator.DEFAULT, TAILROOM,
                new KeyframeThrottle(ms(500), ms(1000), 2), new SplittableRandom(1));
        cameraRequests = new CountingRequestSink();
        camera = router.addSource("teacher/camera", KeyframeDetector.VP8, cameraRequests);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private Downstream video(String id, long ssrc, RecordingSink sink) {
        return router.addDownstream(id, new RtpStreamRewriter(ssrc, 90_000, 1000, 0), sink);
    }

    /** Hands one packet to the router and releases it, as a peer's receive path does. */
    private void receive(Source source, ByteBuf packet, long nowMs) {
        try {
            view.wrap(packet);
            router.onRtp(source, view, ms(nowMs));
        } finally {
            packet.release();
        }
    }

    @Test
    void aNewSubscriberWaitsForAKeyframeThenGetsItsOwnContinuousStream() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student-1/camera", 0xB0000001L, sink);
        router.subscribe(student, camera, ms(0));
        assertTrue(student.isWaitingForKeyframe());
        assertEquals(1, cameraRequests.requests, "joining asks the publisher for a key frame at once");

        receive(camera, vp8(CAMERA_SSRC, 500, 90_000, false), 10);
        receive(camera, vp8(CAMERA_SSRC, 501, 90_000, false), 10);
        assertEquals(0, sink.count());
        assertEquals(2, student.droppedWaitingForKeyframe());

        receive(camera, vp8(CAMERA_SSRC, 502, 93_000, true), 40);
        receive(camera, vp8(CAMERA_SSRC, 503, 93_000, false), 40);
        receive(camera, vp8(CAMERA_SSRC, 505, 96_000, false), 73);   // 504 lost upstream
        assertFalse(student.isWaitingForKeyframe());
        assertSame(camera, student.source());
        assertEquals(3, sink.count());
        assertEquals(0xB0000001L, sink.packets.get(0).ssrc());
        assertEquals(1000, sink.packets.get(0).seq());
        assertEquals(0, sink.packets.get(0).ts());
        assertEquals(1001, sink.packets.get(1).seq());
        assertEquals(1003, sink.packets.get(2).seq(), "the upstream loss stays a gap");
        assertEquals(3000, sink.packets.get(2).ts());
        assertEquals(3, student.forwarded());
        assertEquals(1, camera.keyframes());
        assertEquals(1, camera.keyframeRequester().satisfied());
    }

    @Test
    void fanOutCopiesOncePerSubscriberAndLeavesTheSourcePacketAlone() {
        RecordingSink[] sinks = new RecordingSink[3];
        for (int i = 0; i < sinks.length; i++) {
            sinks[i] = new RecordingSink(TAILROOM);
            router.subscribe(video("s" + i, 0xB0000000L + i, sinks[i]), camera, ms(0));
        }
        assertEquals(1, cameraRequests.requests, "three joiners, one request");

        ByteBuf keyframe = vp8(CAMERA_SSRC, 7, 1234, true);
        try {
            byte[] before = io.netty.buffer.ByteBufUtil.getBytes(keyframe);
            view.wrap(keyframe);
            router.onRtp(camera, view, ms(5));
            assertArrayEquals(before, io.netty.buffer.ByteBufUtil.getBytes(keyframe), "source packet untouched");
            for (int i = 0; i < sinks.length; i++) {
                assertEquals(1, sinks[i].count());
                assertEquals(0xB0000000L + i, sinks[i].last().ssrc());
                assertArrayEquals(io.netty.buffer.ByteBufUtil.getBytes(keyframe, RtpPacket.FIXED_HEADER_LENGTH,
                        keyframe.readableBytes() - RtpPacket.FIXED_HEADER_LENGTH), sinks[i].last().payload());
            }
        } finally {
            keyframe.release();
        }
    }

    @Test
    void aSwitchKeepsTheOldSourceUntilTheNewOnesKeyframeAndTheStreamStaysContinuous() {
        CountingRequestSink screenRequests = new CountingRequestSink();
        Source screen = router.addSource("teacher/screen", KeyframeDetector.VP8, screenRequests);
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream stage = video("student-1/stage", 0xB0000001L, sink);

        router.subscribe(stage, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 100, 9000, true), 0);
        receive(camera, vp8(CAMERA_SSRC, 101, 12_000, false), 33);

        router.subscribe(stage, screen, ms(50));                      // stage switches to the screen share
        assertEquals(1, screenRequests.requests);
        assertSame(camera, stage.source());
        assertSame(screen, stage.pendingSource());

        receive(camera, vp8(CAMERA_SSRC, 102, 15_000, false), 66);    // still forwarded
        receive(screen, vp8(SCREEN_SSRC, 40_000, 5_000_000, false), 70); // not yet: no key frame
        assertEquals(3, sink.count());
        assertEquals(1, stage.droppedWaitingForKeyframe());

        receive(screen, vp8(SCREEN_SSRC, 40_001, 5_000_000, true), 166);
        receive(camera, vp8(CAMERA_SSRC, 103, 18_000, false), 166);   // the old source no longer
        receive(screen, vp8(SCREEN_SSRC, 40_002, 5_009_000, false), 266);

        assertSame(screen, stage.source());
        assertEquals(5, sink.count());
        // Sequence: 1000, 1001, 1002 from the camera, then 1003, 1004 from the screen.
        assertEquals(1003, sink.packets.get(3).seq());
        assertEquals(1004, sink.packets.get(4).seq());
        // Timestamp: the camera's last (6000) was sent at 66 ms; the switch came 100 ms later.
        assertEquals(6000 + 9000, sink.packets.get(3).ts());
        assertEquals(6000 + 9000 + 9000, sink.packets.get(4).ts());
        assertEquals(1, stage.rewriter().sourceSwitches());

        // The camera's array no longer holds the downstream.
        assertEquals(0, camera.downstreams.length);
    }

    @Test
    void switchingBackBeforeTheKeyframeCancelsTheSwitch() {
        Source screen = router.addSource("teacher/screen", KeyframeDetector.VP8, new CountingRequestSink());
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream stage = video("stage", 0xB0000001L, sink);
        router.subscribe(stage, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 100, 9000, true), 0);
        router.subscribe(stage, screen, ms(10));
        router.subscribe(stage, camera, ms(20));
        assertSame(camera, stage.source());
        assertNull(stage.pendingSource());
        assertEquals(0, screen.downstreams.length);
        receive(screen, vp8(SCREEN_SSRC, 1, 0, true), 30);
        receive(camera, vp8(CAMERA_SSRC, 101, 9000, false), 30);
        assertEquals(2, sink.count());
        assertEquals(0, stage.droppedWaitingForKeyframe());
    }

    @Test
    void manyJoinersCauseOneRequestAndAnUnansweredOneIsRetried() {
        for (int i = 0; i < 30; i++) {
            router.subscribe(video("s" + i, 0xB0000000L + i, new RecordingSink(TAILROOM)), camera, ms(i * 10L));
        }
        assertEquals(1, cameraRequests.requests);
        receive(camera, vp8(CAMERA_SSRC, 1, 0, false), 400);
        assertEquals(1, cameraRequests.requests);
        receive(camera, vp8(CAMERA_SSRC, 2, 0, false), 500);         // deferred joiners' request
        assertEquals(2, cameraRequests.requests);
        router.poll(ms(999));
        assertEquals(2, cameraRequests.requests);
        router.poll(ms(1000));                                        // no key frame yet: retry
        assertEquals(3, cameraRequests.requests);
        receive(camera, vp8(CAMERA_SSRC, 3, 3000, true), 1100);
        router.poll(ms(5000));
        assertEquals(3, cameraRequests.requests);
        for (Downstream downstream : router.downstreams()) {
            assertEquals(1, downstream.forwarded());
        }
    }

    /**
     * Low layers (here the camera without simulcast) are asked at most every 500 ms, high layers
     * every second: ten subscribers of each joining within the window, and later all of them
     * sending PLIs, cost each publisher one request per window.
     */
    @Test
    void eachLayerIsAskedForKeyframesAtItsOwnInterval() {
        CountingRequestSink highRequests = new CountingRequestSink();
        Source high = router.addSource("teacher/camera/f", SourceLayer.HIGH, KeyframeDetector.VP8, highRequests);
        assertEquals(SourceLayer.LOW, camera.layer(), "a track without simulcast is a low layer");
        assertEquals(SourceLayer.HIGH, high.layer());
        Downstream[] low = new Downstream[10];
        Downstream[] highs = new Downstream[10];
        for (int i = 0; i < low.length; i++) {
            low[i] = video("low" + i, 0xB0000000L + i, new RecordingSink(TAILROOM));
            highs[i] = video("high" + i, 0xB1000000L + i, new RecordingSink(TAILROOM));
            router.subscribe(low[i], camera, ms(i * 45L));
            router.subscribe(highs[i], high, ms(i * 45L));
        }
        long[][] timeline = {
                // now ms, low-layer requests, high-layer requests so far
                {405, 1, 1},        // ten joiners each: one request each
                {499, 1, 1},
                {500, 2, 1},        // the low layer's deferred joiners
                {999, 2, 1},
                {1000, 3, 2},       // low: retried (no key frame yet); high: its deferred joiners
        };
        for (long[] row : timeline) {
            router.poll(ms(row[0]));
            assertEquals(row[1], cameraRequests.requests, "low layer at " + row[0] + " ms");
            assertEquals(row[2], highRequests.requests, "high layer at " + row[0] + " ms");
        }
        receive(camera, vp8(CAMERA_SSRC, 1, 0, true), 1010);
        receive(high, vp8(SCREEN_SSRC, 1, 0, true), 1010);
        for (int i = 0; i < low.length; i++) {                        // every subscriber sends a PLI
            router.onKeyframeRequest(low[i], ms(1100 + i * 10L));
            router.onKeyframeRequest(highs[i], ms(1100 + i * 10L));
        }
        long[][] plis = {
                {1499, 3, 2},
                {1500, 4, 2},       // all of the low layer's PLIs: one request
                {1999, 4, 2},
                {2000, 5, 3},       // high: all of its PLIs, one request a second after the last; low: a retry
        };
        for (long[] row : plis) {
            router.poll(ms(row[0]));
            assertEquals(row[1], cameraRequests.requests, "low layer at " + row[0] + " ms");
            assertEquals(row[2], highRequests.requests, "high layer at " + row[0] + " ms");
        }
        assertEquals(19, camera.keyframeRequester().coalesced());
        assertEquals(19, high.keyframeRequester().coalesced());
    }

    @Test
    void aStreamThatStartsAfterTheSubscriptionIsAskedAgain() {
        Downstream student = video("student", 0xB0000001L, new RecordingSink(TAILROOM));
        router.subscribe(student, camera, ms(0));                     // publisher not sending yet
        assertEquals(1, cameraRequests.requests);
        router.poll(ms(500));
        router.poll(ms(1000));
        router.poll(ms(1500));                                        // 2 retries, then given up
        assertEquals(3, cameraRequests.requests);
        assertFalse(camera.keyframeRequester().isPending());
        receive(camera, vp8(CAMERA_SSRC, 1, 0, false), 5000);         // the stream starts
        assertEquals(4, cameraRequests.requests);
    }

    @Test
    void aSubscriberPliReachesThePublisherThrottled() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student", 0xB0000001L, sink);
        router.subscribe(student, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 1, 0, true), 10);
        assertEquals(1, cameraRequests.requests);

        router.onKeyframeRequest(student, ms(2000));
        router.onKeyframeRequest(student, ms(2001));
        router.onKeyframeRequest(student, ms(2002));
        assertEquals(2, cameraRequests.requests);
        assertEquals(3, student.keyframeRequests());
        receive(camera, vp8(CAMERA_SSRC, 2, 3000, false), 2033);     // a PLI does not stop forwarding
        assertEquals(2, sink.count());
    }

    @Test
    void aPublisherRestartIsAStreamChangeAtTheNextKeyframe() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student", 0xB0000001L, sink);
        router.subscribe(student, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 100, 9000, true), 0);
        receive(camera, vp8(CAMERA_SSRC, 101, 12_000, false), 33);

        // The teacher reconnects: same source, new SSRC and numbering.
        long reconnected = 0xA0000099L;
        receive(camera, vp8(reconnected, 7, 777, false), 2033);
        assertEquals(1, camera.restarts());
        assertTrue(student.isWaitingForKeyframe());
        assertEquals(2, cameraRequests.requests, "a restarted stream is asked for a key frame");
        receive(camera, vp8(reconnected, 8, 3777, true), 2133);
        receive(camera, vp8(reconnected, 9, 6777, false), 2166);

        assertEquals(4, sink.count());
        assertEquals(1002, sink.packets.get(2).seq());
        assertEquals(3000 + 2100 * 90, sink.packets.get(2).ts());     // 2.1 s after ts 3000 was sent
        assertEquals(1003, sink.packets.get(3).seq());
        assertEquals(1, student.droppedWaitingForKeyframe());
    }

    @Test
    void switchingAwayDuringARestartStopsTheRestartedStream() {
        Source screen = router.addSource("teacher/screen", KeyframeDetector.VP8, new CountingRequestSink());
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream stage = video("stage", 0xB0000001L, sink);
        router.subscribe(stage, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 100, 9000, true), 0);
        receive(camera, vp8(0xA0000099L, 7, 777, false), 1000);        // restart: waits for a key frame
        router.subscribe(stage, screen, ms(1010));
        assertNull(stage.source());
        receive(camera, vp8(0xA0000099L, 8, 777, false), 1020);        // undecodable: not forwarded
        assertEquals(0, camera.downstreams.length);
        receive(screen, vp8(SCREEN_SSRC, 1, 0, true), 1030);
        assertEquals(2, sink.count());
        assertEquals(1001, sink.last().seq());
    }

    @Test
    void audioNeedsNoKeyframeAndUndetectedCodecsDoNotWait() {
        CountingRequestSink micRequests = new CountingRequestSink();
        Source microphone = router.addSource("teacher/mic", KeyframeDetector.AUDIO, micRequests);
        RecordingSink audioSink = new RecordingSink(TAILROOM);
        Downstream listener = router.addDownstream("student/mic", new RtpStreamRewriter(0xC0L, 48_000, 1, 0),
                audioSink);
        router.subscribe(listener, microphone, ms(0));
        receive(microphone, audio(OPUS, 0xA1L, 300, 960), 5);
        assertEquals(1, audioSink.count());
        assertEquals(1, micRequests.requests, "asked anyway; audio answers at once, so never again");
        router.poll(ms(5000));
        assertEquals(1, micRequests.requests);

        CountingRequestSink h264Requests = new CountingRequestSink();
        Source h264 = router.addSource("guest/camera", KeyframeDetector.UNDETECTED, h264Requests);
        RecordingSink videoSink = new RecordingSink(TAILROOM);
        Downstream viewer = video("viewer", 0xB0L, videoSink);
        router.subscribe(viewer, h264, ms(0));
        receive(h264, audio(102, 0xA2L, 9, 0), 5);                   // any payload: forwarded at once
        assertEquals(1, videoSink.count());
        assertEquals(1, h264Requests.requests);
    }

    /**
     * One publisher sending RED of Opus (RFC 2198); one subscriber negotiated RED (at 120, Opus at
     * 110), the other only Opus (at 109).
     */
    @Test
    void redReachesSubscribersWithRedIntactAndOthersAsThePrimaryOpusFrame() {
        Source microphone = router.addSource("teacher/mic", KeyframeDetector.AUDIO, new CountingRequestSink());
        RecordingSink withRed = new RecordingSink(TAILROOM);
        Downstream redListener = router.addDownstream("a/mic", new RtpStreamRewriter(0xC1L, 48_000, 100, 0), withRed);
        redListener.rewriter().mapPayloadType(RED, 120);
        redListener.rewriter().mapPayloadType(OPUS, 110);
        RecordingSink opusOnly = new RecordingSink(TAILROOM);
        Downstream opusListener = router.addDownstream("b/mic", new RtpStreamRewriter(0xC2L, 48_000, 500, 0), opusOnly);
        opusListener.rewriter().unwrapRed(RED, OPUS);
        opusListener.rewriter().mapPayloadType(OPUS, 109);
        router.subscribe(redListener, microphone, ms(0));
        router.subscribe(opusListener, microphone, ms(0));

        ByteBuf first = red(0xA1L, 7, 48_000, 30, 20);
        byte[] sourcePayload = io.netty.buffer.ByteBufUtil.getBytes(first, RtpPacket.FIXED_HEADER_LENGTH,
                first.readableBytes() - RtpPacket.FIXED_HEADER_LENGTH);
        receive(microphone, first, 0);
        receive(microphone, audio(OPUS, 0xA1L, 8, 48_960), 20);          // plain Opus in the same stream
        receive(microphone, paddingOnly(RED, 0xA1L, 9, 48_960, 40), 25); // a bandwidth probe
        receive(microphone, red(0xA1L, 10, 49_920, 20, 25), 40);

        assertEquals(4, withRed.count());
        assertEquals(4, opusOnly.count());
        assertArrayEquals(sourcePayload, withRed.packets.get(0).payload(), "RED forwarded byte for byte");
        assertEquals(List.of(120, 110, 120, 120), payloadTypes(withRed));
        assertEquals(List.of(100, 101, 102, 103), sequenceNumbers(withRed));

        assertEquals(List.of(109, 109, 109, 109), payloadTypes(opusOnly), "the primary is Opus, mapped");
        assertEquals(List.of(500, 501, 502, 503), sequenceNumbers(opusOnly), "no gap: the probe is kept");
        assertArrayEquals(filled(20, 0x11), opusOnly.packets.get(0).payload(), "only the primary block");
        assertEquals(RouterTestPackets.PAYLOAD_LENGTH, opusOnly.packets.get(1).payload().length);
        assertEquals(0, opusOnly.packets.get(2).payload().length);
        assertEquals(40, opusOnly.packets.get(2).padding(), "a probe stays a padding-only packet");
        assertArrayEquals(filled(25, 0x11), opusOnly.packets.get(3).payload());
        assertEquals(0xC2L, opusOnly.packets.get(3).ssrc());
        assertEquals(960, opusOnly.packets.get(1).ts() - opusOnly.packets.get(0).ts(), "timestamps are the primary's");
        assertEquals(2, opusListener.redUnwrapped());
        assertEquals(0, redListener.redUnwrapped());
    }

    @Test
    void malformedRedIsDroppedForSubscribersThatNeedThePrimaryAndCountedOnce() {
        Source microphone = router.addSource("teacher/mic", KeyframeDetector.AUDIO, new CountingRequestSink());
        RecordingSink withRed = new RecordingSink(TAILROOM);
        Downstream redListener = router.addDownstream("a/mic", new RtpStreamRewriter(0xC1L, 48_000, 100, 0), withRed);
        RecordingSink[] opusOnly = {new RecordingSink(TAILROOM), new RecordingSink(TAILROOM)};
        Downstream[] opusListeners = new Downstream[opusOnly.length];
        router.subscribe(redListener, microphone, ms(0));
        for (int i = 0; i < opusOnly.length; i++) {
            opusListeners[i] = router.addDownstream("b" + i + "/mic", new RtpStreamRewriter(0xC2L + i, 48_000, 500, 0),
                    opusOnly[i]);
            opusListeners[i].rewriter().unwrapRed(RED, OPUS);
            router.subscribe(opusListeners[i], microphone, ms(0));
        }

        receive(microphone, red(0xA1L, 1, 0, 10, 10), 0);
        ByteBuf truncated = red(0xA1L, 2, 960, 30, 0);
        truncated.writerIndex(truncated.writerIndex() - 1);                 // the redundant block is cut short
        receive(microphone, truncated, 20);
        ByteBuf nested = audio(RED, 0xA1L, 3, 1920);
        nested.setByte(RtpPacket.FIXED_HEADER_LENGTH, RED);               // F=0, primary "PT 63": RED in RED
        receive(microphone, nested, 40);
        receive(microphone, red(0xA1L, 4, 2880, 10, 10), 60);

        assertEquals(4, withRed.count(), "a subscriber with RED gets what the publisher sent");
        assertEquals(2, microphone.malformedRedPackets(), "counted once per packet, not per subscriber");
        for (int i = 0; i < opusOnly.length; i++) {
            assertEquals(List.of(500, 503), sequenceNumbers(opusOnly[i]), "dropped: a gap, as for a loss");
            assertEquals(2, opusListeners[i].droppedMalformedRed());
            assertEquals(2, opusListeners[i].forwarded());
        }
    }

    /**
     * Audio is never held back waiting for video: a publisher's camera that has not sent a key
     * frame yet keeps its subscribers' video waiting, and their audio of the same publisher flows
     * from its first packet.
     */
    @Test
    void audioFlowsWhileTheSamePublishersVideoWaitsForAKeyframe() {
        Source microphone = router.addSource("teacher/mic", KeyframeDetector.AUDIO, new CountingRequestSink());
        RecordingSink[] audioSinks = new RecordingSink[3];
        Downstream[] videos = new Downstream[audioSinks.length];
        for (int i = 0; i < audioSinks.length; i++) {
            videos[i] = video("s" + i + "/camera", 0xB0L + i, new RecordingSink(TAILROOM));
            audioSinks[i] = new RecordingSink(TAILROOM);
            Downstream audio = router.addDownstream("s" + i + "/mic",
                    new RtpStreamRewriter(0xC0L + i, 48_000, 1, 0), audioSinks[i]);
            if (i > 0) {
                audio.rewriter().unwrapRed(RED, OPUS);                   // some take RED, some do not
            }
            router.subscribe(videos[i], camera, ms(0));
            router.subscribe(audio, microphone, ms(0));
        }

        for (int frame = 0; frame < 50; frame++) {                      // one second of 20 ms audio frames
            receive(camera, vp8(CAMERA_SSRC, 100 + frame, 3000L * frame, false), 20L * frame);
            receive(microphone, red(0xA1L, 1000 + frame, 960L * frame, 30, 20), 20L * frame);
            for (int i = 0; i < audioSinks.length; i++) {
                assertEquals(frame + 1, audioSinks[i].count(), "audio frame " + frame + " reached subscriber " + i);
            }
        }
        for (Downstream video : videos) {
            assertTrue(video.isWaitingForKeyframe());
            assertEquals(0, video.forwarded());
            assertEquals(50, video.droppedWaitingForKeyframe());
        }
        assertTrue(cameraRequests.requests > 1, "the camera is still asked for its key frame");
    }

    private static List<Integer> payloadTypes(RecordingSink sink) {
        return sink.packets.stream().map(RouterTestPackets.Sent::payloadType).toList();
    }

    private static List<Integer> sequenceNumbers(RecordingSink sink) {
        return sink.packets.stream().map(RouterTestPackets.Sent::seq).toList();
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @Test
    void keyframeDetectionFollowsThePayloadType() {
        // A source announced as undetected that carries VP8 on PT 96.
        Source mixed = router.addSource("mixed", KeyframeDetector.UNDETECTED, new CountingRequestSink());
        mixed.keyframeDetector(VP8, KeyframeDetector.VP8);
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream downstream = video("d", 0xB0L, sink);
        router.subscribe(downstream, mixed, ms(0));
        receive(mixed, vp8(CAMERA_SSRC, 1, 0, false), 1);
        assertEquals(0, sink.count());
        receive(mixed, vp8(CAMERA_SSRC, 2, 0, true), 2);
        assertEquals(1, sink.count());
    }

    @Test
    void payloadTypesAreMappedPerSubscriber() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student", 0xB0L, sink);
        student.rewriter().mapPayloadType(VP8, 120);
        router.subscribe(student, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 1, 0, true), 1);
        assertEquals(120, sink.last().payloadType());
    }

    @Test
    void unsubscribeStopsAndResubscribeContinuesTheStream() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student", 0xB0L, sink);
        router.subscribe(student, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 10, 0, true), 0);
        router.unsubscribe(student);
        assertEquals(0, camera.downstreams.length);
        receive(camera, vp8(CAMERA_SSRC, 11, 3000, false), 33);
        assertEquals(1, sink.count());

        router.subscribe(student, camera, ms(1000));
        receive(camera, vp8(CAMERA_SSRC, 40, 90_000, false), 1000);
        receive(camera, vp8(CAMERA_SSRC, 41, 93_000, true), 1033);
        assertEquals(2, sink.count());
        assertEquals(1001, sink.last().seq());
        assertEquals(1033 * 90, sink.last().ts());
    }

    @Test
    void removingTheSourceStopsItsDownstreams() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student", 0xB0L, sink);
        router.subscribe(student, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 10, 0, true), 0);
        router.removeSource(camera);
        assertNull(student.source());
        assertTrue(camera.isRemoved());
        receive(camera, vp8(CAMERA_SSRC, 11, 3000, false), 33);
        assertEquals(1, sink.count());
        assertEquals(1, router.packetsForRemovedSources());
        assertThrows(IllegalArgumentException.class, () -> router.subscribe(student, camera, ms(40)));
    }

    @Test
    void tooOldPacketsAreCountedPerDownstream() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        Downstream student = video("student", 0xB0L, sink);
        router.subscribe(student, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 10, 0, true), 0);
        receive(camera, vp8(CAMERA_SSRC, 9, 0, false), 1);            // before the switch point
        receive(camera, vp8(CAMERA_SSRC, 9000, 0, false), 2);
        receive(camera, vp8(CAMERA_SSRC, 10, 0, true), 3);            // 8990 behind
        assertEquals(2, student.droppedTooOld());
        assertEquals(2, student.forwarded());
    }

    @Test
    void invalidPacketsAreCountedAndDropped() {
        RecordingSink sink = new RecordingSink(TAILROOM);
        router.subscribe(video("student", 0xB0L, sink), camera, ms(0));
        ByteBuf garbage = PooledByteBufAllocator.DEFAULT.heapBuffer(4).writeInt(0x12345678);
        receive(camera, garbage, 0);
        assertEquals(1, camera.invalidPackets());
        assertEquals(0, camera.packets());
        assertEquals(0, sink.count());
    }

    @Test
    void aSinkMayUnsubscribeOthersWhileThePacketFansOut() {
        RecordingSink second = new RecordingSink(TAILROOM);
        Downstream secondDownstream = video("second", 0xB2L, second);
        RecordingSink first = new RecordingSink(TAILROOM);
        first.onSend = () -> router.removeDownstream(secondDownstream);
        Downstream firstDownstream = video("first", 0xB1L, first);
        router.subscribe(firstDownstream, camera, ms(0));
        router.subscribe(secondDownstream, camera, ms(0));
        receive(camera, vp8(CAMERA_SSRC, 10, 0, true), 0);
        assertEquals(1, first.count());
        assertEquals(0, second.count());
        assertEquals(1, camera.downstreams.length);
        assertTrue(secondDownstream.isRemoved());
    }

    @Test
    void controlPathMistakesAreRefused() {
        Router other = new Router(PooledByteBufAllocator.DEFAULT, TAILROOM);
        Downstream foreign = other.addDownstream("foreign", 1L, 90_000, new RecordingSink(TAILROOM));
        assertThrows(IllegalArgumentException.class, () -> router.subscribe(foreign, camera, 0));
        assertThrows(IllegalArgumentException.class, () -> router.addSource("x", null, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> camera.keyframeDetector(128, KeyframeDetector.VP8));
        assertThrows(IllegalArgumentException.class,
                () -> new Router(PooledByteBufAllocator.DEFAULT, TAILROOM, null, new SplittableRandom()));
        assertThrows(IllegalArgumentException.class, () -> router.addSource("x", null, KeyframeDetector.VP8, () -> { }));
    }
}
