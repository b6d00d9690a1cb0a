package org.archipelago.media.stats;

import org.archipelago.media.rtcp.NtpTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The NTP timestamp format of RFC 3550 §4 and the monotonic-to-NTP mapping. */
class NtpTimeTest {
    record Row(long unixNanos, long expectedNtp) {
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row(0, 2_208_988_800L << 32),
                new Row(1_500_000_000L, (2_208_988_801L << 32) | 0x8000_0000L),
                new Row(250_000_000L, (2_208_988_800L << 32) | 0x4000_0000L),
                // 2024-01-01T00:00:00Z (still NTP era 0: fewer than 2^32 s since 1900).
                new Row(1_704_067_200_000_000_000L, 3_913_056_000L << 32));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void unixNanosToNtp(Row row) {
        assertEquals(row.expectedNtp(), NtpTime.fromUnixNanos(row.unixNanos()));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void theClockMapsMonotonicTimeThroughItsOrigin(Row row) {
        long monotonicOrigin = 77_000_000_000L;
        NtpClock clock = new NtpClock(1_704_067_200_000_000_000L, monotonicOrigin);
        long elapsed = row.unixNanos();   // reuse the rows as offsets from the origin
        long expected = NtpTime.fromUnixNanos(1_704_067_200_000_000_000L + elapsed);
        assertEquals(expected, clock.ntpTimestamp(monotonicOrigin + elapsed));
        assertEquals(NtpTime.compact(expected), clock.compactNtp(monotonicOrigin + elapsed));
    }

    record DurationRow(long nanos, long compact) {
    }

    static Stream<DurationRow> durations() {
        return Stream.of(
                new DurationRow(0, 0),
                new DurationRow(-5, 0),
                new DurationRow(1_000_000_000L, 65_536),
                new DurationRow(15_258, 0),              // just under 1/65536 s
                new DurationRow(15_259, 1),
                new DurationRow(100L * 86_400 * 1_000_000_000L, 0xFFFF_FFFFL));   // saturates
    }

    @ParameterizedTest
    @MethodSource("durations")
    void durationsInCompactUnits(DurationRow row) {
        assertEquals(row.compact(), NtpTime.durationToCompact(row.nanos()));
    }
}
