package org.archipelago.media.rtp;

import org.archipelago.media.testing.FixtureBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtpPacketTest {
    static final int ABS_SEND_TIME_ID = 2;
    static final int TRANSPORT_WIDE_CC_ID = 3;

    /**
     * A VP8 packet header laid out as Chrome sends it with the extension IDs of a typical Chrome
     * offer (abs-send-time = 2, transport-wide-cc = 3), followed by 4 payload bytes.
     */
    static final int[] CHROME_VP8_PACKET = {
            0x90, 0xE0, 0x1A, 0x2B, // V=2 P=0 X=1 CC=0 | M=1 PT=96 | sequence number 6699
            0x5E, 0x8F, 0x3C, 0x10, // timestamp 1586445328
            0x4A, 0x1C, 0x2E, 0x77, // SSRC 0x4A1C2E77
            0xBE, 0xDE, 0x00, 0x02, // one-byte extension profile 0xBEDE | 2 words follow
            0x22, 0x5A, 0x3B, 0x4C, // ID 2 L=2 (3 bytes): abs-send-time 0x5A3B4C
            0x31, 0x01, 0x7F, 0x00, // ID 3 L=1 (2 bytes): transport-wide seq 383 | padding byte
            0x90, 0x80, 0x12, 0x34, // payload: VP8 payload descriptor and data
    };

    /** Two-byte form (RFC 8285 §4.3) with padding between elements, a 0-length element and ID 200. */
    static final int[] TWO_BYTE_EXTENSIONS_PACKET = {
            0x90, 0x6F, 0x00, 0x01, // V=2 P=0 X=1 CC=0 | M=0 PT=111 | sequence number 1
            0x00, 0x00, 0x03, 0xC0, // timestamp 960
            0x00, 0x00, 0x00, 0x2A, // SSRC 42
            0x10, 0x00, 0x00, 0x03, // two-byte profile 0x100, appbits 0 | 3 words follow
            0x01, 0x01, 0xA5, 0x00, // ID 1 length 1: 0xA5 | padding byte
            0x0F, 0x00, 0xC8, 0x03, // ID 15 length 0 (legal in this form) | ID 200 length 3 ...
            0x61, 0x62, 0x63, 0x00, // ... "abc" | padding byte
            0xFF, 0xFE,             // payload
    };

    @Test
    void readsChromePacketHeader() {
        ByteBuf buffer = FixtureBuffers.of(CHROME_VP8_PACKET);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(2, packet.version());
            assertFalse(packet.hasPadding());
            assertTrue(packet.hasExtension());
            assertEquals(0, packet.csrcCount());
            assertTrue(packet.marker());
            assertEquals(96, packet.payloadType());
            assertEquals(6699, packet.sequenceNumber());
            assertEquals(1586445328L, packet.timestamp());
            assertEquals(0x4A1C2E77L, packet.ssrc());
            assertEquals(RtpPacket.ONE_BYTE_EXTENSION_PROFILE, packet.extensionProfile());
            assertTrue(packet.hasOneByteExtensions());
            assertFalse(packet.hasTwoByteExtensions());
            assertEquals(24, packet.headerLength());
            assertEquals(24, packet.payloadOffset());
            assertEquals(4, packet.payloadLength());
            assertEquals(0, packet.paddingLength());

            assertEquals(17, packet.extensionOffset(ABS_SEND_TIME_ID));
            assertEquals(3, packet.extensionLength(ABS_SEND_TIME_ID));
            assertEquals(0x5A3B4C, packet.extensionValue(ABS_SEND_TIME_ID));
            assertEquals(21, packet.extensionOffset(TRANSPORT_WIDE_CC_ID));
            assertEquals(2, packet.extensionLength(TRANSPORT_WIDE_CC_ID));
            assertEquals(383, packet.extensionValue(TRANSPORT_WIDE_CC_ID));
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionOffset(1));
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionLength(14));
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionValue(0));
        } finally {
            buffer.release();
        }
    }

    @Test
    void rewritesHeaderAndExtensionsInPlaceAsTheForwarderDoes() {
        ByteBuf buffer = FixtureBuffers.of(CHROME_VP8_PACKET);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            RtpPacket chained = packet.ssrc(0xCAFEBABEL).sequenceNumber(65535).timestamp(0xFFFF_FFFFL)
                    .marker(false).payloadType(100);
            assertSame(packet, chained);
            assertTrue(packet.extensionValue(TRANSPORT_WIDE_CC_ID, 0x1_ABCD));   // keeps the low 16 bits
            assertTrue(packet.extensionValue(ABS_SEND_TIME_ID, 0x010203));
            assertFalse(packet.extensionValue(5, 1));

            int[] expected = CHROME_VP8_PACKET.clone();
            int[] rewritten = {
                    0x90, 0x64, 0xFF, 0xFF, // M=0 PT=100 | sequence number 65535
                    0xFF, 0xFF, 0xFF, 0xFF, // timestamp 2^32-1
                    0xCA, 0xFE, 0xBA, 0xBE, // SSRC
                    0xBE, 0xDE, 0x00, 0x02, // unchanged
                    0x22, 0x01, 0x02, 0x03, // abs-send-time rewritten
                    0x31, 0xAB, 0xCD, 0x00, // transport-wide sequence number rewritten, padding kept
            };
            System.arraycopy(rewritten, 0, expected, 0, rewritten.length);
            assertArrayEquals(FixtureBuffers.toArray(expected), ByteBufUtil.getBytes(buffer));
            assertTrue(packet.wrap(buffer), "still a valid packet");
        } finally {
            buffer.release();
        }
    }

    @Test
    void viewsAPacketAtAnOffsetWithoutTouchingIndices() {
        int[] framed = new int[CHROME_VP8_PACKET.length + 8];
        System.arraycopy(CHROME_VP8_PACKET, 0, framed, 5, CHROME_VP8_PACKET.length);
        ByteBuf buffer = FixtureBuffers.of(framed);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer, 5, CHROME_VP8_PACKET.length));
            assertEquals(6699, packet.sequenceNumber());
            assertEquals(5 + 21, packet.extensionOffset(TRANSPORT_WIDE_CC_ID));
            assertEquals(5 + 24, packet.payloadOffset());
            assertEquals(0, buffer.readerIndex());
            assertEquals(framed.length, buffer.writerIndex());
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsTwoByteExtensionsSkippingPadding() {
        ByteBuf buffer = FixtureBuffers.of(TWO_BYTE_EXTENSIONS_PACKET);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertTrue(packet.hasTwoByteExtensions());
            assertFalse(packet.hasOneByteExtensions());
            assertEquals(0xA5, packet.extensionValue(1));
            assertEquals(0, packet.extensionLength(15));
            assertEquals(24, packet.extensionOffset(200));
            assertEquals(3, packet.extensionLength(200));
            assertEquals(0x616263, packet.extensionValue(200));
            assertEquals(28, packet.payloadOffset());
            assertEquals(2, packet.payloadLength());

            RtpHeaderExtensionCursor cursor = new RtpHeaderExtensionCursor().reset(packet);
            int[][] expected = {{1, 18, 1}, {15, 22, 0}, {200, 24, 3}};   // {id, value offset, length}
            for (int[] element : expected) {
                assertTrue(cursor.next());
                assertArrayEquals(element, new int[]{cursor.id(), cursor.valueOffset(), cursor.valueLength()});
            }
            assertFalse(cursor.next());
        } finally {
            buffer.release();
        }
    }

    @Test
    void oneByteIdFifteenStopsParsing() {
        ByteBuf buffer = FixtureBuffers.of(
                0x90, 0x60, 0x00, 0x01, // V=2 X=1 | PT=96 | sequence number 1
                0x00, 0x00, 0x00, 0x01, // timestamp 1
                0x00, 0x00, 0x00, 0x02, // SSRC 2
                0xBE, 0xDE, 0x00, 0x02, // one-byte profile | 2 words
                0x10, 0x11, 0x00, 0xF3, // ID 1 L=0: 0x11 | padding | ID 15: stop here
                0x22, 0x01, 0x02, 0x03  // ID 2 L=2 after the stop: must not be found
        );
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(0x11, packet.extensionValue(1));
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionOffset(2));
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionOffset(15));
        } finally {
            buffer.release();
        }
    }

    @Test
    void elementOverrunningTheBlockEndsTheWalkButEarlierElementsStay() {
        ByteBuf buffer = FixtureBuffers.of(
                0x90, 0x60, 0x00, 0x01, // V=2 X=1 | PT=96 | sequence number 1
                0x00, 0x00, 0x00, 0x01, // timestamp 1
                0x00, 0x00, 0x00, 0x02, // SSRC 2
                0xBE, 0xDE, 0x00, 0x01, // one-byte profile | 1 word
                0x10, 0x07, 0x2F, 0x00  // ID 1 L=0: 0x07 | ID 2 L=15 (16 bytes): overruns the block
        );
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(7, packet.extensionValue(1));
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionOffset(2));
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsCsrcListAndPadding() {
        ByteBuf buffer = FixtureBuffers.of(
                0xA2, 0x08, 0x80, 0x00, // V=2 P=1 X=0 CC=2 | M=0 PT=8 | sequence number 32768
                0x00, 0x01, 0x00, 0x00, // timestamp 65536
                0x11, 0x11, 0x11, 0x11, // SSRC
                0x22, 0x22, 0x22, 0x22, // CSRC 1
                0x33, 0x33, 0x33, 0x33, // CSRC 2
                0xD5, 0xD5, 0xD5, 0x00, // payload (3 bytes) | padding
                0x00, 0x00, 0x00, 0x05  // padding ... | padding count 5
        );
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertTrue(packet.hasPadding());
            assertEquals(2, packet.csrcCount());
            assertEquals(0x22222222L, packet.csrc(0));
            assertEquals(0x33333333L, packet.csrc(1));
            assertEquals(20, packet.headerLength());
            assertEquals(5, packet.paddingLength());
            assertEquals(3, packet.payloadLength());
            assertEquals(RtpPacket.NOT_FOUND, packet.extensionOffset(1));
            packet.csrc(1, 0x44444444L);
            assertEquals(0x44444444L, packet.csrc(1));
            assertEquals(0x22222222L, packet.csrc(0));
        } finally {
            buffer.release();
        }
    }

    @Test
    void rejectsInvalidHeaders() {
        int[][] invalid = {
                {0x40, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2},                 // version 1
                {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0},                    // 11 bytes
                {0x81, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2},                 // CC=1, no CSRC
                {0x90, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0xBE, 0xDE},     // extension header cut
                {0x90, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0xBE, 0xDE, 0x00, 0x01}, // 1 word missing
                {0xA0, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x00},     // padding count 0
                {0xA0, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x03},     // padding beyond payload
        };
        RtpPacket packet = new RtpPacket();
        for (int[] bytes : invalid) {
            ByteBuf buffer = FixtureBuffers.of(bytes);
            try {
                assertFalse(packet.wrap(buffer), () -> ByteBufUtil.hexDump(buffer));
                assertFalse(packet.isValid());
                assertEquals(RtpPacket.NOT_FOUND, packet.extensionOffset(1));
            } finally {
                buffer.release();
            }
        }
        ByteBuf buffer = FixtureBuffers.of(CHROME_VP8_PACKET);
        try {
            assertFalse(packet.wrap(buffer, 4, CHROME_VP8_PACKET.length), "region beyond the buffer");
            assertFalse(packet.wrap(buffer, -1, 12));
            assertFalse(packet.wrap(null, 0, 12));
            // Padding that fills everything after the header is legal.
            ByteBuf allPadding = FixtureBuffers.of(0xA0, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x02);
            try {
                assertTrue(packet.wrap(allPadding));
                assertEquals(0, packet.payloadLength());
            } finally {
                allPadding.release();
            }
        } finally {
            buffer.release();
        }
    }
}
