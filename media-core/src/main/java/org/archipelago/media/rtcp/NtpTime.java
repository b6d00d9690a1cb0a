package org.archipelago.media.rtcp;

/**
 * The NTP timestamp format of RTCP (RFC 3550 §4): 64-bit fixed point, seconds since 1900-01-01 in
 * the high 32 bits and the fraction of a second in the low 32; and its "compact" middle 32 bits
 * (16.16 fixed point) that report blocks echo as LSR and use for DLSR (RFC 3550 §6.4.1).
 *
 * <pre>
 *  NTP:      |   seconds (32)   |   fraction (32)   |
 *  compact:          |  low 16  |  high 16  |          units of 1/65536 s
 * </pre>
 */
public final class NtpTime {
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
    public static final long UNIX_EPOCH_SECONDS = 2_208_988_800L;
    /** Compact NTP units per second: 2^16. */
    public static final long COMPACT_UNITS_PER_SECOND = 1L << 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private NtpTime() {
    }

    /** The 64-bit NTP timestamp of {@code unixNanos} (nanoseconds since 1970, non-negative). */
    public static long fromUnixNanos(long unixNanos) {
        long seconds = unixNanos / NANOS_PER_SECOND + UNIX_EPOCH_SECONDS;
        // (10^9 - 1) << 32 < 2^63: no overflow.
        long fraction = ((unixNanos % NANOS_PER_SECOND) << 32) / NANOS_PER_SECOND;
        return seconds << 32 | fraction;
    }

    /** The middle 32 bits of a 64-bit NTP timestamp, as LSR carries them. */
    public static long compact(long ntpTimestamp) {
        return (ntpTimestamp >>> 16) & 0xFFFF_FFFFL;
    }

    /** A non-negative duration in compact units (1/65536 s), saturating at 2^32 - 1 (18 h). */
    public static long durationToCompact(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        long compact = nanos / NANOS_PER_SECOND * COMPACT_UNITS_PER_SECOND
                + (nanos % NANOS_PER_SECOND) * COMPACT_UNITS_PER_SECOND / NANOS_PER_SECOND;
        return Math.min(compact, 0xFFFF_FFFFL);
    }

    /** A duration in compact units (1/65536 s) in nanoseconds. */
    public static long compactToNanos(long compact) {
        return compact * NANOS_PER_SECOND / COMPACT_UNITS_PER_SECOND;
    }
}
