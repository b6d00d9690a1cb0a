package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.testing.FixtureBuffers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Table-driven, in the style of mediasoup's SeqManager tests. Each table is one downstream's life:
 * rows fed in order, on a virtual clock in milliseconds. A row is
 * {@code {op, nowMs, input seq, input ts, expected output seq, expected output ts}}:
 * {@code FWD} expects the packet forwarded with those outputs, {@code OLD} expects it refused as too
 * old (outputs ignored), {@code SWITCH} switches the source (only nowMs is read, for the record).
 *
 * <p>Video rewriters run at 90 kHz (90 ticks per ms), start at output seq 5000 and ts 1 000 000.
 */
class RtpStreamRewriterTest {
    private static final long FWD = 0;
    private static final long OLD = 1;
    private static final long SWITCH = 2;
    private static final long X = -1; // "not checked"

    private static final long SSRC = 0xCAFEBABEL;
    private static final int VIDEO_CLOCK = 90_000;
    private static final int INITIAL_SEQ = 5000;
    private static final long INITIAL_TS = 1_000_000;

    private static void assertRewrites(RtpStreamRewriter rewriter, long[][] rows) {
        for (int i = 0; i < rows.length; i++) {
            long[] row = rows[i];
            int index = i;
            long nowNanos = row[1] * 1_000_000L;
            if (row[0] == SWITCH) {
                rewriter.switchSource();
                continue;
            }
            boolean forwarded = rewriter.accept((int) row[2], row[3], 96, nowNanos);
            if (row[0] == OLD) {
                assertFalse(forwarded, () -> "row " + index + ": input seq " + row[2] + " should be too old");
                continue;
            }
            assertTrue(forwarded, () -> "row " + index + ": input seq " + row[2] + " should be forwarded");
            assertEquals(row[4], rewriter.outputSequenceNumber(), () -> "row " + index + ": output seq");
            if (row[5] != X) {
                assertEquals(row[5], rewriter.outputTimestamp(), () -> "row " + index + ": output ts");
            }
        }
    }

    private static RtpStreamRewriter video() {
        return new RtpStreamRewriter(SSRC, VIDEO_CLOCK, INITIAL_SEQ, INITIAL_TS);
    }

    @Test
    void inOrderPacketsKeepTheirSpacing() {
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, 1_000_000},
                {FWD, 0, 101, 3000, 5001, 1_000_000},   // same frame, same timestamp
                {FWD, 33, 102, 6000, 5002, 1_003_000},
                {FWD, 66, 103, 9000, 5003, 1_006_000},
        });
    }

    @Test
    void lossInTheSourceIsTheSameGapInTheOutput() {
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, 1_000_000},
                {FWD, 0, 103, 3000, 5003, 1_000_000},   // 101, 102 lost upstream
                {FWD, 33, 110, 6000, 5010, 1_003_000},  // 104..109 lost
        });
    }

    @Test
    void reorderedAndDuplicatePacketsMapConsistently() {
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, 1_000_000},
                {FWD, 0, 102, 3000, 5002, 1_000_000},
                {FWD, 0, 101, 3000, 5001, 1_000_000},   // late: fills the hole
                {FWD, 0, 101, 3000, 5001, 1_000_000},   // duplicate: same output
                {FWD, 33, 103, 6000, 5003, 1_003_000},
                {FWD, 33, 100, 3000, 5000, 1_000_000},  // old duplicate, still in the window
        });
    }

    @Test
    void sequenceNumberWrapsInInputAndOutput() {
        RtpStreamRewriter rewriter = new RtpStreamRewriter(SSRC, VIDEO_CLOCK, 65534, 0);
        assertRewrites(rewriter, new long[][]{
                {FWD, 0, 65533, 0, 65534, 0},
                {FWD, 0, 65534, 0, 65535, 0},
                {FWD, 0, 0, 0, 1, 0},                   // input wraps; 65535 lost -> output 0 is the gap
                {FWD, 0, 65535, 0, 0, 0},               // the late one fills it across the wrap
                {FWD, 0, 1, 0, 2, 0},
        });
    }

    @Test
    void timestampWrapsInInputAndOutput() {
        RtpStreamRewriter rewriter = new RtpStreamRewriter(SSRC, VIDEO_CLOCK, 0, 0xFFFF_FF00L);
        assertRewrites(rewriter, new long[][]{
                {FWD, 0, 10, 0xFFFF_FFFFL - 1000, 0, 0xFFFF_FF00L},
                {FWD, 33, 11, 1999, 1, 2744},           // +3000 ticks: both input and output wrap
                {FWD, 33, 12, 1999, 2, 2744},
        });
    }

    @Test
    void tooOldPacketsAreRefused() {
        RtpStreamRewriter rewriter = new RtpStreamRewriter(SSRC, VIDEO_CLOCK, INITIAL_SEQ, INITIAL_TS, 10);
        assertRewrites(rewriter, new long[][]{
                {FWD, 0, 100, 3000, 5000, X},
                {FWD, 0, 130, 3000, 5030, X},
                {FWD, 0, 120, 3000, 5020, X},           // 10 behind: at the window's edge
                {OLD, 0, 119, 3000, X, X},              // 11 behind
                {OLD, 0, 100, 3000, X, X},
                {OLD, 0, 130 - 32768, 3000, X, X},      // half the space behind
                {FWD, 0, 131, 3000, 5031, X},
        });
        assertEquals(3, rewriter.tooOldPackets());
        assertEquals(4, rewriter.acceptedPackets());
    }

    @Test
    void packetsOlderThanTheFirstOfTheSourceAreRefused() {
        // Right after a start or a switch nothing below the first packet may pass: its output
        // numbers belong to the previous source.
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, X},
                {OLD, 0, 99, 3000, X, X},
                {FWD, 0, 102, 3000, 5002, X},
                {FWD, 0, 101, 3000, 5001, X},
                {OLD, 0, 99, 3000, X, X},
        });
    }

    @Test
    void aSourceSwitchContinuesSequenceAndWallClockTimestamp() {
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, 1_000_000},
                {FWD, 33, 101, 6000, 5001, 1_003_000},
                {SWITCH, 1000, X, X, X, X},
                // The new source's numbers are unrelated; its keyframe arrives 1 s after the last
                // output timestamp was sent (at 33 ms): 967 ms = 87 030 ticks later.
                {FWD, 1000, 40_000, 7_777_777, 5002, 1_090_030},
                {FWD, 1000, 40_001, 7_777_777, 5003, 1_090_030},
                {FWD, 1033, 40_002, 7_780_777, 5004, 1_093_030},
                {OLD, 1033, 39_999, 7_774_777, X, X},   // before the switch point
                {OLD, 1033, 30_000, 7_000_000, X, X},   // far behind the window
        });
    }

    @Test
    void aSwitchBackToTheFormerSourceStartsAFreshMapping() {
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, 1_000_000},
                {SWITCH, 500, X, X, X, X},
                {FWD, 500, 9000, 50_000, 5001, 1_045_000},
                {FWD, 510, 9001, 50_900, 5002, 1_045_900},
                {SWITCH, 2000, X, X, X, X},
                // Back to the first source: 1490 ms after 1_045_900 was sent.
                {FWD, 2000, 190, 183_000, 5003, 1_180_000},
                {FWD, 2000, 191, 183_000, 5004, 1_180_000},
        });
    }

    @Test
    void aSwitchAtTheSameInstantStillAdvancesTheTimestamp() {
        assertRewrites(video(), new long[][]{
                {FWD, 0, 100, 3000, 5000, 1_000_000},
                {SWITCH, 0, X, X, X, X},
                {FWD, 0, 7, 1, 5001, 1_000_001},        // one tick: never the previous frame's timestamp
        });
    }

    @Test
    void aSwitchBeforeAnyPacketIsTheStart() {
        RtpStreamRewriter rewriter = video();
        assertRewrites(rewriter, new long[][]{
                {SWITCH, 0, X, X, X, X},
                {FWD, 10, 100, 3000, 5000, 1_000_000},
        });
        assertEquals(0, rewriter.sourceSwitches());
    }

    @Test
    void switchesAcrossOutputWrapAround() {
        RtpStreamRewriter rewriter = new RtpStreamRewriter(SSRC, 48_000, 65535, 0xFFFF_FFFFL - 959);
        assertRewrites(rewriter, new long[][]{
                {FWD, 0, 10, 0, 65535, 0xFFFF_FFFFL - 959},
                {SWITCH, 20, X, X, X, X},
                // 20 ms at 48 kHz = 960 ticks: both numbers wrap to 0.
                {FWD, 20, 3, 123, 0, 0},
                {FWD, 40, 4, 1083, 1, 960},
        });
    }

    @Test
    void theReorderWindowGrowsOnlyAsTheSourceProgresses() {
        RtpStreamRewriter rewriter = new RtpStreamRewriter(SSRC, VIDEO_CLOCK, 0, 0, 1000);
        // 40 000 packets in order: far more than half the sequence space after the source's first
        // packet. Late packets are judged against the newest one, never against the first.
        for (int i = 0; i < 40_000; i++) {
            assertTrue(rewriter.accept(i & 0xFFFF, 0, 96, 0));
        }
        assertTrue(rewriter.accept(39_000, 0, 96, 0));
        assertEquals(39_000, rewriter.outputSequenceNumber());
        assertFalse(rewriter.accept(38_998, 0, 96, 0));
        assertEquals(1, rewriter.tooOldPackets());
    }

    @Test
    void rewritesSsrcSequenceTimestampAndPayloadTypeInPlace() {
        RtpStreamRewriter rewriter = video();
        rewriter.mapPayloadType(96, 100);
        ByteBuf buffer = FixtureBuffers.of(
                0x80, 0xE0, 0x00, 0x64, // V=2 | M=1 PT=96 | seq 100
                0x00, 0x00, 0x0B, 0xB8, // ts 3000
                0x11, 0x22, 0x33, 0x44, // SSRC of the publisher
                0xAB, 0xCD);            // payload
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertTrue(rewriter.rewrite(packet, 0));
            assertEquals(SSRC, packet.ssrc());
            assertEquals(INITIAL_SEQ, packet.sequenceNumber());
            assertEquals(INITIAL_TS, packet.timestamp());
            assertEquals(100, packet.payloadType());
            assertTrue(packet.marker(), "the marker bit is the source's");
            assertEquals(0xCD, buffer.getUnsignedByte(13), "the payload is untouched");

            rewriter.clearPayloadTypeMap();
            packet.sequenceNumber(101).payloadType(96);
            assertTrue(rewriter.rewrite(packet, 0));
            assertEquals(96, packet.payloadType());
        } finally {
            buffer.release();
        }
    }

    @Test
    void redUnwrappingIsPerPayloadTypeAndClearedWithTheMap() {
        RtpStreamRewriter rewriter = new RtpStreamRewriter(SSRC, 48_000, INITIAL_SEQ, INITIAL_TS);
        assertEquals(RtpStreamRewriter.NOT_UNWRAPPED, rewriter.redPrimaryPayloadType(63));
        rewriter.unwrapRed(63, 111);
        assertEquals(111, rewriter.redPrimaryPayloadType(63));
        assertEquals(RtpStreamRewriter.NOT_UNWRAPPED, rewriter.redPrimaryPayloadType(111));
        rewriter.clearPayloadTypeMap();
        assertEquals(RtpStreamRewriter.NOT_UNWRAPPED, rewriter.redPrimaryPayloadType(63));
    }

    @Test
    void configurationMistakesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RtpStreamRewriter(SSRC, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RtpStreamRewriter(SSRC, VIDEO_CLOCK, 0, 0, 32768));
        assertThrows(IllegalArgumentException.class, () -> video().mapPayloadType(128, 96));
        assertThrows(IllegalArgumentException.class, () -> video().unwrapRed(128, 111));
        assertThrows(IllegalArgumentException.class, () -> video().unwrapRed(63, -1));
    }
}
