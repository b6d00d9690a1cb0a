package org.archipelago.media.rtp;

import org.archipelago.media.testing.FixtureBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random, truncated and mutated bytes into {@link RtpPacket}. Buffers are exactly as long as the
 * input, so a read past a validated bound throws and fails the test; an accepted packet is read
 * through every getter and extension lookup and its bounds are checked.
 */
class RtpPacketFuzzTest {
    private final RtpPacket packet = new RtpPacket();
    private final RtpHeaderExtensionCursor cursor = new RtpHeaderExtensionCursor();
    /** Everything read, kept so the reads have an effect. */
    private long consumed;

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(0x12F0L);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(80)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (0x80 | (bytes[0] & 0x3F));    // version 2
            }
            if (bytes.length > 13 && random.nextBoolean()) {
                bytes[0] = (byte) (0x90 | (bytes[0] & 0x20));    // version 2, X=1, no CSRC
                bytes[12] = (byte) (random.nextBoolean() ? 0xBE : 0x10);
                bytes[13] = (byte) (bytes[12] == (byte) 0xBE ? 0xDE : 0x00);
            }
            parse(bytes);
        }
    }

    @Test
    void truncatedPacketsAreInvalid() {
        int[][] fixtures = {RtpPacketTest.CHROME_VP8_PACKET, RtpPacketTest.TWO_BYTE_EXTENSIONS_PACKET};
        for (int[] fixture : fixtures) {
            byte[] whole = FixtureBuffers.toArray(fixture);
            int headerLength = parse(whole);
            for (int length = 0; length < whole.length; length++) {
                int parsedHeader = parse(Arrays.copyOf(whole, length));
                assertEquals(length >= headerLength, parsedHeader >= 0, "length " + length);
            }
        }
    }

    @Test
    void mutatedPacketsNeverThrow() {
        Random random = new Random(0xBEDEL);
        int[][] fixtures = {RtpPacketTest.CHROME_VP8_PACKET, RtpPacketTest.TWO_BYTE_EXTENSIONS_PACKET};
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = FixtureBuffers.toArray(fixtures[random.nextInt(fixtures.length)]);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            parse(bytes);
        }
    }

    /** Returns the header length when valid, else -1, after reading everything an accepted packet offers. */
    private int parse(byte[] bytes) {
        ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
        try {
            if (!packet.wrap(buffer, 0, bytes.length)) {
                assertFalse(packet.isValid());
                return -1;
            }
            long sink = packet.version() + packet.payloadType() + packet.sequenceNumber() + packet.timestamp()
                    + packet.ssrc() + (packet.marker() ? 1 : 0);
            for (int i = 0; i < packet.csrcCount(); i++) {
                sink += packet.csrc(i);
            }
            assertTrue(packet.payloadLength() >= 0);
            assertTrue(packet.payloadOffset() + packet.payloadLength() + packet.paddingLength() == bytes.length);
            for (cursor.reset(packet); cursor.next(); ) {
                assertTrue(cursor.valueOffset() + cursor.valueLength() <= packet.payloadOffset());
                assertTrue(cursor.valueOffset() >= RtpPacket.FIXED_HEADER_LENGTH);
                sink += cursor.id();
            }
            for (int id = 0; id < 256; id += 1 + id / 16) {
                sink += packet.extensionValue(id) + packet.extensionOffset(id) + packet.extensionLength(id);
                packet.extensionValue(id, sink);    // in-place rewrite stays within the element
            }
            consumed += sink;
            return packet.headerLength();
        } finally {
            buffer.release();
        }
    }
}
