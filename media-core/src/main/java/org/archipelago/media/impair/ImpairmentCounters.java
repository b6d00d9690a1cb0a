package org.archipelago.media.impair;

/**
 * What one direction of one impaired link did so far.
 *
 * @param passed        packets delivered (at once or after being held)
 * @param droppedLoss   packets the loss model dropped
 * @param droppedQueue  packets dropped because the rate limiter's queue or the link's hold queue was full
 * @param delayed       packets held for any reason (delay, jitter, rate limit, reordering)
 * @param reordered     packets the reordering step held back
 * @param bypassed      packets that reached the link from another event loop than its owner's and
 *                      were passed untouched (a link's state belongs to one loop)
 * @param held          packets held right now
 */
public record ImpairmentCounters(long passed, long droppedLoss, long droppedQueue, long delayed,
                                 long reordered, long bypassed, int held) {
    public static final ImpairmentCounters ZERO = new ImpairmentCounters(0, 0, 0, 0, 0, 0, 0);

    /** Every packet that reached the link and is no longer held. */
    public long handled() {
        return passed + droppedLoss + droppedQueue;
    }
}
