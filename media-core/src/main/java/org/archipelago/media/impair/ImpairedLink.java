package org.archipelago.media.impair;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.SplittableRandom;

/**
 * One direction of one impaired remote address: the model of a bad network path. It decides each
 * packet's fate with {@link ImpairmentProfile}'s steps, passes it on through its {@link Output} at
 * once, drops it, or holds it until it is due. Time is passed in; randomness comes from the
 * {@link SplittableRandom} it is given, so a seed fixes every decision.
 *
 * <p>The link never reads a clock and never schedules: whoever drives it calls {@link #offer} per
 * packet and {@link #releaseDue} at {@link #nextDueNanos()} (on a live port, {@link NetworkImpairment}
 * does so on the link's event loop; tests drive a virtual clock).
 *
 * <p>Ownership: {@link #offer} takes the packet over. A dropped packet is released here; a passed
 * one is handed to the output, which then owns it; a held one is owned by the link until it is
 * released to the output, or released by {@link #close()}.
 *
 * <p>Allocation: none per packet; the hold queue and the rate limiter's queue are arrays
 * allocated with the link.
 *
 * <p>Thread safety: not thread-safe; one event loop drives it. The counters are written by that loop
 * only and may be read from any thread.
 */
public final class ImpairedLink {

    /** Where packets leave the link: the socket (egress) or the demultiplexer (ingress). */
    @FunctionalInterface
    public interface Output {
        /** Takes {@code packet} over. {@code nowNanos} is when it leaves the link. */
        void emit(ByteBuf packet, InetSocketAddress remote, long nowNanos);
    }

    private static final double NANOS_PER_SECOND = 1e9;

    private final InetSocketAddress remote;
    private final ImpairmentProfile profile;
    private final SplittableRandom random;
    private final Output output;
    private final GilbertElliottLoss burstLoss;
    private final double uniformLoss;
    private final HeldPackets held;

    /**
     * Whether a packet was offered yet: the times below start at the first offer (clock readings
     * are compared by difference, as {@link System#nanoTime()} may wrap, so they need no sentinel).
     */
    private boolean started;
    /** Rate limiter: when the bottleneck finishes sending what it has. */
    private long busyUntilNanos;
    /** Rate limiter with a packet limit: when each queued packet finishes, oldest first (a ring). */
    private final long[] finishNanos;
    private int finishHead;
    private int finishCount;
    /** Delay: when the last packet that keeps order is due (jitter never reorders). */
    private long lastInOrderDueNanos;
    private boolean closed;

    private volatile long passed;
    private volatile long droppedLoss;
    private volatile long droppedQueue;
    private volatile long delayed;
    private volatile long reordered;

    public ImpairedLink(InetSocketAddress remote, ImpairmentProfile profile, SplittableRandom random, Output output) {
        this.remote = remote;
        this.profile = profile;
        this.random = random;
        this.output = output;
        if (profile.loss() instanceof LossModel.GilbertElliott model) {
            burstLoss = new GilbertElliottLoss(model);
            uniformLoss = 0;
        } else {
            burstLoss = null;
            uniformLoss = profile.loss().meanLossRate();
        }
        held = new HeldPackets(profile.maxHeldPackets());
        QueueLimit queue = profile.queue();
        finishNanos = profile.rateBitsPerSecond() > 0 && !queue.inBytes() ? new long[(int) queue.limit()] : null;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public ImpairmentProfile profile() {
        return profile;
    }

    /**
     * Decides one packet's fate at {@code nowNanos}. Call {@link #releaseDue} first when packets
     * may be due, so that held packets leave before a packet that arrives after them.
     */
    public void offer(ByteBuf packet, long nowNanos) {
        if (closed) {
            // A closed link has no queue any more: behave as a clean path.
            passed++;
            output.emit(packet, remote, nowNanos);
            return;
        }
        if (!started) {
            started = true;
            busyUntilNanos = nowNanos;
            lastInOrderDueNanos = nowNanos;
        }
        if (burstLoss != null ? burstLoss.lose(random) : uniformLoss > 0 && random.nextDouble() < uniformLoss) {
            droppedLoss++;
            packet.release();
            return;
        }
        long dueNanos = nowNanos;
        if (profile.rateBitsPerSecond() > 0) {
            int bytes = packet.readableBytes();
            if (queueFull(bytes, nowNanos)) {
                droppedQueue++;
                packet.release();
                return;
            }
            long start = busyUntilNanos - nowNanos > 0 ? busyUntilNanos : nowNanos;
            busyUntilNanos = start + bytes * 8L * 1_000_000_000L / profile.rateBitsPerSecond();
            if (finishNanos != null) {
                finishNanos[(finishHead + finishCount++) % finishNanos.length] = busyUntilNanos;
            }
            dueNanos = busyUntilNanos;
        }
        if (profile.delayNanos() > 0 || profile.jitterNanos() > 0) {
            long jitter = profile.jitterNanos();
            long delay = profile.delayNanos() + (jitter > 0 ? random.nextLong(-jitter, jitter + 1) : 0);
            dueNanos += Math.max(0, delay);
        }
        if (lastInOrderDueNanos - dueNanos > 0) {
            dueNanos = lastInOrderDueNanos;
        }
        boolean reorder = profile.reorderProbability() > 0 && random.nextDouble() < profile.reorderProbability();
        if (reorder) {
            // Held back out of the order chain: the packets after it may overtake it.
            dueNanos += profile.reorderHoldNanos();
        } else {
            lastInOrderDueNanos = dueNanos;
        }
        if (dueNanos - nowNanos <= 0) {
            passed++;
            output.emit(packet, remote, nowNanos);
            return;
        }
        if (held.isFull()) {
            droppedQueue++;
            packet.release();
            return;
        }
        delayed++;
        if (reorder) {
            reordered++;
        }
        held.add(packet, dueNanos);
    }

    /** Drop-tail: would this packet take the bottleneck's queue past its limit? */
    private boolean queueFull(int bytes, long nowNanos) {
        QueueLimit queue = profile.queue();
        if (finishNanos != null) {
            while (finishCount > 0 && finishNanos[finishHead] - nowNanos <= 0) {
                finishHead = (finishHead + 1) % finishNanos.length;
                finishCount--;
            }
            return finishCount >= queue.limit();
        }
        long backlogNanos = busyUntilNanos - nowNanos;
        double backlogBytes = backlogNanos > 0 ? backlogNanos * (profile.rateBitsPerSecond() / 8.0) / NANOS_PER_SECOND : 0;
        return backlogBytes + bytes > queue.limit();
    }

    /** Passes on every held packet due at {@code nowNanos}, in due order. */
    public void releaseDue(long nowNanos) {
        ByteBuf packet;
        while ((packet = held.pollDue(nowNanos)) != null) {
            passed++;
            output.emit(packet, remote, nowNanos);
        }
    }

    /** When the next held packet is due, or {@link Long#MAX_VALUE} when none is held. */
    public long nextDueNanos() {
        return held.nextDueNanos();
    }

    /** Releases every held packet; later packets pass untouched. */
    public void close() {
        closed = true;
        held.releaseAll();
    }

    public ImpairmentCounters counters() {
        return new ImpairmentCounters(passed, droppedLoss, droppedQueue, delayed, reordered, 0, held.size());
    }
}
