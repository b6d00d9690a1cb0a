package org.archipelago.media.impair;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The impairment stage of the media port, and the test/ops API that configures it: which remote
 * addresses get which {@link ImpairmentProfile}, per {@link Direction}.
 *
 * <p>Off by default: a {@link org.archipelago.media.transport.UdpTransport} started without one pays a
 * null check per datagram. Started with one, a datagram to or from an address that is not impaired
 * costs one map lookup.
 *
 * <p>Each impaired (address, direction) is an {@link ImpairedLink} owned by the event loop that
 * first carries one of its packets (ingress: the socket's loop, before the demultiplexer; egress: the
 * sending peer's loop, before the socket). Held packets are released by a task scheduled on that loop
 * at the next due time: no thread per link, no sleeping. A packet of that link that shows up on
 * another loop is passed untouched and counted as {@link ImpairmentCounters#bypassed()}.
 *
 * <p>Randomness: every {@link #impair} call splits a fresh generator off the seed given here, so a
 * test that configures its links in a fixed order gets the same decisions on every run.
 *
 * <p>Ownership: {@link #offer} takes the datagram over when it returns true (see
 * {@link ImpairedLink}); {@link #clear}, {@link #clearAll} and replacing a profile release every
 * packet the old link held, on its loop. The transport that was given this stage calls
 * {@link #clearAll} when it closes.
 *
 * <p>Thread safety: configuration methods may be called from any thread.
 */
public final class NetworkImpairment {
    private final SplittableRandom seeds;
    private final Map<InetSocketAddress, Path> ingress = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Path> egress = new ConcurrentHashMap<>();

    public NetworkImpairment(long seed) {
        this.seeds = new SplittableRandom(seed);
    }

    /** Impairs {@code direction} of {@code remote} with {@code profile}, replacing what it had. */
    public void impair(InetSocketAddress remote, Direction direction, ImpairmentProfile profile) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(profile, "profile");
        SplittableRandom random;
        synchronized (seeds) {
            random = seeds.split();
        }
        Path previous = paths(direction).put(remote, new Path(remote, profile, random));
        if (previous != null) {
            previous.close();
        }
    }

    /** Makes {@code direction} of {@code remote} a clean path again; held packets are released. */
    public void clear(InetSocketAddress remote, Direction direction) {
        Path previous = paths(direction).remove(remote);
        if (previous != null) {
            previous.close();
        }
    }

    /** Clears every impaired address in both directions. */
    public void clearAll() {
        for (Direction direction : Direction.values()) {
            Map<InetSocketAddress, Path> paths = paths(direction);
            for (InetSocketAddress remote : paths.keySet()) {
                clear(remote, direction);
            }
        }
    }

    public boolean isImpaired(InetSocketAddress remote, Direction direction) {
        return paths(direction).containsKey(remote);
    }

    /** What the link did so far; {@link ImpairmentCounters#ZERO} when it is not impaired. */
    public ImpairmentCounters counters(InetSocketAddress remote, Direction direction) {
        Path path = paths(direction).get(remote);
        return path == null ? ImpairmentCounters.ZERO : path.counters();
    }

    /**
     * The transport's hook: impairs one datagram if {@code remote} is impaired in {@code direction}.
     * Called on {@code loop}.
     *
     * @param output where the datagram goes when (and if) it leaves the link; the same object for
     *               every call of one socket and direction
     * @return true when the stage took the datagram over (passed on, held or dropped); false when
     *         the caller keeps it and sends or delivers it as usual
     */
    public boolean offer(Direction direction, ByteBuf datagram, InetSocketAddress remote, EventLoop loop, ImpairedLink.Output output) {
        Path path = paths(direction).get(remote);
        return path != null && path.offer(datagram, loop, output);
    }

    private Map<InetSocketAddress, Path> paths(Direction direction) {
        return direction == Direction.INGRESS ? ingress : egress;
    }

    /** One impaired (address, direction): its link, bound to a loop on first use, and the drain task. */
    private static final class Path implements Runnable {
        private static final long NOT_SCHEDULED = Long.MIN_VALUE;

        private final InetSocketAddress remote;
        private final ImpairmentProfile profile;
        private final SplittableRandom random;
        private final LongAdder bypassed = new LongAdder();
        /** Written once under this path's lock, before {@link #link}. */
        private EventLoop owner;
        private volatile ImpairedLink link;
        private volatile boolean closed;
        /** When the pending drain task runs; owner loop only. */
        private long scheduledAtNanos = NOT_SCHEDULED;

        Path(InetSocketAddress remote, ImpairmentProfile profile, SplittableRandom random) {
            this.remote = remote;
            this.profile = profile;
            this.random = random;
        }

        boolean offer(ByteBuf datagram, EventLoop loop, ImpairedLink.Output output) {
            ImpairedLink l = link;
            if (l == null) {
                synchronized (this) {
                    if (closed) {
                        return false;
                    }
                    if (link == null) {
                        owner = loop;
                        link = new ImpairedLink(remote, profile, random, output);
                    }
                    l = link;
                }
            }
            if (owner != loop || !loop.inEventLoop()) {
                bypassed.increment();
                return false;
            }
            if (closed) {
                // Cleared meanwhile: the close task on this loop releases what is held.
                return false;
            }
            long now = System.nanoTime();
            l.releaseDue(now);
            l.offer(datagram, now);
            scheduleDrain(l, now);
            return true;
        }

        /** The drain task: on the owner loop, at (or just after) the next due time. */
        @Override
        public void run() {
            ImpairedLink l = link;
            if (closed || l == null) {
                return;
            }
            long now = System.nanoTime();
            if (scheduledAtNanos - now <= 0) {
                // This is the pending task (or a later one was superseded by it).
                scheduledAtNanos = NOT_SCHEDULED;
            }
            l.releaseDue(now);
            scheduleDrain(l, now);
        }

        /**
         * Keeps one task pending for the earliest due packet. A packet due before the pending task
         * gets a task of its own; the later one then finds little or nothing to do. Netty runs a
         * task no earlier than the delay it was given from its own, later reading of the clock, so
         * a task never runs before the time it was scheduled for.
         */
        private void scheduleDrain(ImpairedLink l, long now) {
            long next = l.nextDueNanos();
            if (next == Long.MAX_VALUE) {
                return;
            }
            if (scheduledAtNanos == NOT_SCHEDULED || next - scheduledAtNanos < 0) {
                scheduledAtNanos = next;
                owner.schedule(this, Math.max(0, next - now), TimeUnit.NANOSECONDS);
            }
        }

        void close() {
            EventLoop loop;
            synchronized (this) {
                closed = true;
                loop = owner;
            }
            ImpairedLink l = link;
            if (loop == null || l == null) {
                return;
            }
            if (loop.inEventLoop()) {
                l.close();
                return;
            }
            try {
                loop.execute(l::close);
            } catch (RejectedExecutionException loopGone) {
                // The loop has stopped: nothing else touches the link any more.
                l.close();
            }
        }

        ImpairmentCounters counters() {
            ImpairedLink l = link;
            ImpairmentCounters c = l == null ? ImpairmentCounters.ZERO : l.counters();
            return new ImpairmentCounters(c.passed(), c.droppedLoss(), c.droppedQueue(), c.delayed(),
                    c.reordered(), bypassed.sum(), c.held());
        }
    }
}
