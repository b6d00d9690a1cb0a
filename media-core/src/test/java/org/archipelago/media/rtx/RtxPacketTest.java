package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.testing.FixtureBuffers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 4588 §4: an RTX packet built from an original, byte for byte. */
class RtxPacketTest {
    /** VP8, PT 96, seq 0xABCD, with a CSRC, a one-byte extension and 3 bytes of padding. */
    private static final int[] ORIGINAL = {
            0xB1, 0xE0, 0xAB, 0xCD, // V=2 P=1 X=1 CC=1 | M=1 PT=96 | seq 0xABCD
            0x00, 0x01, 0x5F, 0x90, // timestamp 90000
            0x11, 0x22, 0x33, 0x44, // SSRC
            0x55, 0x66, 0x77, 0x88, // CSRC
            0xBE, 0xDE, 0x00, 0x01, // one-byte extensions, 1 word
            0x32, 0x00, 0x07, 0x00, // id 3 len 3: 0x000700 (transport-wide seq, 2 bytes + pad) | padding
            0x90, 0xE0, 0x01, 0x02, // payload: VP8 descriptor and data
            0x03, 0x00, 0x00, 0x03, // payload 0x03 | RTP padding 3 bytes, count 3
    };

    private static final int[] RTX = {
            0x91, 0xE1, 0x00, 0x07, // V=2 P=0 (padding not carried) X=1 CC=1 | M=1 PT=97 (rtx apt=96) | RTX seq 7
            0x00, 0x01, 0x5F, 0x90, // timestamp 90000, as the original
            0xCA, 0xFE, 0xBA, 0xBE, // RTX SSRC
            0x55, 0x66, 0x77, 0x88, // CSRC, as the original
            0xBE, 0xDE, 0x00, 0x01, // extensions, as the original
            0x32, 0x00, 0x07, 0x00, //
            0xAB, 0xCD, 0x90, 0xE0, // OSN 0xABCD | original payload...
            0x01, 0x02, 0x03,       // ...its last bytes; no padding
    };

    @Test
    void rtxCarriesTheOriginalHeaderAndOsnUnderItsOwnTypeSsrcAndSequence() {
        ByteBuf original = FixtureBuffers.of(ORIGINAL);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            RtpPacket view = new RtpPacket();
            assertTrue(view.wrap(original));
            assertEquals(RTX.length, RtxPacket.length(view));
            RtxPacket.write(view, out, 97, 0xCAFEBABEL, 7);
            assertArrayEquals(FixtureBuffers.toArray(RTX), ByteBufUtil.getBytes(out));
            assertArrayEquals(FixtureBuffers.toArray(ORIGINAL), ByteBufUtil.getBytes(original), "the original is untouched");
        } finally {
            original.release();
            out.release();
        }
    }
}
