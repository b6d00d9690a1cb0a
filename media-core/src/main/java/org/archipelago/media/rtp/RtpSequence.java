package org.archipelago.media.rtp;

/**
 * Modular arithmetic on RTP sequence numbers (16 bits) and timestamps (32 bits): the one place
 * that decides which of two values is newer and how far apart they are across wrap-around.
 *
 * <p>Both fields wrap (RFC 3550 §5.1), so "newer" means "ahead by less than half the number
 * space": {@code distance(from, to)} is the signed difference {@code to - from} reduced into
 * [-2<sup>15</sup>, 2<sup>15</sup>) for sequence numbers and [-2<sup>31</sup>, 2<sup>31</sup>)
 * for timestamps. Exactly half-way is {@code -2^15} (resp. {@code -2^31}), so at that point
 * neither value counts as newer than the other; RFC 1982 §3.2 leaves this case undefined.
 *
 * <p>Arguments are taken modulo 2<sup>16</sup> (resp. 2<sup>32</sup>), so callers may pass raw
 * or already-incremented values.
 */
public final class RtpSequence {
    /** Number of distinct RTP sequence numbers. */
    public static final int SEQUENCE_NUMBER_MODULUS = 1 << 16;
    /** Mask that reduces an int to a 16-bit sequence number. */
    public static final int SEQUENCE_NUMBER_MASK = 0xFFFF;
    /** Mask that reduces a long to a 32-bit RTP timestamp. */
    public static final long TIMESTAMP_MASK = 0xFFFF_FFFFL;

    private RtpSequence() {
    }

    /** Signed distance from {@code from} to {@code to}, in [-32768, 32767]. */
    public static int distance(int from, int to) {
        return (short) (to - from);
    }

    /** True when {@code sequenceNumber} is ahead of {@code than} by 1 to 32767. */
    public static boolean isNewer(int sequenceNumber, int than) {
        return distance(than, sequenceNumber) > 0;
    }

    /** {@code sequenceNumber + delta}, wrapped into 16 bits. */
    public static int add(int sequenceNumber, int delta) {
        return (sequenceNumber + delta) & SEQUENCE_NUMBER_MASK;
    }

    /** Signed distance from timestamp {@code from} to {@code to}, in [-2^31, 2^31 - 1]. */
    public static int timestampDistance(long from, long to) {
        return (int) (to - from);
    }

    /** True when {@code timestamp} is ahead of {@code than} by 1 to 2^31 - 1. */
    public static boolean isTimestampNewer(long timestamp, long than) {
        return timestampDistance(than, timestamp) > 0;
    }

    /** {@code timestamp + delta}, wrapped into 32 bits. */
    public static long addToTimestamp(long timestamp, long delta) {
        return (timestamp + delta) & TIMESTAMP_MASK;
    }
}
