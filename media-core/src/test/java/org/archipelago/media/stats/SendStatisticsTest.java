package org.archipelago.media.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Send counters, SR timestamp extrapolation, and RTT from LSR/DLSR (RFC 3550 §6.4.1). */
class SendStatisticsTest {
    private static final long MS = 1_000_000L;

    @Test
    void countsPacketsAndPayloadOctetsAndTimesTheFirstPacketOfATimestamp() {
        SendStatistics stats = new SendStatistics(42, 90_000);
        assertTrue(stats.isNewTimestamp(0));
        stats.onPacket(3000, 1000, 10 * MS);
        assertFalse(stats.isNewTimestamp(3000));
        stats.onPacket(3000, 1000, 15 * MS);   // same frame: its time is the first packet's
        stats.onPacket(3000, 500, 16 * MS);
        assertEquals(3, stats.packetsSent());
        assertEquals(2500, stats.octetsSent());
        assertEquals(3000, stats.lastRtpTimestamp());
        assertEquals(10 * MS, stats.lastRtpTimestampNanos());
        assertTrue(stats.sentSinceReport());
        stats.reported();
        assertFalse(stats.sentSinceReport());
    }

    /** Last timestamp sent, the clock, time since it was sent, and the SR's RTP timestamp. */
    record ExtrapolationRow(long lastTimestamp, int clockRate, long elapsedNanos, long expected) {
    }

    static Stream<ExtrapolationRow> extrapolationRows() {
        return Stream.of(
                new ExtrapolationRow(1000, 90_000, 0, 1000),
                new ExtrapolationRow(1000, 90_000, 1000 * MS, 91_000),
                new ExtrapolationRow(1000, 48_000, 20 * MS, 1960),
                new ExtrapolationRow(0xFFFF_FF00L, 90_000, 10 * MS, 900 - 256),   // wraps
                new ExtrapolationRow(5, 90_000, 3_600_000 * MS, (5 + 324_000_000L) & 0xFFFF_FFFFL));
    }

    @ParameterizedTest
    @MethodSource("extrapolationRows")
    void srRtpTimestampIsExtrapolatedFromTheLastSent(ExtrapolationRow row) {
        SendStatistics stats = new SendStatistics(42, row.clockRate());
        long sent = 123 * MS;
        stats.onPacket(row.lastTimestamp(), 100, sent);
        assertEquals(row.expected(), stats.rtpTimestampAt(sent + row.elapsedNanos()));
    }

    /** A report block's LSR and DLSR, when it arrived (all compact NTP), and the RTT or none. */
    record RttRow(String name, long lastSenderReport, long delay, long arrival, long expectedRttNanos) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<RttRow> rttRows() {
        return Stream.of(
                // 1 s, 0.5 s held, arrived at 1.5 s + 3277/65536 s (50 ms).
                new RttRow("50 ms", 0x0001_0000L, 0x0000_8000L, 0x0001_8000L + 3277, 3277L * 1_000_000_000L / 65536),
                new RttRow("RFC 3550 §6.4.1 example", 0xB705_2000L, 0x0005_4000L, 0xB710_8000L,
                        0x6_2000L * 1_000_000_000L / 65536),   // 6.125 s
                new RttRow("across the 32-bit wrap", 0xFFFF_8000L, 0x0000_8000L, 6554,
                        6554L * 1_000_000_000L / 65536),
                new RttRow("no SR received yet (LSR 0)", 0, 0, 0x1234_5678L, SendStatistics.NO_RTT),
                new RttRow("rounding just below zero counts as 0", 0x0001_0000L, 0x0000_8000L, 0x0001_8000L - 3, 0),
                new RttRow("far below zero is refused", 0x0001_0000L, 0x0000_8000L, 0x0001_0000L, SendStatistics.NO_RTT));
    }

    @ParameterizedTest
    @MethodSource("rttRows")
    void roundTripTimeIsArrivalMinusLsrMinusDlsr(RttRow row) {
        SendStatistics stats = new SendStatistics(42, 90_000);
        boolean measured = stats.onReportBlock(12, 34, 56, row.lastSenderReport(), row.delay(), row.arrival());
        assertEquals(row.expectedRttNanos() != SendStatistics.NO_RTT, measured);
        assertEquals(row.expectedRttNanos(), stats.roundTripTimeNanos());
        assertEquals(12, stats.remoteFractionLost());
        assertEquals(34, stats.remoteCumulativeLost());
        assertEquals(56, stats.remoteJitter());
        assertEquals(1, stats.reportBlocksReceived());
    }
}
