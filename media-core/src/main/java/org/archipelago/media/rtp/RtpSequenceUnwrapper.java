package org.archipelago.media.rtp;

/**
 * Extends one stream's 16-bit RTP sequence numbers to a 64-bit count that does not wrap, as the
 * "extended highest sequence number" of RFC 3550 §6.4.1 and appendix A.1 does with its cycle count.
 *
 * <p>Each value is placed at the signed {@link RtpSequence#distance distance} from the highest
 * value unwrapped so far, so a late (reordered or retransmitted) packet maps below it and does not
 * move the reference. Values older than the first one unwrapped map below it and can be negative.
 * One instance per stream, owned by the stream's event loop; not thread-safe.
 */
public final class RtpSequenceUnwrapper {
    private long highestUnwrapped;
    private boolean started;

    /** Returns the 64-bit extended value of {@code sequenceNumber} (taken modulo 2^16). */
    public long unwrap(int sequenceNumber) {
        int wrapped = sequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK;
        if (!started) {
            started = true;
            highestUnwrapped = wrapped;
            return wrapped;
        }
        long unwrapped = highestUnwrapped
                + RtpSequence.distance((int) (highestUnwrapped & RtpSequence.SEQUENCE_NUMBER_MASK), wrapped);
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
