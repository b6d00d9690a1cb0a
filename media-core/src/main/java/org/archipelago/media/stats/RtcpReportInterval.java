package org.archipelago.media.stats;

import java.util.random.RandomGenerator;

/**
 * When the next RTCP report is due: every interval is the mean times a random factor in
 * [0.5, 1.5) (RFC 3550 §6.3.5), so that peers started together do not report in step, and the
 * first one is half of that (RFC 3550 §6.2: "the initial ... interval ... half the minimum").
 * Time is passed in. Owned by the peer's event loop.
 */
public final class RtcpReportInterval {
    private final long meanNanos;
    private final RandomGenerator random;
    private boolean started;
    private long dueNanos;

    public RtcpReportInterval(long meanNanos, RandomGenerator random) {
        if (meanNanos <= 0) {
            throw new IllegalArgumentException("the mean interval must be positive, got " + meanNanos);
        }
        this.meanNanos = meanNanos;
        this.random = random;
    }

    /** Starts reporting (e.g. when media can flow); the first report is due in half an interval. */
    public void start(long nowNanos) {
        started = true;
        dueNanos = nowNanos + next() / 2;
    }

    public boolean isStarted() {
        return started;
    }

    /** True once started and the due time has come. */
    public boolean isDue(long nowNanos) {
        return started && nowNanos - dueNanos >= 0;
    }

    /** A report was sent at {@code nowNanos}: the next is due one randomized interval later. */
    public void reported(long nowNanos) {
        dueNanos = nowNanos + next();
    }

    public long dueNanos() {
        return dueNanos;
    }

    private long next() {
        return (long) (meanNanos * (0.5 + random.nextDouble()));
    }
}
