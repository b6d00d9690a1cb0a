package org.archipelago.media.rtcp;

import org.archipelago.media.testing.FixtureBuffers;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.archipelago.media.rtcp.RtcpFixtures.EMPTY_RECEIVER_REPORT;
import static org.archipelago.media.rtcp.RtcpFixtures.GOODBYE;
import static org.archipelago.media.rtcp.RtcpFixtures.NACK;
import static org.archipelago.media.rtcp.RtcpFixtures.PLI_AND_FIR;
import static org.archipelago.media.rtcp.RtcpFixtures.REMB;
import static org.archipelago.media.rtcp.RtcpFixtures.SENDER_REPORT_AND_SDES;
import static org.archipelago.media.rtcp.RtcpFixtures.TRANSPORT_WIDE_FEEDBACK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the fixtures of {@link RtcpFixtures} through the compound iterator and each view. */
class RtcpParserTest {

    @Test
    void iteratesSenderReportAndSourceDescription() {
        ByteBuf buffer = FixtureBuffers.of(SENDER_REPORT_AND_SDES);
        try {
            RtcpCompoundIterator packets = new RtcpCompoundIterator().wrap(buffer);
            assertTrue(packets.next());
            assertEquals(RtcpHeader.SENDER_REPORT, packets.packetType());
            assertEquals(1, packets.count());
            assertEquals(0, packets.packetOffset());
            assertEquals(52, packets.packetLength());

            RtcpSenderReport report = new RtcpSenderReport();
            assertTrue(report.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(0x4A1C2E77L, report.senderSsrc());
            assertEquals(0xE83D6C80_80000000L, report.ntpTimestamp());
            assertEquals(90000, report.rtpTimestamp());
            assertEquals(300, report.packetCount());
            assertEquals(360000, report.octetCount());
            assertEquals(1, report.reportBlockCount());
            RtcpReportBlock block = report.reportBlock(0);
            assertEquals(0x12345678L, block.ssrc());
            assertEquals(10, block.fractionLost());
            assertEquals(-2, block.cumulativeLost());
            assertEquals(65541, block.extendedHighestSequenceNumber());
            assertEquals(32, block.jitter());
            assertEquals(0x6C808000L, block.lastSenderReport());
            assertEquals(0x18000L, block.delaySinceLastSenderReport());

            assertTrue(packets.next());
            assertEquals(RtcpHeader.SOURCE_DESCRIPTION, packets.packetType());
            assertEquals(52, packets.packetOffset());
            RtcpSourceDescription sdes = new RtcpSourceDescription();
            assertTrue(sdes.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(1, sdes.chunkCount());
            assertTrue(sdes.nextChunk());
            assertEquals(0x4A1C2E77L, sdes.chunkSsrc());
            assertTrue(sdes.nextItem());
            assertEquals(RtcpSourceDescription.CNAME, sdes.itemType());
            assertEquals("archipelago@sfu",
                    buffer.toString(sdes.itemOffset(), sdes.itemLength(), StandardCharsets.US_ASCII));
            assertFalse(sdes.nextItem());
            assertFalse(sdes.nextChunk());

            assertFalse(packets.next());
            assertFalse(packets.isMalformed());
            assertFalse(report.wrap(buffer, 52, 28), "an SDES is not an SR");
        } finally {
            buffer.release();
        }
    }

    @Test
    void stopsAtTheFirstBadHeaderKeepingEarlierPackets() {
        int[][] badSecondPackets = {
                {0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 1},       // version 1
                {0x80, 0xC9, 0x00, 0x02, 0, 0, 0, 1},       // length claims 12 bytes, 8 present
                {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 0},       // P=1 with padding count 0
                {0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 5},       // padding count beyond the body
                {0x80, 0xC9},                               // trailing bytes shorter than a header
        };
        RtcpCompoundIterator packets = new RtcpCompoundIterator();
        for (int[] bad : badSecondPackets) {
            ByteBuf buffer = FixtureBuffers.of(RtcpFixtures.concat(EMPTY_RECEIVER_REPORT, bad));
            try {
                packets.wrap(buffer);
                assertTrue(packets.next());
                assertEquals(RtcpHeader.RECEIVER_REPORT, packets.packetType());
                assertFalse(packets.next());
                assertTrue(packets.isMalformed());
                assertFalse(packets.next(), "stays stopped");
            } finally {
                buffer.release();
            }
        }
        ByteBuf empty = FixtureBuffers.of();
        try {
            assertFalse(packets.wrap(empty).next());
            assertTrue(packets.isMalformed(), "an empty datagram is not RTCP");
        } finally {
            empty.release();
        }
    }

    @Test
    void readsReceiverReportWithoutBlocksAndGoodbye() {
        ByteBuf buffer = FixtureBuffers.of(RtcpFixtures.concat(EMPTY_RECEIVER_REPORT, GOODBYE));
        try {
            RtcpCompoundIterator packets = new RtcpCompoundIterator().wrap(buffer);
            assertTrue(packets.next());
            RtcpReceiverReport report = new RtcpReceiverReport();
            assertTrue(report.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(1, report.senderSsrc());
            assertEquals(0, report.reportBlockCount());

            assertTrue(packets.next());
            RtcpGoodbye bye = new RtcpGoodbye();
            assertTrue(bye.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(2, bye.ssrcCount());
            assertEquals(0x11111111L, bye.ssrc(0));
            assertEquals(0x22222222L, bye.ssrc(1));
            assertTrue(bye.hasReason());
            assertEquals("bye", buffer.toString(bye.reasonOffset(), bye.reasonLength(), StandardCharsets.UTF_8));
            assertFalse(packets.next());
            assertFalse(packets.isMalformed());
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsLostSequenceNumbersOfNackAcrossTheWrap() {
        ByteBuf buffer = FixtureBuffers.of(NACK);
        try {
            RtcpNack nack = new RtcpNack();
            assertTrue(nack.wrap(buffer, 0, NACK.length));
            assertEquals(1, nack.senderSsrc());
            assertEquals(0x12345678L, nack.mediaSsrc());
            assertEquals(2, nack.pairCount());
            assertEquals(65534, nack.packetId(0));
            assertEquals(0x0005, nack.bitmaskOfLostPackets(0));
            int[] expected = {65534, 65535, 1, 100, 116};
            for (int sequenceNumber : expected) {
                assertEquals(sequenceNumber, nack.nextLostSequenceNumber());
            }
            assertEquals(RtcpNack.NO_MORE, nack.nextLostSequenceNumber());
            nack.rewind();
            assertEquals(65534, nack.nextLostSequenceNumber());
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsTransportWideFeedbackStatusesAndArrivalTimes() {
        ByteBuf buffer = FixtureBuffers.of(TRANSPORT_WIDE_FEEDBACK);
        try {
            RtcpCompoundIterator packets = new RtcpCompoundIterator().wrap(buffer);
            assertTrue(packets.next());
            assertEquals(32, packets.packetLength());
            assertEquals(31, packets.contentLength());
            RtcpTransportWideFeedback feedback = new RtcpTransportWideFeedback();
            assertTrue(feedback.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(1, feedback.senderSsrc());
            assertEquals(2, feedback.mediaSsrc());
            assertEquals(10, feedback.baseSequenceNumber());
            assertEquals(8, feedback.packetStatusCount());
            assertEquals(16, feedback.referenceTime());
            assertEquals(3, feedback.feedbackPacketCount());
            long[][] expected = {
                    // sequence, status, delta ticks, arrival us (for received packets)
                    {10, RtcpTransportWideFeedback.RECEIVED_SMALL_DELTA, 4, 1_025_000},
                    {11, RtcpTransportWideFeedback.RECEIVED_SMALL_DELTA, 0, 1_025_000},
                    {12, RtcpTransportWideFeedback.RECEIVED_SMALL_DELTA, 8, 1_027_000},
                    {13, RtcpTransportWideFeedback.NOT_RECEIVED, 0, 1_027_000},
                    {14, RtcpTransportWideFeedback.RECEIVED_LARGE_DELTA, -4, 1_026_000},
                    {15, RtcpTransportWideFeedback.RECEIVED_SMALL_DELTA, 16, 1_030_000},
                    {16, RtcpTransportWideFeedback.NOT_RECEIVED, 0, 1_030_000},
                    {17, RtcpTransportWideFeedback.RECEIVED_SMALL_DELTA, 1, 1_030_250},
            };
            for (long[] row : expected) {
                assertTrue(feedback.next());
                assertArrayEquals(row, new long[]{feedback.sequenceNumber(), feedback.status(),
                        feedback.deltaTicks(), feedback.arrivalTimeMicros()});
                assertEquals(row[1] != RtcpTransportWideFeedback.NOT_RECEIVED, feedback.isReceived());
            }
            assertFalse(feedback.next());
        } finally {
            buffer.release();
        }
    }

    @Test
    void rejectsTransportWideFeedbackWhoseDeltasDoNotFit() {
        int[] unpadded = TRANSPORT_WIDE_FEEDBACK.clone();
        unpadded[0] = 0x8F;     // P=0: the body is now all 32 bytes, the last one unused
        unpadded[15] = 10;      // 10 statuses: the vector's 2 trailing symbols (lost) count now
        ByteBuf buffer = FixtureBuffers.of(unpadded);
        try {
            RtcpTransportWideFeedback feedback = new RtcpTransportWideFeedback();
            assertTrue(feedback.wrap(buffer, 0, unpadded.length), "lost statuses need no delta");
            buffer.setShort(14, 11);        // an 11th status takes the first delta bytes as a chunk,
            assertFalse(feedback.wrap(buffer, 0, unpadded.length), "leaving too few bytes for the deltas");

            buffer.setShort(14, 8);
            buffer.setShort(20, 0x2008);    // one run of 8 small deltas: 8 bytes from byte 22 fit in 32
            assertTrue(feedback.wrap(buffer, 0, unpadded.length));
            buffer.setShort(20, 0x4008);    // a run of 8 large deltas: 16 bytes do not
            assertFalse(feedback.wrap(buffer, 0, unpadded.length));
            buffer.setShort(20, 0x6008);    // a run of the reserved symbol
            assertFalse(feedback.wrap(buffer, 0, unpadded.length));
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsRemb() {
        ByteBuf buffer = FixtureBuffers.of(REMB);
        try {
            RtcpReceiverEstimatedMaximumBitrate remb = new RtcpReceiverEstimatedMaximumBitrate();
            assertTrue(remb.wrap(buffer, 0, REMB.length));
            assertEquals(1, remb.senderSsrc());
            assertEquals(2, remb.exponent());
            assertEquals(250_000, remb.mantissa());
            assertEquals(1_000_000, remb.bitrate());
            assertEquals(2, remb.ssrcCount());
            assertEquals(0x11111111L, remb.ssrc(0));
            assertEquals(0x22222222L, remb.ssrc(1));

            buffer.setByte(16, 3);      // claims 3 SSRCs: the list overruns the packet
            assertFalse(remb.wrap(buffer, 0, REMB.length));
            buffer.setByte(16, 2);
            buffer.setByte(15, 'X');    // another application's feedback
            assertFalse(remb.wrap(buffer, 0, REMB.length));
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsPliAndFir() {
        ByteBuf buffer = FixtureBuffers.of(PLI_AND_FIR);
        try {
            RtcpCompoundIterator packets = new RtcpCompoundIterator().wrap(buffer);
            RtcpPictureLossIndication pli = new RtcpPictureLossIndication();
            RtcpFullIntraRequest fir = new RtcpFullIntraRequest();
            assertTrue(packets.next());
            assertEquals(RtcpPictureLossIndication.FORMAT, packets.count());
            assertTrue(pli.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertFalse(fir.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(1, pli.senderSsrc());
            assertEquals(0x4A1C2E77L, pli.mediaSsrc());

            assertTrue(packets.next());
            assertTrue(fir.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertFalse(pli.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(1, fir.senderSsrc());
            assertEquals(1, fir.entryCount());
            assertEquals(0x4A1C2E77L, fir.entrySsrc(0));
            assertEquals(7, fir.entrySequenceNumber(0));
            assertFalse(packets.next());
        } finally {
            buffer.release();
        }
    }
}
