package org.archipelago.media.stats;

/** Converts elapsed nanoseconds to RTP timestamp units of a codec clock, without overflow. */
final class RtpClock {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private RtpClock() {
    }

    /** {@code nanos} (non-negative) in units of {@code clockRate} Hz, truncated. */
    static long units(long nanos, int clockRate) {
        // Split so that neither product overflows: seconds * rate, then the sub-second rest.
        return nanos / NANOS_PER_SECOND * clockRate + (nanos % NANOS_PER_SECOND) * clockRate / NANOS_PER_SECOND;
    }
}
