package org.archipelago.media.rtp;

/**
 * Extends one stream's 32-bit RTP timestamps to a 64-bit value that does not wrap, so that
 * durations and jitter (RFC 3550 §6.4.1, A.8) can be computed with plain subtraction.
 *
 * <p>Each value is placed at the signed {@link RtpSequence#timestampDistance distance} from the
 * highest value unwrapped so far, so a frame's late packets (B-frames, retransmissions) map below
 * it without moving the reference. Values older than the first can be negative. One instance per
 * stream, owned by the stream's event loop; not thread-safe.
 */
public final class RtpTimestampUnwrapper {
    private long highestUnwrapped;
    private boolean started;

    /** Returns the 64-bit extended value of {@code timestamp} (taken modulo 2^32). */
    public long unwrap(long timestamp) {
        long wrapped = timestamp & RtpSequence.TIMESTAMP_MASK;
        if (!started) {
            started = true;
            highestUnwrapped = wrapped;
            return wrapped;
        }
        long unwrapped = highestUnwrapped + RtpSequence.timestampDistance(highestUnwrapped, wrapped);
        if (unwrapped > highestUnwrapped) {
            highestUnwrapped = unwrapped;
        }
        return unwrapped;
    }

    /** The highest extended value returned so far; meaningless before the first {@link #unwrap}. */
    public long highestUnwrapped() {
        return highestUnwrapped;
    }

    /** True once a value has been unwrapped since construction or {@link #reset}. */
    public boolean isStarted() {
        return started;
    }

    /** Forgets the stream's history, e.g. after an SSRC change. */
    public void reset() {
        started = false;
        highestUnwrapped = 0;
    }
}
