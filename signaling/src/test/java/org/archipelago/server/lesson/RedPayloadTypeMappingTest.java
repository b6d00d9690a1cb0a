package org.archipelago.server.lesson;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.archipelago.media.router.Downstream;
import org.archipelago.media.router.Router;
import org.archipelago.media.router.RtpStreamRewriter;
import org.archipelago.media.sdp.Fingerprint;
import org.archipelago.media.sdp.HostCandidate;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SdpAnswerBuilder;
import org.archipelago.media.sdp.SdpParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How a publisher's RED (RFC 2198) reaches a subscriber: whole only when the subscriber has RED and
 * numbers the blocks' codec as the publisher does, because the block headers inside the payload
 * keep the publisher's numbers; otherwise as the primary block, under the subscriber's Opus number.
 */
class RedPayloadTypeMappingTest {
    private static final Fingerprint FINGERPRINT = new Fingerprint("sha-256",
            "0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0");

    /** The negotiated audio section of an offer with Opus as {@code opus} and, if {@code red} >= 0, RED of it. */
    private static NegotiatedMedia audio(int opus, int red) throws Exception {
        String formats = (red >= 0 ? red + " " : "") + opus;
        String sdp = String.join("\r\n", List.of(
                "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE a",
                "m=audio 9 UDP/TLS/RTP/SAVPF " + formats, "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                "a=fingerprint:sha-256 AA:BB", "a=mid:a", "a=rtcp-mux", "a=sendrecv",
                "a=rtpmap:" + opus + " opus/48000/2", "a=fmtp:" + opus + " useinbandfec=1"))
                + (red >= 0 ? "\r\na=rtpmap:" + red + " red/48000/2\r\na=fmtp:" + red + " " + opus + "/" + opus : "")
                + "\r\n";
        return new SdpAnswerBuilder(SdpParser.parse(sdp)).iceCredentials("srv1", "serverpassword0123456789")
                .fingerprint(FINGERPRINT).hostCandidates(List.of(new HostCandidate("127.0.0.1", 40000))).sessionId(1)
                .build().negotiatedMedia().get(0);
    }

    private static RtpStreamRewriter mapped(NegotiatedMedia publisher, NegotiatedMedia subscriber) {
        Router router = new Router(UnpooledByteBufAllocator.DEFAULT, 16);
        Downstream downstream = router.addDownstream("s", 1234, 48000, buffer -> buffer.release());
        LessonForwarding.mapPayloadTypes(publisher, subscriber, downstream);
        return downstream.rewriter();
    }

    @Test
    void redGoesWholeToASubscriberThatNumbersOpusAlike() throws Exception {
        RtpStreamRewriter rewriter = mapped(audio(111, 63), audio(111, 63));
        assertEquals(RtpStreamRewriter.NOT_UNWRAPPED, rewriter.redPrimaryPayloadType(63));
    }

    @Test
    void aSubscriberWithoutRedGetsThePrimaryBlock() throws Exception {
        assertEquals(111, mapped(audio(111, 63), audio(111, -1)).redPrimaryPayloadType(63));
    }

    /** Its RED would carry blocks numbered 111, which mean nothing (or another codec) to it. */
    @Test
    void aSubscriberNumberingOpusOtherwiseGetsThePrimaryBlockEvenWithRed() throws Exception {
        assertEquals(111, mapped(audio(111, 63), audio(109, 63)).redPrimaryPayloadType(63));
    }
}
