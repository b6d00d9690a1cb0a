package org.archipelago.media.stats;

import org.archipelago.media.rtcp.NtpTime;

import java.time.Instant;

/**
 * Wall-clock time in NTP format for a monotonic {@code nowNanos} ({@link System#nanoTime}): the
 * mapping is captured once, so the media path passes its usual {@code nowNanos} and tests a virtual
 * one. SR timestamps (RFC 3550 §6.4.1) and the arrival times that RTT is measured with both come
 * from here, so they agree with each other even if the system clock is stepped later.
 */
public final class NtpClock {
    private final long unixNanosAtOrigin;
    private final long monotonicNanosAtOrigin;

    /** {@code unixNanosAtOrigin} is the wall-clock time at the monotonic instant {@code monotonicNanosAtOrigin}. */
    public NtpClock(long unixNanosAtOrigin, long monotonicNanosAtOrigin) {
        this.unixNanosAtOrigin = unixNanosAtOrigin;
        this.monotonicNanosAtOrigin = monotonicNanosAtOrigin;
    }

    /** The system's wall clock, against {@link System#nanoTime}. */
    public static NtpClock system() {
        Instant wall = Instant.now();
        long monotonic = System.nanoTime();
        return new NtpClock(wall.getEpochSecond() * 1_000_000_000L + wall.getNano(), monotonic);
    }

    /** The 64-bit NTP timestamp of the monotonic instant {@code nowNanos}. */
    public long ntpTimestamp(long nowNanos) {
        return NtpTime.fromUnixNanos(unixNanosAtOrigin + (nowNanos - monotonicNanosAtOrigin));
    }

    /** The compact (middle 32 bits) NTP time of {@code nowNanos}. */
    public long compactNtp(long nowNanos) {
        return NtpTime.compact(ntpTimestamp(nowNanos));
    }
}
