package org.archipelago.media.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RedPayload} on the packet of RFC 2198 §3 and on RED as libwebrtc sends it. Fixtures are
 * written one 32-bit word per line; block data is a filler pattern of the announced length.
 */
class RedPayloadRfcTest {
    /**
     * RFC 2198 §3's example: an RTP packet whose payload carries a redundant LPC block (PT 7, 14
     * bytes) and the primary DVI4 block (PT 5, 84 bytes). The figure does not give the timestamp
     * offset; 160 here is one 20 ms frame at 8 kHz. Payload type 121 is RED, as §5's SDP example
     * numbers it ({@code a=rtpmap:121 red/8000/1}).
     */
    static final int[] RFC_2198_HEADERS = {
            0x80, 0x79, 0x12, 0x34, // V=2 P=0 X=0 CC=0 | M=0 PT=121 (RED) | sequence number 0x1234
            0x00, 0x00, 0x1F, 0x40, // timestamp 8000: the primary encoding's
            0x11, 0x22, 0x33, 0x44, // SSRC
            0x87, 0x02, 0x80, 0x0E, // F=1 block PT=7 | timestamp offset 160 (14 bits) | block length 14 (10 bits)
            0x05,                   // F=0 block PT=5: the primary; its length is what remains
    };
    static final int RFC_REDUNDANT_LENGTH = 14;
    static final int RFC_PRIMARY_LENGTH = 84;

    /**
     * The RED header words of an Opus packet captured from libwebrtc (webrtc-java 0.14) publishing
     * to the server with {@code red/48000/2 111/111} negotiated: one redundant block of the
     * previous frame, then the primary, both Opus.
     */
    static final int[] LIBWEBRTC_RED_HEADERS = {
            0xEF, 0x0F, 0x00, 0x4F, // F=1 block PT=111 | timestamp offset 960 (20 ms at 48 kHz) | block length 79
            0x6F,                   // F=0 block PT=111
    };
    static final int LIBWEBRTC_REDUNDANT_LENGTH = 79;
    static final int LIBWEBRTC_PRIMARY_LENGTH = 70;

    private final RedPayload red = new RedPayload();

    @Test
    void rfcExampleHasOneRedundantBlockAndThePrimary() {
        ByteBuf packet = withBlocks(RFC_2198_HEADERS, RFC_REDUNDANT_LENGTH, RFC_PRIMARY_LENGTH);
        try {
            int payload = RtpPacket.FIXED_HEADER_LENGTH;
            assertTrue(red.wrap(packet, payload, packet.readableBytes() - payload));
            assertEquals(1, red.redundantBlockCount());
            assertEquals(7, red.redundantPayloadType(0));
            assertEquals(160, red.redundantTimestampOffset(0));
            assertEquals(RFC_REDUNDANT_LENGTH, red.redundantLength(0));
            assertEquals(payload + 5, red.redundantOffset(0), "data follows both headers");
            assertEquals(5, red.headerLength());
            assertEquals(5, red.primaryPayloadType());
            assertEquals(payload + 5 + RFC_REDUNDANT_LENGTH, red.primaryOffset());
            assertEquals(RFC_PRIMARY_LENGTH, red.primaryLength());
            assertEquals(fill(1, RFC_REDUNDANT_LENGTH)[0], packet.getByte(red.redundantOffset(0)));
            assertEquals(fill(2, RFC_PRIMARY_LENGTH)[0], packet.getByte(red.primaryOffset()));
        } finally {
            packet.release();
        }
    }

    @Test
    void libwebrtcRedOfOpusCarriesThePreviousFrame() {
        ByteBuf payload = withBlocks(LIBWEBRTC_RED_HEADERS, LIBWEBRTC_REDUNDANT_LENGTH, LIBWEBRTC_PRIMARY_LENGTH);
        try {
            assertTrue(red.wrap(payload, 0, payload.readableBytes()));
            assertEquals(1, red.redundantBlockCount());
            assertEquals(111, red.redundantPayloadType(0));
            assertEquals(960, red.redundantTimestampOffset(0));
            assertEquals(LIBWEBRTC_REDUNDANT_LENGTH, red.redundantLength(0));
            assertEquals(111, red.primaryPayloadType());
            assertEquals(5 + LIBWEBRTC_REDUNDANT_LENGTH, red.primaryOffset());
            assertEquals(LIBWEBRTC_PRIMARY_LENGTH, red.primaryLength());
        } finally {
            payload.release();
        }
    }

    @Test
    void aPayloadWithOnlyThePrimaryIsValid() {
        // libwebrtc's first RED packet: nothing to repeat yet.
        ByteBuf payload = withBlocks(new int[]{0x6F}, 0, 3);
        try {
            assertTrue(red.wrap(payload, 0, payload.readableBytes()));
            assertEquals(0, red.redundantBlockCount());
            assertEquals(1, red.headerLength());
            assertEquals(111, red.primaryPayloadType());
            assertEquals(1, red.primaryOffset());
            assertEquals(3, red.primaryLength());
        } finally {
            payload.release();
        }
    }

    @Test
    void theLargestFieldValuesAreRead() {
        int[] headers = {
                0xFF, 0xFF, 0xFC, 0x00, // F=1 PT=127 | timestamp offset 16383 | length 0
                0x80, 0x00, 0x03, 0xFF, // F=1 PT=0 | timestamp offset 0 | length 1023
                0x7F,                   // F=0 PT=127
        };
        ByteBuf payload = withBlocks(headers, 0, 0);
        payload.writeZero(1023);
        try {
            assertTrue(red.wrap(payload, 0, payload.readableBytes()));
            assertEquals(2, red.redundantBlockCount());
            assertEquals(127, red.redundantPayloadType(0));
            assertEquals(16383, red.redundantTimestampOffset(0));
            assertEquals(0, red.redundantLength(0));
            assertEquals(0, red.redundantPayloadType(1));
            assertEquals(0, red.redundantTimestampOffset(1));
            assertEquals(1023, red.redundantLength(1));
            assertEquals(red.redundantOffset(0), red.redundantOffset(1), "an empty block takes no room");
            assertEquals(127, red.primaryPayloadType());
            assertEquals(0, red.primaryLength(), "an empty primary block is allowed");
        } finally {
            payload.release();
        }
    }

    @Test
    void theBlockCountIsBounded() {
        for (int redundant : new int[]{RedPayload.MAX_BLOCKS - 1, RedPayload.MAX_BLOCKS}) {
            int[] headers = new int[redundant * 4 + 1];
            for (int i = 0; i < redundant; i++) {
                headers[i * 4] = 0x80 | 111;                   // F=1 PT=111, offset 0, length 0
            }
            headers[redundant * 4] = 111;
            ByteBuf payload = withBlocks(headers, 0, 2);
            try {
                assertEquals(redundant < RedPayload.MAX_BLOCKS, red.wrap(payload, 0, payload.readableBytes()),
                        redundant + " redundant blocks");
            } finally {
                payload.release();
            }
        }
    }

    @Test
    void thePrimaryPacketKeepsTheHeaderAndCarriesOnlyThePrimaryBlock() {
        int[] header = {
                0xB0, 0xFF, 0x00, 0x07, // V=2 P=1 X=1 CC=0 | M=1 PT=127 (RED) | sequence number 7
                0x00, 0x00, 0x03, 0xC0, // timestamp 960
                0x00, 0x00, 0x00, 0x2A, // SSRC 42
                0xBE, 0xDE, 0x00, 0x01, // one-byte extensions, one word
                0x10, 0xAB, 0x00, 0x00, // ID 1 L=0: 0xAB (audio level) | padding
                0xEF, 0x0F, 0x00, 0x02, // F=1 PT=111 | offset 960 | length 2
                0x6F,                   // F=0 PT=111
        };
        ByteBuf source = withBlocks(header, 2, 3);
        source.writeBytes(new byte[]{0, 0, 3});                  // RTP padding: 3 bytes, count included
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(source));
            assertTrue(red.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength()));
            red.writePrimaryPacket(packet, out);

            assertEquals(packet.headerLength() + red.primaryLength(), out.readableBytes());
            RtpPacket primary = new RtpPacket();
            assertTrue(primary.wrap(out));
            assertFalse(primary.hasPadding());
            assertTrue(primary.marker());
            assertEquals(111, primary.payloadType());
            assertEquals(7, primary.sequenceNumber());
            assertEquals(960, primary.timestamp());
            assertEquals(42, primary.ssrc());
            assertEquals(0xAB, primary.extensionValue(1));
            assertArrayEquals(fill(2, 3), ByteBufUtil.getBytes(out, primary.payloadOffset(), primary.payloadLength()));
        } finally {
            source.release();
            out.release();
        }
    }

    /** {@code headers}, then a redundant block of filler 1 and a primary block of filler 2. Caller releases. */
    static ByteBuf withBlocks(int[] headers, int redundantLength, int primaryLength) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(headers.length + redundantLength + primaryLength + 8);
        for (int b : headers) {
            buffer.writeByte(b);
        }
        buffer.writeBytes(fill(1, redundantLength));
        buffer.writeBytes(fill(2, primaryLength));
        return buffer;
    }

    static byte[] fill(int block, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) (block * 0x11));
        return bytes;
    }
}
