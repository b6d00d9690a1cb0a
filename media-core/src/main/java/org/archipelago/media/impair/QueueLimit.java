package org.archipelago.media.impair;

/**
 * The depth of a rate-limited link's drop-tail queue, in bytes or in packets: a packet that would
 * take the queue (waiting packets plus the one being sent) past it is dropped.
 */
public record QueueLimit(long limit, boolean inBytes) {
    public QueueLimit {
        if (limit < 1) {
            throw new IllegalArgumentException("queue limit must be positive, got " + limit);
        }
    }

    public static QueueLimit packets(int packets) {
        return new QueueLimit(packets, false);
    }

    public static QueueLimit bytes(long bytes) {
        return new QueueLimit(bytes, true);
    }
}
