package org.archipelago.media.sdp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdpOfferBuilderTest {
    static final Fingerprint PEER_FINGERPRINT = new Fingerprint("sha-256",
            "A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F:A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F");

    static SdpOfferBuilder relayPeerOffer() {
        return new SdpOfferBuilder()
                .iceCredentials("peer", "peerpassword0123456789ab")
                .fingerprint(PEER_FINGERPRINT)
                .hostCandidates(List.of(new HostCandidate("127.0.0.1", 50000)))
                .sessionId(99)
                .addMedia(MediaKind.AUDIO, "a", Direction.SENDRECV, SendStream.withoutRtx(11, "relaycname", "relay", "audio"))
                .addMedia(MediaKind.VIDEO, "v", Direction.SENDONLY, SendStream.withRtx(21, 22, "relaycname", "relay", "video"))
                .addMedia(MediaKind.VIDEO, "w", Direction.RECVONLY, null);
    }

    @Test
    void offerIsBundledActpassAndParsesBack() throws SdpParseException {
        SessionDescription offer = relayPeerOffer().build();

        SessionDescription parsed = SdpParser.parse(offer.toSdp());

        assertEquals(offer, parsed);
        assertEquals(new Group("BUNDLE", List.of("a", "v", "w")), parsed.bundleGroup());
        assertFalse(parsed.iceLite());
        for (MediaDescription section : parsed.media()) {
            assertEquals(Setup.ACTPASS, section.setup());
            assertTrue(section.rtcpMux());
            assertEquals(List.of("1 1 udp 2130706431 127.0.0.1 50000 typ host"), section.candidates());
        }
        MediaDescription video = parsed.media("v");
        assertEquals(List.of("96", "97", "98", "99", "109", "114", "45", "46"), video.formats());
        assertEquals(List.of(new SsrcGroup("FID", List.of(21L, 22L))), video.ssrcGroups());
        assertTrue(parsed.media("w").ssrcs().isEmpty());
    }

    @Test
    void serverAnswersItsOwnPeersOfferAcceptingEverySection() {
        SessionDescription offer = relayPeerOffer().build();

        SdpAnswer answer = new SdpAnswerBuilder(offer)
                .iceCredentials("srv1", "serverpassword0123456789")
                .fingerprint(PEER_FINGERPRINT)
                .build();

        assertTrue(answer.rejectedMids().isEmpty());
        assertEquals(Direction.RECVONLY, answer.negotiated("v").direction());
        assertEquals(Direction.SENDONLY, answer.negotiated("w").direction());
        assertEquals(22L, answer.negotiated("v").remoteRtxSsrc(21));
        assertEquals(List.of(96, 98, 109, 45),
                answer.negotiated("v").primaryCodecs().stream().map(Codec::payloadType).toList());
    }

    @Test
    void incompleteOfferIsRefused() {
        assertThrows(IllegalStateException.class, () -> new SdpOfferBuilder().build());
        SdpOfferBuilder builder = relayPeerOffer();
        assertThrows(IllegalArgumentException.class, () -> builder.addMedia(MediaKind.AUDIO, "a", Direction.SENDRECV, null));
        assertThrows(IllegalArgumentException.class,
                () -> builder.addMedia(MediaKind.APPLICATION, "d", Direction.SENDRECV, null));
    }
}
