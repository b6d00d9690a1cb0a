package org.archipelago.media.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random, truncated and mutated bytes into {@link RedPayload}. Buffers are exactly as long as the
 * input, so a read past a validated bound throws and fails the test; an accepted payload is read
 * through every getter and its blocks must tile the payload exactly.
 */
class RedPayloadFuzzTest {
    private final RedPayload red = new RedPayload();

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(0x2198L);
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = new byte[random.nextInt(160)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextInt(4) == 0) {
                bytes[0] &= 0x7F;                                   // primary only
            }
            accepted += parse(bytes) ? 1 : 0;
        }
        assertTrue(accepted > 0, "some random payloads are well-formed");
    }

    @Test
    void truncatedPayloadsAreInvalidUntilTheRedundantBlocksFit() {
        byte[] whole = bytes(RedPayloadRfcTest.LIBWEBRTC_RED_HEADERS, RedPayloadRfcTest.LIBWEBRTC_REDUNDANT_LENGTH,
                RedPayloadRfcTest.LIBWEBRTC_PRIMARY_LENGTH);
        int smallest = RedPayloadRfcTest.LIBWEBRTC_RED_HEADERS.length + RedPayloadRfcTest.LIBWEBRTC_REDUNDANT_LENGTH;
        for (int length = 0; length <= whole.length; length++) {
            assertEquals(length >= smallest, parse(Arrays.copyOf(whole, length)), "length " + length);
        }
    }

    @Test
    void mutatedPayloadsNeverThrow() {
        Random random = new Random(0x6F6FL);
        byte[] whole = bytes(RedPayloadRfcTest.LIBWEBRTC_RED_HEADERS, RedPayloadRfcTest.LIBWEBRTC_REDUNDANT_LENGTH,
                RedPayloadRfcTest.LIBWEBRTC_PRIMARY_LENGTH);
        for (int i = 0; i < 50_000; i++) {
            byte[] mutated = Arrays.copyOf(whole, random.nextInt(whole.length + 1));
            for (int flips = random.nextInt(4); flips >= 0 && mutated.length > 0; flips--) {
                mutated[random.nextInt(Math.min(mutated.length, 12))] = (byte) random.nextInt(256);
            }
            parse(mutated);
        }
    }

    @Test
    void badInputIsRefused() {
        assertFalse(red.wrap(null, 0, 1));
        ByteBuf buffer = Unpooled.wrappedBuffer(new byte[]{0x6F, 1, 2});
        assertFalse(red.wrap(buffer, 0, 0), "empty: not even the primary header");
        assertFalse(red.wrap(buffer, -1, 2));
        assertFalse(red.wrap(buffer, 1, 3), "beyond the buffer");
        assertFalse(red.isValid());
        assertFalse(parse(new byte[]{(byte) 0xEF, 0x0F, 0x00}), "a redundant header cut short");
        assertFalse(parse(new byte[]{(byte) 0xEF, 0x0F, 0x00, 0x00}), "no primary header after it");
        assertFalse(parse(new byte[]{(byte) 0xEF, 0x0F, 0x00, 0x02, 0x6F, 1}), "redundant block longer than what is left");
        assertTrue(parse(new byte[]{(byte) 0xEF, 0x0F, 0x00, 0x02, 0x6F, 1, 2}), "... and exactly as long");
    }

    /** Parses {@code bytes} in a buffer of exactly their length; checks the invariants when valid. */
    private boolean parse(byte[] bytes) {
        ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
        boolean valid = red.wrap(buffer, 0, bytes.length);
        assertEquals(valid, red.isValid());
        if (!valid) {
            return false;
        }
        int blocks = red.redundantBlockCount();
        assertTrue(blocks < RedPayload.MAX_BLOCKS);
        int next = red.headerLength();
        assertEquals(blocks * RedPayload.REDUNDANT_HEADER_LENGTH + RedPayload.PRIMARY_HEADER_LENGTH, next);
        for (int i = 0; i < blocks; i++) {
            assertEquals(next, red.redundantOffset(i));
            assertTrue(red.redundantPayloadType(i) < 128);
            assertTrue(red.redundantTimestampOffset(i) < 1 << 14);
            next += red.redundantLength(i);
        }
        assertEquals(next, red.primaryOffset(), "blocks follow each other");
        assertEquals(bytes.length, red.primaryOffset() + red.primaryLength(), "the primary ends the payload");
        assertTrue(red.primaryLength() >= 0);
        assertTrue(red.primaryPayloadType() < 128);
        return true;
    }

    private static byte[] bytes(int[] headers, int redundantLength, int primaryLength) {
        ByteBuf buffer = RedPayloadRfcTest.withBlocks(headers, redundantLength, primaryLength);
        try {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }
}
