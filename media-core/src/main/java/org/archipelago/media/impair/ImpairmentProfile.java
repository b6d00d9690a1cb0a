package org.archipelago.media.impair;

import java.time.Duration;
import java.util.Objects;

/**
 * What one direction of one impaired link does to its packets, applied in this order (as a packet
 * would meet them on a real path):
 * <ol>
 *   <li>loss ({@link LossModel});</li>
 *   <li>a bottleneck of {@code rateBitsPerSecond} with a drop-tail queue of {@code queue} depth
 *       (0 = no cap): a packet leaves it when its last bit has been sent;</li>
 *   <li>propagation delay plus jitter, uniform within ±{@code jitterNanos} (never below zero).
 *       Jitter alone keeps the packets' order (a packet never leaves before the one offered
 *       before it), as a real queue would; reordering is its own setting;</li>
 *   <li>reordering: with {@code reorderProbability} a packet is held back {@code reorderHoldNanos}
 *       more, so the packets behind it overtake it.</li>
 * </ol>
 * A link holds at most {@code maxHeldPackets} packets (the preallocated size of its queue); a packet
 * beyond that is dropped and counted as a queue drop.
 *
 * <p>Build one from {@link #NONE} with the {@code with*} methods:
 * <pre>{@code
 * ImpairmentProfile.NONE
 *         .withLoss(LossModel.gilbertElliott(0.01, 0.2, 0, 1))
 *         .withDelay(Duration.ofMillis(80), Duration.ofMillis(20))
 *         .withRateLimit(2_000_000, QueueLimit.packets(50));
 * }</pre>
 */
public record ImpairmentProfile(LossModel loss, long delayNanos, long jitterNanos,
                                double reorderProbability, long reorderHoldNanos,
                                long rateBitsPerSecond, QueueLimit queue, int maxHeldPackets) {

    public static final int DEFAULT_MAX_HELD_PACKETS = 1024;

    /** Passes everything untouched. */
    public static final ImpairmentProfile NONE =
            new ImpairmentProfile(LossModel.NONE, 0, 0, 0, 0, 0, null, DEFAULT_MAX_HELD_PACKETS);

    public ImpairmentProfile {
        Objects.requireNonNull(loss, "loss");
        if (delayNanos < 0 || jitterNanos < 0 || reorderHoldNanos < 0) {
            throw new IllegalArgumentException("delay, jitter and reorder hold must not be negative");
        }
        if (!(reorderProbability >= 0 && reorderProbability <= 1)) {
            throw new IllegalArgumentException("reorder probability must be within 0..1, got " + reorderProbability);
        }
        if (reorderProbability > 0 && reorderHoldNanos == 0) {
            throw new IllegalArgumentException("reordering needs a positive hold time");
        }
        if (rateBitsPerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative, got " + rateBitsPerSecond);
        }
        if (rateBitsPerSecond > 0 && queue == null) {
            throw new IllegalArgumentException("a rate limit needs a queue limit");
        }
        if (maxHeldPackets < 1) {
            throw new IllegalArgumentException("maxHeldPackets must be positive, got " + maxHeldPackets);
        }
        if (queue != null && !queue.inBytes() && queue.limit() > maxHeldPackets) {
            throw new IllegalArgumentException("a queue of " + queue.limit() + " packets exceeds maxHeldPackets " + maxHeldPackets);
        }
    }

    public ImpairmentProfile withLoss(LossModel newLoss) {
        return new ImpairmentProfile(newLoss, delayNanos, jitterNanos, reorderProbability, reorderHoldNanos,
                rateBitsPerSecond, queue, maxHeldPackets);
    }

    public ImpairmentProfile withDelay(Duration delay, Duration jitter) {
        return new ImpairmentProfile(loss, delay.toNanos(), jitter.toNanos(), reorderProbability, reorderHoldNanos,
                rateBitsPerSecond, queue, maxHeldPackets);
    }

    public ImpairmentProfile withReordering(double probability, Duration hold) {
        return new ImpairmentProfile(loss, delayNanos, jitterNanos, probability, hold.toNanos(),
                rateBitsPerSecond, queue, maxHeldPackets);
    }

    public ImpairmentProfile withRateLimit(long bitsPerSecond, QueueLimit queueLimit) {
        return new ImpairmentProfile(loss, delayNanos, jitterNanos, reorderProbability, reorderHoldNanos,
                bitsPerSecond, queueLimit, maxHeldPackets);
    }

    public ImpairmentProfile withMaxHeldPackets(int packets) {
        return new ImpairmentProfile(loss, delayNanos, jitterNanos, reorderProbability, reorderHoldNanos,
                rateBitsPerSecond, queue, packets);
    }
}
