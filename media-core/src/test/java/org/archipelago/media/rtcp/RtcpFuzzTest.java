package org.archipelago.media.rtcp;

import org.archipelago.media.testing.FixtureBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random, truncated and mutated bytes into the compound iterator and every view. Buffers are
 * exactly as long as the input, so a read past a validated bound throws and fails the test. A
 * view that accepts a packet is then read through all its getters and cursors.
 */
class RtcpFuzzTest {
    private static final int[][] FIXTURES = {
            RtcpFixtures.SENDER_REPORT_AND_SDES, RtcpFixtures.NACK, RtcpFixtures.TRANSPORT_WIDE_FEEDBACK,
            RtcpFixtures.REMB, RtcpFixtures.PLI_AND_FIR, RtcpFixtures.GOODBYE, RtcpFixtures.EMPTY_RECEIVER_REPORT,
            RtcpFixtures.EXTENDED_REPORT_RRTR, RtcpFixtures.EXTENDED_REPORT_DLRR,
    };

    private final RtcpCompoundIterator packets = new RtcpCompoundIterator();
    private final RtcpSenderReport senderReport = new RtcpSenderReport();
    private final RtcpReceiverReport receiverReport = new RtcpReceiverReport();
    private final RtcpSourceDescription sourceDescription = new RtcpSourceDescription();
    private final RtcpGoodbye goodbye = new RtcpGoodbye();
    private final RtcpNack nack = new RtcpNack();
    private final RtcpTransportWideFeedback transportWideFeedback = new RtcpTransportWideFeedback();
    private final RtcpPictureLossIndication pictureLossIndication = new RtcpPictureLossIndication();
    private final RtcpFullIntraRequest fullIntraRequest = new RtcpFullIntraRequest();
    private final RtcpReceiverEstimatedMaximumBitrate remb = new RtcpReceiverEstimatedMaximumBitrate();
    private final RtcpExtendedReport extendedReport = new RtcpExtendedReport();

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(0xF022L);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(96)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (0x80 | (bytes[0] & 0x3F));    // version 2, so parsing gets further
            }
            if (bytes.length > 1 && random.nextBoolean()) {
                bytes[1] = (byte) (200 + random.nextInt(8));     // a known packet type
            }
            if (bytes.length > 3 && random.nextBoolean()) {
                bytes[2] = 0;
                bytes[3] = (byte) (bytes.length / 4 - 1);        // a length that fits
            }
            parseEverything(bytes);
        }
    }

    @Test
    void truncatedFixturesStopAtTheCutPacket() {
        for (int[] fixture : FIXTURES) {
            byte[] whole = FixtureBuffers.toArray(fixture);
            java.util.Set<Integer> packetEnds = new java.util.HashSet<>();
            ByteBuf wholeBuffer = Unpooled.wrappedBuffer(whole);
            try {
                for (packets.wrap(wholeBuffer); packets.next(); ) {
                    packetEnds.add(packets.packetOffset() + packets.packetLength());
                }
            } finally {
                wholeBuffer.release();
            }
            for (int length = 1; length < whole.length; length++) {
                byte[] truncated = java.util.Arrays.copyOf(whole, length);
                parseEverything(truncated);
                ByteBuf buffer = Unpooled.wrappedBuffer(truncated);
                try {
                    int complete = 0;
                    for (packets.wrap(buffer); packets.next(); ) {
                        complete++;
                    }
                    assertEquals(!packetEnds.contains(length), packets.isMalformed(), "cut at " + length);
                    int cut = length;
                    int expectedComplete = (int) packetEnds.stream().filter(end -> end <= cut).count();
                    assertEquals(expectedComplete, complete, "packets before the cut at " + length);
                } finally {
                    buffer.release();
                }
            }
        }
    }

    @Test
    void mutatedFixturesNeverThrow() {
        Random random = new Random(0x5EEDL);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = FixtureBuffers.toArray(FIXTURES[random.nextInt(FIXTURES.length)]);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            parseEverything(bytes);
        }
    }

    private void parseEverything(byte[] bytes) {
        ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
        try {
            // Each view on its own over the whole input, as a caller without the iterator would.
            readViews(buffer, 0, bytes.length);
            for (packets.wrap(buffer, 0, bytes.length); packets.next(); ) {
                assertTrue(packets.packetOffset() + packets.packetLength() <= bytes.length);
                assertTrue(packets.contentLength() >= RtcpHeader.HEADER_LENGTH);
                readViews(buffer, packets.packetOffset(), packets.packetLength());
            }
            assertFalse(packets.next());
        } finally {
            buffer.release();
        }
    }

    /** Wraps every view over the packet and, when one accepts it, reads all of it. */
    private long readViews(ByteBuf buffer, int offset, int length) {
        long sink = 0;
        if (senderReport.wrap(buffer, offset, length)) {
            sink += senderReport.senderSsrc() + senderReport.ntpTimestamp() + senderReport.rtpTimestamp()
                    + senderReport.packetCount() + senderReport.octetCount();
            for (int i = 0; i < senderReport.reportBlockCount(); i++) {
                sink += readBlock(senderReport.reportBlock(i));
            }
        }
        if (receiverReport.wrap(buffer, offset, length)) {
            sink += receiverReport.senderSsrc();
            for (int i = 0; i < receiverReport.reportBlockCount(); i++) {
                sink += readBlock(receiverReport.reportBlock(i));
            }
        }
        if (sourceDescription.wrap(buffer, offset, length)) {
            while (sourceDescription.nextChunk()) {
                sink += sourceDescription.chunkSsrc();
                while (sourceDescription.nextItem()) {
                    sink += sourceDescription.itemType();
                    if (sourceDescription.itemLength() > 0) {
                        sink += buffer.getByte(sourceDescription.itemOffset() + sourceDescription.itemLength() - 1);
                    }
                }
            }
        }
        if (goodbye.wrap(buffer, offset, length)) {
            for (int i = 0; i < goodbye.ssrcCount(); i++) {
                sink += goodbye.ssrc(i);
            }
            if (goodbye.hasReason()) {
                sink += buffer.getByte(goodbye.reasonOffset() + goodbye.reasonLength() - 1);
            }
        }
        if (nack.wrap(buffer, offset, length)) {
            sink += nack.senderSsrc() + nack.mediaSsrc();
            for (int s = nack.nextLostSequenceNumber(); s != RtcpNack.NO_MORE; s = nack.nextLostSequenceNumber()) {
                sink += s;
            }
        }
        if (transportWideFeedback.wrap(buffer, offset, length)) {
            sink += transportWideFeedback.senderSsrc() + transportWideFeedback.mediaSsrc()
                    + transportWideFeedback.feedbackPacketCount();
            int statuses = 0;
            while (transportWideFeedback.next()) {
                sink += transportWideFeedback.sequenceNumber() + transportWideFeedback.arrivalTimeMicros();
                statuses++;
            }
            assertEquals(transportWideFeedback.packetStatusCount(), statuses);
        }
        if (pictureLossIndication.wrap(buffer, offset, length)) {
            sink += pictureLossIndication.senderSsrc() + pictureLossIndication.mediaSsrc();
        }
        if (fullIntraRequest.wrap(buffer, offset, length)) {
            for (int i = 0; i < fullIntraRequest.entryCount(); i++) {
                sink += fullIntraRequest.entrySsrc(i) + fullIntraRequest.entrySequenceNumber(i);
            }
        }
        if (remb.wrap(buffer, offset, length)) {
            sink += remb.bitrate() + remb.senderSsrc();
            for (int i = 0; i < remb.ssrcCount(); i++) {
                sink += remb.ssrc(i);
            }
        }
        if (extendedReport.wrap(buffer, offset, length)) {
            sink += extendedReport.senderSsrc();
            while (extendedReport.nextBlock()) {
                assertTrue(extendedReport.blockLength() >= RtcpExtendedReport.BLOCK_HEADER_LENGTH);
                if (extendedReport.blockType() == RtcpExtendedReport.RECEIVER_REFERENCE_TIME) {
                    sink += extendedReport.receiverReferenceTime();
                } else if (extendedReport.blockType() == RtcpExtendedReport.DLRR) {
                    for (int i = 0; i < extendedReport.dlrrSubBlockCount(); i++) {
                        sink += extendedReport.dlrrSsrc(i) + extendedReport.dlrrLastReceiverReport(i)
                                + extendedReport.dlrrDelaySinceLastReceiverReport(i);
                    }
                }
            }
        }
        return sink;
    }

    private static long readBlock(RtcpReportBlock block) {
        return block.ssrc() + block.fractionLost() + block.cumulativeLost() + block.extendedHighestSequenceNumber()
                + block.jitter() + block.lastSenderReport() + block.delaySinceLastSenderReport();
    }
}
