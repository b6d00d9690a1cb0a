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
public final class RtpSequenceUnwrapper extends RtpUnwrapper {
    /** Returns the 64-bit extended value of {@code sequenceNumber} (taken modulo 2^16). */
    public long unwrap(int sequenceNumber) {
        return unwrapReduced(sequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK);
    }

    @Override
    long distance(long highest, long wrapped) {
        return RtpSequence.distance((int) (highest & RtpSequence.SEQUENCE_NUMBER_MASK), (int) wrapped);
    }
}
