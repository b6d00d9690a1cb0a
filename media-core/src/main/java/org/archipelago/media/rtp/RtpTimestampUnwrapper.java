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
public final class RtpTimestampUnwrapper extends RtpUnwrapper {
    /** Returns the 64-bit extended value of {@code timestamp} (taken modulo 2^32). */
    public long unwrap(long timestamp) {
        return unwrapReduced(timestamp & RtpSequence.TIMESTAMP_MASK);
    }

    @Override
    long distance(long highest, long wrapped) {
        return RtpSequence.timestampDistance(highest, wrapped);
    }
}
