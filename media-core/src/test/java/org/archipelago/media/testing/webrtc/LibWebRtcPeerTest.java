package org.archipelago.media.testing.webrtc;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@link LibWebRtcPeer}s in one JVM, connected to each other over loopback: A offers, B
 * answers. Repeated, so that factories are created and disposed several times in one JVM.
 */
class LibWebRtcPeerTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern CANDIDATE_ADDRESS =
            Pattern.compile("(?m)^a=candidate:\\S+ \\d+ \\S+ \\d+ (\\S+) \\d+ typ ");

    @RepeatedTest(2)
    void peerDecodesTheOtherPeersVideoAndHearsItsAudio() {
        LibWebRtcPeer.Options options = LibWebRtcPeer.Options.defaults();
        try (LibWebRtcPeer a = LibWebRtcPeer.create("a", options);
             LibWebRtcPeer b = LibWebRtcPeer.create("b", options)) {
            String offer = a.createOffer();
            assertOnlyLoopbackCandidates(offer);
            String answer = b.answer(offer);
            assertOnlyLoopbackCandidates(answer);
            a.setAnswer(answer);

            a.awaitConnected(CONNECT_TIMEOUT);
            b.awaitConnected(CONNECT_TIMEOUT);
            assertEquals(RTCPeerConnectionState.CONNECTED, a.connectionState());

            PeerStats atB = b.awaitStats(s -> s.videoFramesDecoded() > 0 && s.audioPacketsReceived() > 0,
                    MEDIA_TIMEOUT);
            assertTrue(atB.videoPacketsReceived() > 0, atB.toString());
            assertEquals("video/VP8", atB.inboundVideoCodec());
            PeerStats atA = a.awaitStats(s -> s.videoFramesDecoded() > 0 && s.videoFramesEncoded() > 0,
                    MEDIA_TIMEOUT);
            assertEquals("video/VP8", atA.outboundVideoCodec());
            assertTrue(atA.videoPacketsSent() > 0, atA.toString());
            assertTrue(atA.audioPacketsSent() > 0, atA.toString());

            assertNominatedPairIsLoopback(a);
            assertNominatedPairIsLoopback(b);
        }
    }

    @Test
    void receiveOnlyPeerSendsNoVideo() {
        try (LibWebRtcPeer sender = LibWebRtcPeer.create("sender",
                     LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(false, false));
             LibWebRtcPeer receiver = LibWebRtcPeer.create("receiver",
                     LibWebRtcPeer.Options.defaults().withVideo(false, true).withAudio(false, false)
                             .withFrameSize(640, 480, 30))) {
            sender.setAnswer(receiver.answer(sender.createOffer()));
            receiver.awaitConnected(CONNECT_TIMEOUT);

            PeerStats atReceiver = receiver.awaitStats(s -> s.videoFramesDecoded() > 0, MEDIA_TIMEOUT);
            assertEquals(0, atReceiver.videoPacketsSent());
            assertEquals(0, atReceiver.audioPacketsReceived());
            assertEquals(0, receiver.framesGenerated());
            assertTrue(sender.framesGenerated() > 0);
        }
    }

    @Test
    void closedPeerRefusesWork() {
        LibWebRtcPeer peer = LibWebRtcPeer.create("closed", LibWebRtcPeer.Options.defaults());
        peer.close();
        peer.close(); // idempotent
        assertThrows(IllegalStateException.class, peer::createOffer);
        assertThrows(IllegalStateException.class, () -> peer.awaitConnected(Duration.ofMillis(1)));
    }

    @Test
    void unknownPreferredCodecIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LibWebRtcPeer.create("bad-codec",
                LibWebRtcPeer.Options.defaults().withPreferredVideoCodec("NOPE")));
    }

    /** Both ends of the pair that carries the media are 127.0.0.1: nothing left loopback. */
    private static void assertNominatedPairIsLoopback(LibWebRtcPeer peer) {
        Map<String, RTCStats> all = peer.statsReport().getStats();
        int nominated = 0;
        for (RTCStats stats : all.values()) {
            Map<String, Object> pair = stats.getAttributes();
            if (stats.getType() == RTCStatsType.CANDIDATE_PAIR && Boolean.TRUE.equals(pair.get("nominated"))) {
                for (String end : new String[] {"localCandidateId", "remoteCandidateId"}) {
                    RTCStats candidate = all.get(String.valueOf(pair.get(end)));
                    assertEquals(LoopbackCandidates.LOOPBACK_V4, candidate.getAttributes().get("ip"),
                            peer + " " + end + " " + candidate);
                }
                nominated++;
            }
        }
        assertTrue(nominated > 0, peer + " has no nominated candidate pair");
    }

    private static void assertOnlyLoopbackCandidates(String sdp) {
        Matcher m = CANDIDATE_ADDRESS.matcher(sdp);
        int count = 0;
        while (m.find()) {
            assertEquals(LoopbackCandidates.LOOPBACK_V4, m.group(1), sdp);
            count++;
        }
        assertTrue(count > 0, "no candidate in\n" + sdp);
        assertFalse(sdp.contains(" tcp "), sdp);
    }
}
