package org.archipelago.media.stats;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.RtcpReceiverReport;
import org.archipelago.media.rtcp.RtcpReportBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 3550 appendix A.3 (loss) and A.8 (jitter), LSR/DLSR, with a virtual clock. */
class ReceiveStatisticsTest {
    private static final long SSRC = 0x11223344L;
    private static final long MS = 1_000_000L;

    /** Sequence numbers in arrival order, and what a report block then says. */
    record LossRow(String name, int[] sequenceNumbers, long extendedHighest, long cumulativeLost, int fractionLost) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<LossRow> lossRows() {
        return Stream.of(
                new LossRow("in order", new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 9, 0, 0),
                new LossRow("two lost of seven", new int[]{0, 1, 2, 5, 6}, 6, 2, (2 << 8) / 7),
                new LossRow("reordered, none lost", new int[]{0, 2, 1, 3}, 3, 0, 0),
                new LossRow("late packet only", new int[]{0, 3, 1, 2}, 3, 0, 0),
                new LossRow("wrap-around", new int[]{65533, 65534, 65535, 0, 1}, 65537, 0, 0),
                new LossRow("loss across the wrap", new int[]{65534, 1}, 65537, 2, 128),
                new LossRow("late across the wrap", new int[]{65535, 1, 0}, 65537, 0, 0),
                new LossRow("reordered start: base moves down", new int[]{10, 9, 11}, 11, 0, 0),
                new LossRow("duplicate: lost goes negative", new int[]{5, 6, 6, 7}, 7, -1, 0),
                new LossRow("all but first and last lost", new int[]{100, 355}, 355, 254, 254));
    }

    @ParameterizedTest
    @MethodSource("lossRows")
    void lossFollowsAppendixA3(LossRow row) {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        long now = 0;
        for (int sequenceNumber : row.sequenceNumbers()) {
            stats.onPacket(sequenceNumber, 0, 90_000, now += MS);
        }
        assertEquals(row.sequenceNumbers().length, stats.packetsReceived());
        assertEquals(row.extendedHighest(), stats.extendedHighestSequenceNumber());
        assertEquals(row.cumulativeLost(), stats.cumulativeLost());

        RtcpReportBlock block = writeAndRead(stats, now);
        assertEquals(SSRC, block.ssrc());
        assertEquals(row.extendedHighest(), block.extendedHighestSequenceNumber());
        assertEquals(row.cumulativeLost(), block.cumulativeLost());
        assertEquals(row.fractionLost(), block.fractionLost());
        assertEquals(row.fractionLost(), stats.fractionLost());
    }

    @Test
    void fractionLostCoversOnlyTheIntervalSinceTheLastReport() {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        for (int seq = 0; seq < 10; seq++) {
            stats.onPacket(seq, 0, 90_000, seq * MS);
        }
        assertEquals(0, writeAndRead(stats, 10 * MS).fractionLost());
        // 10..19 with 10, 12, 14, 16, 18 lost: half of the interval.
        for (int seq = 11; seq < 20; seq += 2) {
            stats.onPacket(seq, 0, 90_000, seq * MS);
        }
        RtcpReportBlock second = writeAndRead(stats, 20 * MS);
        assertEquals(128, second.fractionLost());
        assertEquals(5, second.cumulativeLost());
        // Nothing lost since: back to zero, the cumulative count stays.
        stats.onPacket(20, 0, 90_000, 21 * MS);
        RtcpReportBlock third = writeAndRead(stats, 22 * MS);
        assertEquals(0, third.fractionLost());
        assertEquals(5, third.cumulativeLost());
    }

    /** Arrival pattern (ms after the first packet), RTP timestamps, and the A.8 jitter it gives. */
    record JitterRow(String name, int clockRate, long[] timestamps, long[] arrivalNanos, long expectedJitter) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<JitterRow> jitterRows() {
        return Stream.of(
                // 20 ms audio at 8 kHz arriving exactly on time: no jitter.
                new JitterRow("steady", 8000, timestamps(10, 160), arrivals(10, 20 * MS, 0), 0),
                // Every odd packet 10 ms (80 units) late: |D| = 80 each time.
                // J16: 80 -> 80+80-5 = 155 -> 155+80-10 = 225; J = 5, 9, 14 (float: 5, 9.7, 14.1).
                new JitterRow("alternating 10 ms, 2 packets", 8000, timestamps(2, 160), arrivals(2, 20 * MS, 10 * MS), 5),
                new JitterRow("alternating 10 ms, 3 packets", 8000, timestamps(3, 160), arrivals(3, 20 * MS, 10 * MS), 9),
                new JitterRow("alternating 10 ms, 4 packets", 8000, timestamps(4, 160), arrivals(4, 20 * MS, 10 * MS), 14),
                // Converging to 80 as J += (80 − J)/16: after 49 steps 80·(1 − (15/16)^49) ≈ 76.
                new JitterRow("alternating 10 ms, 50 packets", 8000, timestamps(50, 160), arrivals(50, 20 * MS, 10 * MS), 76),
                // 30 fps video at 90 kHz, each frame 1 ms (90 units) later than the one before.
                new JitterRow("1 ms drift per frame", 90_000, timestamps(20, 3000), drift(20, 33_333_333L, MS), 63),
                // A frame's packets share a timestamp and are paced out: not jitter.
                new JitterRow("packets of one frame", 90_000, new long[]{0, 0, 0, 0, 3000},
                        new long[]{0, 5 * MS, 10 * MS, 15 * MS, 33_333_333L}, 0));
    }

    @ParameterizedTest
    @MethodSource("jitterRows")
    void jitterFollowsAppendixA8(JitterRow row) {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        long origin = 5_000_000_000L;   // any monotonic origin
        for (int i = 0; i < row.timestamps().length; i++) {
            stats.onPacket(i, row.timestamps()[i], row.clockRate(), origin + row.arrivalNanos()[i]);
        }
        assertEquals(row.expectedJitter(), stats.jitter());
        assertEquals(row.expectedJitter(), writeAndRead(stats, origin + 10_000 * MS).jitter());
    }

    @Test
    void reorderedPacketsDoNotFeedTheJitter() {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        stats.onPacket(0, 0, 8000, 0);
        stats.onPacket(2, 320, 8000, 40 * MS);
        stats.onPacket(1, 160, 8000, 41 * MS);   // 21 ms late, but out of order: skipped
        stats.onPacket(3, 480, 8000, 60 * MS);
        assertEquals(0, stats.jitter());
    }

    @Test
    void timestampsWrapWithoutJitter() {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        for (int i = 0; i < 6; i++) {
            stats.onPacket(i, (0xFFFF_FFFFL - 400 + 160L * i) & 0xFFFF_FFFFL, 8000, i * 20 * MS);
        }
        assertEquals(0, stats.jitter());
    }

    /** When the SR arrived, when our report is written, and the DLSR it carries (1/65536 s). */
    record DelayRow(long srArrivalNanos, long reportNanos, long expectedDelay) {
    }

    static Stream<DelayRow> delayRows() {
        return Stream.of(
                new DelayRow(0, 0, 0),
                new DelayRow(0, MS, 65),                   // 65.536 truncated
                new DelayRow(7 * MS, 1007 * MS, 65536),
                new DelayRow(0, 1500 * MS, 98304),
                new DelayRow(0, 250 * MS, 16384));
    }

    @ParameterizedTest
    @MethodSource("delayRows")
    void lastSenderReportAndDelaySinceItAreEchoed(DelayRow row) {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        stats.onPacket(1, 0, 90_000, 0);
        stats.onSenderReport(0xAAAA_BBBB_CCCC_DDDDL, row.srArrivalNanos());
        RtcpReportBlock block = writeAndRead(stats, row.reportNanos());
        assertEquals(0xBBBB_CCCCL, block.lastSenderReport(), "the middle 32 bits of the SR's NTP time");
        assertEquals(row.expectedDelay(), block.delaySinceLastSenderReport());
    }

    @Test
    void withoutASenderReportLsrAndDlsrAreZero() {
        ReceiveStatistics stats = new ReceiveStatistics(SSRC);
        stats.onPacket(1, 0, 90_000, 0);
        RtcpReportBlock block = writeAndRead(stats, 5_000 * MS);
        assertEquals(0, block.lastSenderReport());
        assertEquals(0, block.delaySinceLastSenderReport());
    }

    /** Writes the stream's block into an RR and reads it back with the RR view. */
    private static RtcpReportBlock writeAndRead(ReceiveStatistics stats, long nowNanos) {
        ByteBuf out = Unpooled.buffer(64);
        int start = RtcpReceiverReport.begin(out, 1);
        stats.writeReportBlock(out, nowNanos);
        RtcpReceiverReport.end(out, start);
        RtcpReceiverReport rr = new RtcpReceiverReport();
        assertEquals(true, rr.wrap(out, 0, out.readableBytes()));
        assertEquals(1, rr.reportBlockCount());
        // Unpooled heap buffer: no leak to track; the view stays readable after the test reads it.
        return rr.reportBlock(0);
    }

    private static long[] timestamps(int count, long step) {
        long[] timestamps = new long[count];
        for (int i = 0; i < count; i++) {
            timestamps[i] = step * i;
        }
        return timestamps;
    }

    private static long[] arrivals(int count, long period, long lateOnOdd) {
        long[] arrivals = new long[count];
        for (int i = 0; i < count; i++) {
            arrivals[i] = period * i + (i % 2 == 1 ? lateOnOdd : 0);
        }
        return arrivals;
    }

    private static long[] drift(int count, long period, long drift) {
        long[] arrivals = new long[count];
        for (int i = 0; i < count; i++) {
            arrivals[i] = (period + drift) * i;
        }
        return arrivals;
    }
}
