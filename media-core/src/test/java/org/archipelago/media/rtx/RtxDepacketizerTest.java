package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.Direction;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.RtcpFeedback;
import org.archipelago.media.sdp.SsrcGroup;
import org.archipelago.media.testing.FixtureBuffers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 4588 §4 undone in place, byte for byte; and what is dropped, and counted, instead. */
class RtxDepacketizerTest {
    private static final long MEDIA_SSRC = 0x11223344L;
    private static final long RTX_SSRC = 0x55667788L;

    /** VP8 96 with RTX 97 (apt=96); 100 is RTX whose apt (98) is not negotiated. FID pairs the SSRCs. */
    private static NegotiatedMedia video(List<SsrcGroup> groups) {
        List<Codec> codecs = List.of(
                new Codec(96, "VP8", 90000, 1, "", Map.of(), List.of(RtcpFeedback.NACK)),
                new Codec(97, Codec.RTX, 90000, 1, "apt=96", Map.of("apt", "96"), List.of()),
                new Codec(100, Codec.RTX, 90000, 1, "apt=98", Map.of("apt", "98"), List.of()));
        return new NegotiatedMedia("1", MediaKind.VIDEO, Direction.RECVONLY, codecs, Map.of(97, 96, 100, 98),
                List.of(), List.of(), groups, List.of(), List.of(), null);
    }

    private static final List<SsrcGroup> FID = List.of(new SsrcGroup(SsrcGroup.FID, List.of(MEDIA_SSRC, RTX_SSRC)));

    /** An RTX packet with a one-byte header extension and 7 bytes of padding. */
    private static final int[] RTX_PACKET = {
            0xB0, 0x61, 0x00, 0x07, // V=2 P=1 X=1 CC=0 | M=0 PT=97 (RTX) | RTX sequence number 7
            0x00, 0x01, 0x5F, 0x90, // timestamp 90000 (the original's)
            0x55, 0x66, 0x77, 0x88, // RTX SSRC
            0xBE, 0xDE, 0x00, 0x01, // one-byte extensions (RFC 8285), 1 word
            0x10, 0xAB, 0x00, 0x00, // id 1, length 1: 0xAB | padding
            0x03, 0xE8, 0xDE, 0xAD, // OSN 1000 | original payload...
            0xBE, 0xEF, 0x01, 0x02, // ...
            0x03, 0x00, 0x00, 0x00, // ...last payload byte (2 + 7 bytes with the OSN) | padding...
            0x00, 0x00, 0x00, 0x07, // ...padding, its count: 7 bytes
    };

    /** The original it restores: media SSRC, PT 96, sequence number 1000, payload moved up, no padding. */
    private static final int[] RESTORED = {
            0x90, 0x60, 0x03, 0xE8, // V=2 P=0 X=1 CC=0 | M=0 PT=96 | sequence number 1000 (the OSN)
            0x00, 0x01, 0x5F, 0x90, // timestamp 90000
            0x11, 0x22, 0x33, 0x44, // media SSRC (from the FID group)
            0xBE, 0xDE, 0x00, 0x01, // extensions as they were
            0x10, 0xAB, 0x00, 0x00, // id 1: 0xAB | padding
            0xDE, 0xAD, 0xBE, 0xEF, // original payload
            0x01, 0x02, 0x03,       // ... 7 bytes
    };

    @Test
    void restoresTheOriginalInPlaceByteForByte() {
        ByteBuf buffer = FixtureBuffers.of(RTX_PACKET);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(9, packet.payloadLength(), "the fixture's own arithmetic");
            NegotiatedMedia media = video(FID);
            RtxDepacketizer rtx = new RtxDepacketizer(List.of(media));

            assertTrue(rtx.restore(packet, media));

            assertTrue(packet.isValid());
            assertEquals(RESTORED.length, packet.length());
            assertEquals(RESTORED.length, buffer.readableBytes(), "the buffer ends where the packet does");
            assertArrayEquals(FixtureBuffers.toArray(RESTORED), ByteBufUtil.getBytes(buffer, packet.offset(), packet.length()));
            assertEquals(1000, packet.sequenceNumber());
            assertEquals(0xAB, packet.extensionValue(1));
            assertEquals(1, rtx.restored());
        } finally {
            buffer.release();
        }
    }

    /** Each row: what is wrong with the packet or the session, and the reason it is counted under. */
    @Test
    void dropsAndCountsWhatCannotBeRestored() {
        record Row(String name, int payloadType, long ssrc, int payloadLength, List<SsrcGroup> groups,
                   RtxDepacketizer.DropReason reason) {
        }
        List<Row> rows = List.of(
                new Row("RTX payload type whose apt is not negotiated", 100, RTX_SSRC, 10, FID,
                        RtxDepacketizer.DropReason.UNKNOWN_PAYLOAD_TYPE),
                new Row("a media payload type is not RTX", 96, RTX_SSRC, 10, FID,
                        RtxDepacketizer.DropReason.UNKNOWN_PAYLOAD_TYPE),
                new Row("padding only (a probe): no OSN", 97, RTX_SSRC, 0, FID,
                        RtxDepacketizer.DropReason.PADDING_ONLY),
                new Row("an RTX SSRC no FID pairs, nothing to learn from", 97, 0x99, 10, List.of(),
                        RtxDepacketizer.DropReason.UNKNOWN_SSRC));
        for (Row row : rows) {
            ByteBuf buffer = FixtureBuffers.of(rtp(row.payloadType, row.ssrc, row.payloadLength));
            try {
                NegotiatedMedia media = video(row.groups);
                RtxDepacketizer rtx = new RtxDepacketizer(List.of(media));
                RtpPacket packet = new RtpPacket();
                assertTrue(packet.wrap(buffer));
                byte[] before = ByteBufUtil.getBytes(buffer);
                assertFalse(rtx.restore(packet, media), row.name);
                assertEquals(1, rtx.dropCount(row.reason), row.name);
                assertArrayEquals(before, ByteBufUtil.getBytes(buffer), row.name + ": untouched");
            } finally {
                buffer.release();
            }
        }
    }

    @Test
    void pairsAnUnannouncedRtxSsrcWithTheSectionsOnlyMediaStream() {
        NegotiatedMedia media = video(List.of());
        RtxDepacketizer rtx = new RtxDepacketizer(List.of(media));
        rtx.onMediaStream(media, MEDIA_SSRC);
        ByteBuf buffer = FixtureBuffers.of(rtp(97, RTX_SSRC, 4));
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertTrue(rtx.restore(packet, media));
            assertEquals(MEDIA_SSRC, packet.ssrc());
            assertEquals(1, rtx.pairsLearned());
            assertEquals(MEDIA_SSRC, rtx.mediaSsrc(RTX_SSRC));
        } finally {
            buffer.release();
        }
        // Two media streams in the section: which one an RTX SSRC repairs cannot be guessed.
        RtxDepacketizer ambiguous = new RtxDepacketizer(List.of(media));
        ambiguous.onMediaStream(media, MEDIA_SSRC);
        ambiguous.onMediaStream(media, MEDIA_SSRC + 1);
        ByteBuf second = FixtureBuffers.of(rtp(97, RTX_SSRC, 4));
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(second));
            assertFalse(ambiguous.restore(packet, media));
            assertEquals(1, ambiguous.dropCount(RtxDepacketizer.DropReason.UNKNOWN_SSRC));
        } finally {
            second.release();
        }
    }

    private static int[] rtp(int payloadType, long ssrc, int payloadLength) {
        int[] bytes = new int[12 + payloadLength];
        bytes[0] = 0x80;
        bytes[1] = payloadType;
        bytes[3] = 1;
        for (int i = 0; i < 4; i++) {
            bytes[8 + i] = (int) (ssrc >>> (24 - 8 * i)) & 0xFF;
        }
        return bytes;
    }
}
