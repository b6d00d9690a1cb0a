package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.Direction;
import org.archipelago.media.sdp.Fingerprint;
import org.archipelago.media.sdp.HeaderExtension;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SdpAnswer;
import org.archipelago.media.sdp.SdpAnswerBuilder;
import org.archipelago.media.sdp.SdpOfferBuilder;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.media.sdp.SessionDescription;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** RFC 8843 §9.2 resolution: SSRC, then MID extension, then a payload type unique to one section. */
class IncomingStreamMapTest {
    private static final String FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    private static final long CAMERA_SSRC = 1111;

    private NegotiatedMedia audio;
    private NegotiatedMedia camera;
    private NegotiatedMedia screen;
    private IncomingStreamMap map;
    private int midId;

    @BeforeEach
    void negotiate() {
        // Like a browser's: audio, camera (SSRC announced) and a screen share (SSRC not announced),
        // both video sections offering the same payload types.
        SessionDescription offer = new SdpOfferBuilder()
                .iceCredentials("abcd", "0123456789012345678901")
                .fingerprint(new Fingerprint("sha-256", FINGERPRINT))
                .addMedia(MediaKind.AUDIO, "0", Direction.SENDONLY, SendStream.withoutRtx(7777, "c", "s", "a"))
                .addMedia(MediaKind.VIDEO, "1", Direction.SENDONLY, SendStream.withRtx(CAMERA_SSRC, 1112, "c", "s", "v"))
                .addMedia(MediaKind.VIDEO, "2", Direction.SENDONLY, null)
                .build();
        SdpAnswer answer = new SdpAnswerBuilder(offer)
                .iceCredentials("wxyz", "abcdefghijabcdefghijab")
                .fingerprint(new Fingerprint("sha-256", FINGERPRINT))
                .build();
        audio = answer.negotiated("0");
        camera = answer.negotiated("1");
        screen = answer.negotiated("2");
        midId = camera.headerExtensionId(HeaderExtension.SDES_MID);
        map = new IncomingStreamMap(answer.negotiatedMedia());
    }

    private NegotiatedMedia resolve(long ssrc, int payloadType, String mid) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            buffer.writeByte(mid == null ? 0x80 : 0x90).writeByte(payloadType).writeShort(1).writeInt(0).writeInt((int) ssrc);
            if (mid != null) {
                byte[] value = mid.getBytes(StandardCharsets.UTF_8);
                buffer.writeShort(0xBEDE).writeShort(1);        // one-byte extensions, one word
                buffer.writeByte((midId << 4) | (value.length - 1)).writeBytes(value);
                buffer.writeZero(3 - value.length);             // pad the word
            }
            buffer.writeZero(20);                               // payload
            RtpPacket packet = new RtpPacket();
            packet.wrap(buffer);
            return map.resolve(packet);
        } finally {
            buffer.release();
        }
    }

    private static int payloadTypeOf(NegotiatedMedia media, String codecName) {
        return media.codecs().stream().filter(c -> c.name().equalsIgnoreCase(codecName)).findFirst()
                .orElseThrow().payloadType();
    }

    @Test
    void announcedSsrcsResolveWithoutAnyExtension() {
        int vp8 = camera.primaryCodecs().get(0).payloadType();
        assertSame(camera, resolve(CAMERA_SSRC, vp8, null));
        assertSame(camera, resolve(1112, camera.rtxPayloadType(vp8), null), "the FID group's RTX SSRC belongs to the camera too");
    }

    @Test
    void theMidExtensionSettlesPayloadTypesThatSectionsShare() {
        int vp8 = screen.primaryCodecs().get(0).payloadType();
        assertEquals(camera.primaryCodecs().get(0).payloadType(), vp8, "both video sections use the same payload type");
        assertNull(resolve(5555, vp8, null), "an unknown SSRC on a shared payload type without MID cannot be placed");
        assertSame(screen, resolve(5555, vp8, "2"));
        assertSame(screen, resolve(5555, vp8, null), "the SSRC is remembered once placed");
    }

    @Test
    void aPayloadTypeOnlyOneSectionUsesIsEnough() {
        int opus = payloadTypeOf(audio, "opus");
        assertSame(audio, resolve(9999, opus, null));
    }

    @Test
    void redPacketsBelongToTheAudioSection() {
        int red = payloadTypeOf(audio, Codec.RED);
        int opus = payloadTypeOf(audio, "opus");
        assertSame(audio, resolve(7777, red, null), "the announced audio SSRC, sending RED (RFC 2198)");
        assertSame(audio, resolve(8888, red, null), "RED's payload type is the audio section's alone");
        assertSame(audio, resolve(8888, opus, null), "the same stream may send plain Opus too");
    }

    @Test
    void whatMatchesNoSectionIsRefused() {
        int vp8 = camera.primaryCodecs().get(0).payloadType();
        assertNull(resolve(4242, vp8, "9"), "a mid nobody negotiated");
        int opus = payloadTypeOf(audio, "opus");
        assertNull(resolve(4343, opus, "1"), "the camera section has no Opus");
        assertNull(resolve(4444, 127, null));
    }

    @Test
    void learningIsBounded() {
        int opus = payloadTypeOf(audio, "opus");
        int announced = map.knownSsrcCount();
        assertEquals(3, announced, "audio, camera and camera RTX were announced");
        int tried = IncomingStreamMap.MAX_LEARNED_SSRCS * 2;
        for (int i = 0; i < tried; i++) {
            assertSame(audio, resolve(100_000 + i, opus, null), "still resolved when not remembered");
        }
        assertEquals(IncomingStreamMap.MAX_LEARNED_SSRCS, map.knownSsrcCount());
        assertEquals(tried - (IncomingStreamMap.MAX_LEARNED_SSRCS - announced), map.ssrcsRefused());
    }
}
