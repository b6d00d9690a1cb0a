package org.archipelago.media.stats;

import org.archipelago.media.rtcp.NtpTime;

/**
 * A round trip from an echoed timestamp, in compact NTP (1/65536 s): RTT = A − echoed − delay, where
 * A is when the echo arrived, "echoed" the middle 32 bits of the NTP time we sent, and "delay" how
 * long the other side held it. The same arithmetic serves an SR echoed by a report block (LSR,
 * DLSR: RFC 3550 §6.4.1) and an RRTR echoed by a DLRR sub-block (LRR, DLRR: RFC 3611 §4.5).
 * Differences are taken in 32 bits, so the compact clock's wrap every 18 hours does not matter.
 */
final class RoundTripTime {
    /** What {@link #nanos} returns when there is no round trip to measure, or a bogus one. */
    static final long NONE = -1;
    /**
     * A measurement this far below zero (10 ms in 1/65536 s) is refused as bogus; closer to zero it
     * is rounding (each side truncates to 1/65536 s) on a very short path, and counts as 0.
     */
    static final int NEGATIVE_TOLERANCE = 655;

    private RoundTripTime() {
    }

    /**
     * The round trip in nanoseconds, or {@link #NONE} when {@code echoed} is 0 (the other side has
     * nothing to echo yet) or the result is more than {@link #NEGATIVE_TOLERANCE} below zero.
     */
    static long nanos(long arrivalCompactNtp, long echoed, long delay) {
        if (echoed == 0) {
            return NONE;
        }
        int rtt = (int) (arrivalCompactNtp - echoed - delay);
        if (rtt < -NEGATIVE_TOLERANCE) {
            return NONE;
        }
        return NtpTime.compactToNanos(Math.max(0, rtt));
    }
}
