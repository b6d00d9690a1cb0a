package org.archipelago.media.rtcp;

import org.archipelago.media.testing.FixtureBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtp.RtpSequence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every writer's output read back by its parser, and checked against the byte fixtures. */
class RtcpRoundTripTest {
    private ByteBuf out;

    @BeforeEach
    void allocate() {
        out = PooledByteBufAllocator.DEFAULT.buffer(1500);
    }

    @AfterEach
    void release() {
        out.release();
    }

    @Test
    void senderReportAndSdesWriteTheFixtureBytes() {
        int start = RtcpSenderReport.begin(out, 0x4A1C2E77L, 0xE83D6C80_80000000L, 90000, 300, 360000);
        RtcpReportBlock.write(out, 0x12345678L, 10, -2, 65541, 32, 0x6C808000L, 0x18000L);
        RtcpSenderReport.end(out, start);
        RtcpSourceDescription.writeCname(out, 0x4A1C2E77L, "archipelago@sfu");
        assertArrayEquals(FixtureBuffers.toArray(RtcpFixtures.SENDER_REPORT_AND_SDES), ByteBufUtil.getBytes(out));
    }

    @Test
    void receiverReportWithBlocksRoundTrips() {
        int start = RtcpReceiverReport.begin(out, 77);
        RtcpReportBlock.write(out, 1, 255, 1 << 23, 0xFFFF_FFFFL, 0, 0, 0);   // clamped to 2^23 - 1
        RtcpReportBlock.write(out, 2, 0, -(1 << 24), 100, 7, 8, 9);           // clamped to -2^23
        RtcpReceiverReport.end(out, start);
        RtcpReceiverReport report = new RtcpReceiverReport();
        assertTrue(report.wrap(out, 0, out.writerIndex()));
        assertEquals(77, report.senderSsrc());
        assertEquals(2, report.reportBlockCount());
        assertEquals((1 << 23) - 1, report.reportBlock(0).cumulativeLost());
        assertEquals(255, report.reportBlock(0).fractionLost());
        assertEquals(0xFFFF_FFFFL, report.reportBlock(0).extendedHighestSequenceNumber());
        RtcpReportBlock second = report.reportBlock(1);
        assertEquals(2, second.ssrc());
        assertEquals(-(1 << 23), second.cumulativeLost());
        assertEquals(7, second.jitter());
        assertEquals(8, second.lastSenderReport());
        assertEquals(9, second.delaySinceLastSenderReport());
        assertFalse(report.wrap(out, 0, out.writerIndex() - 4), "length beyond the region");
    }

    @Test
    void cnameOfEveryAlignmentRoundTrips() {
        RtcpSourceDescription sdes = new RtcpSourceDescription();
        for (int length = 0; length <= 9; length++) {
            out.clear();
            String cname = "c".repeat(length);
            RtcpSourceDescription.writeCname(out, 5, cname);
            assertEquals(0, out.writerIndex() % 4);
            assertEquals(0, out.getByte(0) & RtcpHeader.PADDING_BIT, "SDES aligns with nulls, not padding");
            assertTrue(sdes.wrap(out, 0, out.writerIndex()));
            assertTrue(sdes.nextChunk());
            assertEquals(5, sdes.chunkSsrc());
            assertTrue(sdes.nextItem());
            assertEquals(cname, out.toString(sdes.itemOffset(), sdes.itemLength(), StandardCharsets.UTF_8));
            assertFalse(sdes.nextItem());
        }
        assertThrows(IllegalArgumentException.class, () -> RtcpSourceDescription.writeCname(out, 1, "x".repeat(256)));
    }

    @Test
    void goodbyeRoundTripsWithAndWithoutReason() {
        RtcpGoodbye.write(out, new long[]{0x11111111L, 0x22222222L}, 2, "bye");
        assertArrayEquals(FixtureBuffers.toArray(RtcpFixtures.GOODBYE), ByteBufUtil.getBytes(out));

        out.clear();
        RtcpGoodbye.write(out, new long[]{9}, 1, null);
        RtcpGoodbye bye = new RtcpGoodbye();
        assertTrue(bye.wrap(out, 0, out.writerIndex()));
        assertEquals(1, bye.ssrcCount());
        assertEquals(9, bye.ssrc(0));
        assertFalse(bye.hasReason());

        out.clear();
        RtcpGoodbye.write(out, new long[]{9}, 1, "leaving!");
        assertTrue(bye.wrap(out, 0, out.writerIndex()));
        assertEquals("leaving!", out.toString(bye.reasonOffset(), bye.reasonLength(), StandardCharsets.UTF_8));
    }

    @Test
    void nackWritesTheFixtureBytes() {
        int[] lost = {65534, 65535, 1, 100, 116};
        assertTrue(RtcpNack.write(out, 1, 0x12345678L, lost, lost.length));
        assertArrayEquals(FixtureBuffers.toArray(RtcpFixtures.NACK), ByteBufUtil.getBytes(out));
    }

    @Test
    void nackRejectsEmptyAndDescendingLists() {
        assertFalse(RtcpNack.write(out, 1, 2, new int[0], 0));
        assertFalse(RtcpNack.write(out, 1, 2, new int[]{10, 9}, 2));
        assertEquals(0, out.writerIndex(), "nothing written");
    }

    @Test
    void randomLossListsRoundTripThroughPidBlpPairs() {
        Random random = new Random(0xA5C1L);
        RtcpNack nack = new RtcpNack();
        out.release();
        out = Unpooled.buffer(1500);    // untracked: PARANOID records every access of tracked buffers
        for (int trial = 0; trial < 500; trial++) {
            out.clear();
            int first = random.nextInt(65536);
            int count = 1 + random.nextInt(60);
            int[] lost = new int[count];
            int sequenceNumber = first;
            for (int i = 0; i < count; i++) {
                lost[i] = sequenceNumber;
                sequenceNumber = RtpSequence.add(sequenceNumber, 1 + random.nextInt(random.nextBoolean() ? 3 : 40));
            }
            assertTrue(RtcpNack.write(out, 1, 2, lost, count));
            assertTrue(nack.wrap(out, 0, out.writerIndex()));
            List<Integer> read = new ArrayList<>();
            for (int s = nack.nextLostSequenceNumber(); s != RtcpNack.NO_MORE; s = nack.nextLostSequenceNumber()) {
                read.add(s);
            }
            List<Integer> expected = new ArrayList<>();
            for (int s : lost) {
                expected.add(s);
            }
            assertEquals(expected, read, "trial " + trial);

            // Skipping from anywhere counts what reading on would have returned.
            int readFirst = random.nextInt(count + 1);
            nack.rewind();
            for (int i = 0; i < readFirst; i++) {
                nack.nextLostSequenceNumber();
            }
            assertEquals(count - readFirst, nack.skipRemaining(), "trial " + trial + " after " + readFirst);
            assertEquals(RtcpNack.NO_MORE, nack.nextLostSequenceNumber());
            assertEquals(0, nack.skipRemaining());
        }
    }

    @Test
    void transportWideFeedbackWritesTheFixtureBytes() {
        // Arrivals matching the fixture: reference 16 x 64 ms, then the deltas it lists.
        int[] sequenceNumbers = {10, 11, 12, 14, 15, 17};
        long[] arrivalMicros = {1_025_000, 1_025_000, 1_027_000, 1_026_000, 1_030_000, 1_030_250};
        assertTrue(RtcpTransportWideFeedback.write(out, 1, 2, 3, sequenceNumbers, arrivalMicros, 6));
        // Our encoder picks a two-bit vector for the first 7 statuses and a run for the last one,
        // where the fixture used a run then a vector: compare what both mean instead of bytes.
        assertSameFeedback(RtcpFixtures.TRANSPORT_WIDE_FEEDBACK, ByteBufUtil.getBytes(out));
    }

    private static void assertSameFeedback(int[] expectedBytes, byte[] actualBytes) {
        ByteBuf expectedBuffer = FixtureBuffers.of(expectedBytes);
        ByteBuf actualBuffer = FixtureBuffers.of(unsigned(actualBytes));
        try {
            RtcpTransportWideFeedback expected = new RtcpTransportWideFeedback();
            RtcpTransportWideFeedback actual = new RtcpTransportWideFeedback();
            assertTrue(expected.wrap(expectedBuffer, 0, expectedBytes.length));
            assertTrue(actual.wrap(actualBuffer, 0, actualBytes.length), ByteBufUtil.hexDump(actualBuffer));
            assertEquals(expected.baseSequenceNumber(), actual.baseSequenceNumber());
            assertEquals(expected.packetStatusCount(), actual.packetStatusCount());
            assertEquals(expected.referenceTime(), actual.referenceTime());
            assertEquals(expected.feedbackPacketCount(), actual.feedbackPacketCount());
            while (expected.next()) {
                assertTrue(actual.next());
                assertEquals(expected.status(), actual.status());
                assertEquals(expected.deltaTicks(), actual.deltaTicks());
            }
            assertFalse(actual.next());
        } finally {
            expectedBuffer.release();
            actualBuffer.release();
        }
    }

    private static int[] unsigned(byte[] bytes) {
        int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = bytes[i] & 0xFF;
        }
        return values;
    }

    @Test
    void randomTransportWideRecordsRoundTrip() {
        Random random = new Random(0x7CCL);
        RtcpTransportWideFeedback feedback = new RtcpTransportWideFeedback();
        out.release();
        out = Unpooled.buffer(1500);    // untracked: PARANOID records every access of tracked buffers
        for (int trial = 0; trial < 1000; trial++) {
            out.clear();
            int count = 1 + random.nextInt(trial % 10 == 0 ? 1500 : 40);
            int[] sequenceNumbers = new int[count];
            long[] arrivals = new long[count];
            int sequenceNumber = random.nextInt(65536);
            long arrival = random.nextInt(1 << 30);
            int lossStyle = random.nextInt(3);   // none, sparse, bursty
            for (int i = 0; i < count; i++) {
                sequenceNumbers[i] = sequenceNumber;
                arrivals[i] = arrival;
                int gap = 1;
                if (lossStyle == 1 && random.nextInt(10) == 0) {
                    gap += random.nextInt(3);
                } else if (lossStyle == 2 && random.nextInt(50) == 0) {
                    gap += random.nextInt(200);
                }
                sequenceNumber = RtpSequence.add(sequenceNumber, gap);
                // Mostly small steps; sometimes reordered (negative) or large ones.
                int shape = random.nextInt(20);
                arrival += shape == 0 ? -random.nextInt(5_000) : shape == 1 ? random.nextInt(2_000_000) : random.nextInt(3_000);
            }
            int distinctStatuses = RtpSequence.distance(sequenceNumbers[0], sequenceNumbers[count - 1]) + 1;
            if (distinctStatuses <= 0 || distinctStatuses > 32767) {
                continue;
            }
            assertTrue(RtcpTransportWideFeedback.write(out, 1, 2, trial, sequenceNumbers, arrivals, count));
            assertEquals(0, out.writerIndex() % 4);
            assertTrue(feedback.wrap(out, 0, out.writerIndex()), () -> ByteBufUtil.hexDump(out));
            assertEquals(sequenceNumbers[0], feedback.baseSequenceNumber());
            assertEquals(distinctStatuses, feedback.packetStatusCount());
            assertEquals(trial & 0xFF, feedback.feedbackPacketCount());
            int record = 0;
            while (feedback.next()) {
                if (record < count && feedback.sequenceNumber() == sequenceNumbers[record]) {
                    assertTrue(feedback.isReceived(), "trial " + trial + " seq " + feedback.sequenceNumber());
                    // Times are rounded down to 250 us; the 24-bit reference wraps only after 12 days.
                    assertEquals(Math.floorDiv(arrivals[record], 250) * 250, feedback.arrivalTimeMicros(),
                            "trial " + trial + " record " + record);
                    record++;
                } else {
                    assertFalse(feedback.isReceived(), "trial " + trial + " seq " + feedback.sequenceNumber());
                }
            }
            assertEquals(count, record);
        }
    }

    @Test
    void transportWideFeedbackRejectsWhatItCannotEncode() {
        assertFalse(RtcpTransportWideFeedback.write(out, 1, 2, 0, new int[0], new long[0], 0));
        assertFalse(RtcpTransportWideFeedback.write(out, 1, 2, 0, new int[]{5, 5}, new long[]{0, 1000}, 2));
        // 10 s between two arrivals is beyond a signed 16-bit count of 250 us.
        assertFalse(RtcpTransportWideFeedback.write(out, 1, 2, 0, new int[]{5, 6}, new long[]{0, 10_000_000}, 2));
        assertEquals(0, out.writerIndex(), "nothing written");
    }

    @Test
    void pliAndFirWriteTheFixtureBytes() {
        RtcpPictureLossIndication.write(out, 1, 0x4A1C2E77L);
        RtcpFullIntraRequest.write(out, 1, 0x4A1C2E77L, 7);
        assertArrayEquals(FixtureBuffers.toArray(RtcpFixtures.PLI_AND_FIR), ByteBufUtil.getBytes(out));
    }

    @Test
    void rembWritesTheFixtureBytesAndRoundsBitratesDown() {
        RtcpReceiverEstimatedMaximumBitrate.write(out, 1, 1_000_000, new long[]{0x11111111L, 0x22222222L}, 2);
        assertArrayEquals(FixtureBuffers.toArray(RtcpFixtures.REMB), ByteBufUtil.getBytes(out));

        RtcpReceiverEstimatedMaximumBitrate remb = new RtcpReceiverEstimatedMaximumBitrate();
        long[][] rows = {
                // bitrate written,   bitrate read back (18-bit mantissa, rounded down)
                {0, 0},
                {262_143, 262_143},
                {262_144, 262_144},
                {262_145, 262_144},
                {2_500_000_001L, 2_499_985_408L},   // mantissa 152587, exponent 14
                {Long.MAX_VALUE, 0x7FFF_E000_0000_0000L},
        };
        for (long[] row : rows) {
            out.clear();
            RtcpReceiverEstimatedMaximumBitrate.write(out, 1, row[0], new long[0], 0);
            assertTrue(remb.wrap(out, 0, out.writerIndex()));
            assertEquals(row[1], remb.bitrate(), () -> "bitrate " + row[0]);
            assertEquals(0, remb.ssrcCount());
        }
    }

    @Test
    void writtenCompoundIteratesPacketByPacket() {
        int start = RtcpReceiverReport.begin(out, 1);
        RtcpReceiverReport.end(out, start);
        RtcpSourceDescription.writeCname(out, 1, "x");
        RtcpNack.write(out, 1, 2, new int[]{3}, 1);
        RtcpTransportWideFeedback.write(out, 1, 2, 0, new int[]{1, 2, 3}, new long[]{0, 250, 500}, 3);
        RtcpPictureLossIndication.write(out, 1, 2);
        RtcpReceiverEstimatedMaximumBitrate.write(out, 1, 300_000, new long[]{2}, 1);
        RtcpGoodbye.write(out, new long[]{1}, 1, null);

        int[][] expected = {
                {RtcpHeader.RECEIVER_REPORT, 0},
                {RtcpHeader.SOURCE_DESCRIPTION, 1},
                {RtcpHeader.TRANSPORT_FEEDBACK, RtcpNack.FORMAT},
                {RtcpHeader.TRANSPORT_FEEDBACK, RtcpTransportWideFeedback.FORMAT},
                {RtcpHeader.PAYLOAD_FEEDBACK, RtcpPictureLossIndication.FORMAT},
                {RtcpHeader.PAYLOAD_FEEDBACK, RtcpReceiverEstimatedMaximumBitrate.FORMAT},
                {RtcpHeader.GOODBYE, 1},
        };
        RtcpCompoundIterator packets = new RtcpCompoundIterator().wrap(out);
        for (int[] packet : expected) {
            assertTrue(packets.next());
            assertArrayEquals(packet, new int[]{packets.packetType(), packets.count()});
        }
        assertFalse(packets.next());
        assertFalse(packets.isMalformed());
    }

    @Test
    void nackWriterDropsDuplicates() {
        int[] lost = {7, 7, 8};
        assertTrue(RtcpNack.write(out, 1, 2, lost, lost.length));
        RtcpNack nack = new RtcpNack();
        assertTrue(nack.wrap(out, 0, out.writerIndex()));
        assertEquals(1, nack.pairCount());
        assertEquals(7, nack.nextLostSequenceNumber());
        assertEquals(8, nack.nextLostSequenceNumber());
        assertEquals(RtcpNack.NO_MORE, nack.nextLostSequenceNumber());
    }
}
