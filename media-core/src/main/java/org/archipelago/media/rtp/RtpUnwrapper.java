package org.archipelago.media.rtp;

/**
 * What {@link RtpSequenceUnwrapper} and {@link RtpTimestampUnwrapper} share: each value is placed at
 * the signed distance from the highest value unwrapped so far, and only a value above it moves it.
 * The subclass supplies the field's width through {@link #distance}, which comes from
 * {@link RtpSequence}, the one place that does the modular arithmetic.
 */
abstract class RtpUnwrapper {
    private long highestUnwrapped;
    private boolean started;

    RtpUnwrapper() {
    }

    /** Unwraps a value already reduced to the field's width. */
    final long unwrapReduced(long wrapped) {
        if (!started) {
            started = true;
            highestUnwrapped = wrapped;
            return wrapped;
        }
        long unwrapped = highestUnwrapped + distance(highestUnwrapped, wrapped);
        if (unwrapped > highestUnwrapped) {
            highestUnwrapped = unwrapped;
        }
        return unwrapped;
    }

    /** Signed distance from the extended {@code highest} to the reduced {@code wrapped}, modulo the field's width. */
    abstract long distance(long highest, long wrapped);

    /** The highest extended value returned so far; meaningless before the first {@code unwrap}. */
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
