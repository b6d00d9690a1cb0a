package org.archipelago.media.bwe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.RtcpTransportWideFeedback;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the generator reports, read back with the RTCP parser; a virtual clock throughout. */
class TransportFeedbackGeneratorTest {
    private static final long MS = 1_000_000L;

    /** (sequence number, received, arrival µs) as the parser reads them back. */
    private record Status(int sequenceNumber, boolean received, long arrivalMicros) {
    }

    private static List<Status> flush(TransportFeedbackGenerator generator) {
        ByteBuf out = Unpooled.buffer(TransportFeedbackGenerator.maxFeedbackLength());
        try {
            assertTrue(generator.writeFeedback(out, 1, 2));
            RtcpTransportWideFeedback feedback = new RtcpTransportWideFeedback();
            assertTrue(feedback.wrap(out, 0, out.readableBytes()));
            List<Status> statuses = new ArrayList<>();
            while (feedback.next()) {
                statuses.add(new Status(feedback.sequenceNumber(), feedback.isReceived(), feedback.isReceived() ? feedback.arrivalTimeMicros() : -1));
            }
            return statuses;
        } finally {
            out.release();
        }
    }

    @Test
    void reportsEveryPacketOnceWithGapsAsNotReceived() {
        TransportFeedbackGenerator generator = new TransportFeedbackGenerator();
        generator.onPacket(100, 1000 * MS);
        generator.onPacket(101, 1005 * MS);
        generator.onPacket(103, 1010 * MS); // 102 lost
        List<Status> first = flush(generator);
        assertEquals(List.of(100, 101, 102, 103), first.stream().map(Status::sequenceNumber).toList());
        assertEquals(List.of(true, true, false, true), first.stream().map(Status::received).toList());
        assertEquals(5_000, first.get(1).arrivalMicros() - first.get(0).arrivalMicros(), "deltas in µs (250 µs ticks)");
        assertFalse(generator.hasPending(), "all reported");

        generator.onPacket(102, 1020 * MS); // too late: already reported as lost
        generator.onPacket(104, 1021 * MS);
        List<Status> second = flush(generator);
        assertEquals(List.of(104), second.stream().map(Status::sequenceNumber).toList());
        assertEquals(1, generator.packetsTooLate());
        assertEquals(2, generator.feedbackSent());
    }

    @Test
    void reorderingWithinAnIntervalIsReportedInOrderAndAcrossTheWrap() {
        TransportFeedbackGenerator generator = new TransportFeedbackGenerator();
        generator.onPacket(65534, 0);
        generator.onPacket(0, 2 * MS);
        generator.onPacket(65535, 3 * MS); // reordered
        generator.onPacket(1, 4 * MS);
        List<Status> statuses = flush(generator);
        assertEquals(List.of(65534, 65535, 0, 1), statuses.stream().map(Status::sequenceNumber).toList());
        assertTrue(statuses.stream().allMatch(Status::received));
    }

    @Test
    void aJumpPastTheWindowKeepsStateBounded() {
        TransportFeedbackGenerator generator = new TransportFeedbackGenerator();
        generator.onPacket(10, 0);
        generator.onPacket(10 + 5000, MS);
        List<Status> statuses = flush(generator);
        assertTrue(statuses.size() <= TransportFeedbackGenerator.WINDOW, "never more than the window: " + statuses.size());
        assertEquals(5010, statuses.get(statuses.size() - 1).sequenceNumber());
    }

    /** A jump just past the window keeps the unreported arrivals that stay inside it. */
    @Test
    void aJumpJustPastTheWindowKeepsWhatStaysInside() {
        TransportFeedbackGenerator generator = new TransportFeedbackGenerator();
        for (int seq = 0; seq <= 1000; seq++) {
            generator.onPacket(seq, seq * MS);
        }
        generator.onPacket(TransportFeedbackGenerator.WINDOW, 1100 * MS);
        List<Status> statuses = flush(generator);
        assertEquals(1, statuses.get(0).sequenceNumber(), "0 fell out of the window");
        assertEquals(TransportFeedbackGenerator.WINDOW, statuses.size());
        assertTrue(statuses.subList(0, 1000).stream().allMatch(Status::received), "1..1000 arrived and stay reported as such");
        assertTrue(statuses.subList(1000, statuses.size() - 1).stream().noneMatch(Status::received));
        assertTrue(statuses.get(statuses.size() - 1).received());
    }

    @Test
    void nothingPendingWritesNothing() {
        TransportFeedbackGenerator generator = new TransportFeedbackGenerator();
        ByteBuf out = Unpooled.buffer(64);
        try {
            assertFalse(generator.writeFeedback(out, 1, 2));
            assertEquals(0, out.readableBytes());
        } finally {
            out.release();
        }
    }
}
