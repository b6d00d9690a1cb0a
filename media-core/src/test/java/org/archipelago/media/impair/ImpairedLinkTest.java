package org.archipelago.media.impair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One impaired link on a virtual clock: statistics with fixed seeds, and buffer ownership. */
class ImpairedLinkTest {
    private static final InetSocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5000);
    private static final long MS = 1_000_000;

    /** Records what leaves the link (sequence number, size, time) and releases it. */
    private static final class Recorder implements ImpairedLink.Output {
        final List<long[]> out = new ArrayList<>();

        @Override
        public void emit(ByteBuf packet, InetSocketAddress remote, long nowNanos) {
            assertEquals(REMOTE, remote);
            out.add(new long[] {packet.getInt(0), packet.readableBytes(), nowNanos});
            packet.release();
        }
    }

    private final Recorder recorder = new Recorder();

    private ImpairedLink link(ImpairmentProfile profile, long seed) {
        return new ImpairedLink(REMOTE, profile, new SplittableRandom(seed), recorder);
    }

    private static ByteBuf packet(int seq, int size) {
        ByteBuf buf = Unpooled.buffer(size);
        buf.writeInt(seq);
        buf.writerIndex(size);
        return buf;
    }

    /** Releases every packet due up to {@code nowNanos} at its exact due time. */
    private static void advanceTo(ImpairedLink link, long nowNanos) {
        long next;
        while ((next = link.nextDueNanos()) != Long.MAX_VALUE && next <= nowNanos) {
            link.releaseDue(next);
        }
    }

    /** Offers {@code count} packets of {@code size} bytes every {@code intervalNanos}, then drains. */
    private static List<ByteBuf> drive(ImpairedLink link, int count, int size, long intervalNanos) {
        List<ByteBuf> offered = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long now = i * intervalNanos;
            advanceTo(link, now);
            ByteBuf p = packet(i, size);
            offered.add(p);
            link.offer(p, now);
        }
        advanceTo(link, Long.MAX_VALUE - 1);
        return offered;
    }

    @Test
    void uniformLossRateWithinTolerance() {
        ImpairedLink link = link(ImpairmentProfile.NONE.withLoss(LossModel.uniform(0.05)), 1);
        List<ByteBuf> offered = drive(link, 100_000, 100, MS);
        ImpairmentCounters c = link.counters();
        // σ = sqrt(0.05 · 0.95 / 100 000) ≈ 0.069 %: 0.3 % is over four σ.
        assertEquals(0.05, c.droppedLoss() / 100_000.0, 0.003);
        assertEquals(100_000, c.passed() + c.droppedLoss());
        assertEquals(c.passed(), recorder.out.size());
        assertEquals(0, c.delayed());
        for (ByteBuf p : offered) {
            assertEquals(0, p.refCnt(), "every packet passed on or released");
        }
    }

    @Test
    void gilbertElliottLossOnTheLinkMatchesTheModel() {
        LossModel.GilbertElliott model = new LossModel.GilbertElliott(0.01, 0.2, 0, 1);
        ImpairedLink link = link(ImpairmentProfile.NONE.withLoss(model), 2);
        drive(link, 200_000, 100, MS);
        assertEquals(model.meanLossRate(), link.counters().droppedLoss() / 200_000.0, model.meanLossRate() * 0.1);
    }

    @Test
    void delayAndJitterStayWithinBoundsAndKeepOrder() {
        ImpairedLink link = link(ImpairmentProfile.NONE.withDelay(Duration.ofMillis(40), Duration.ofMillis(10)), 3);
        int count = 10_000;
        drive(link, count, 100, 5 * MS);
        assertEquals(count, recorder.out.size());
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        double sum = 0;
        long previousSeq = -1;
        for (long[] o : recorder.out) {
            assertTrue(o[0] > previousSeq, "jitter alone never reorders");
            previousSeq = o[0];
            long delay = o[2] - o[0] * 5 * MS;
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            sum += delay;
        }
        assertTrue(min >= 30 * MS && max <= 50 * MS, "delay within 40 ± 10 ms: " + min + ".." + max);
        assertTrue(min < 32 * MS && max > 48 * MS, "jitter spans its range: " + min + ".." + max);
        // Keeping order lifts a packet's delay to its predecessor's; the mean stays near 40 ms.
        assertEquals(40 * MS, sum / count, 2 * MS);
        assertEquals(count, link.counters().delayed());
        assertEquals(0, link.counters().reordered());
    }

    @Test
    void reorderRateWithinToleranceAndHeldPacketsAreOvertaken() {
        ImpairedLink link = link(ImpairmentProfile.NONE.withReordering(0.1, Duration.ofMillis(30)), 4);
        int count = 100_000;
        drive(link, count, 100, 10 * MS);
        ImpairmentCounters c = link.counters();
        assertEquals(0.1, c.reordered() / (double) count, 0.005);
        assertEquals(count, recorder.out.size());
        long late = 0;
        long highest = -1;
        for (long[] o : recorder.out) {
            if (o[0] < highest) {
                late++;
            }
            highest = Math.max(highest, o[0]);
        }
        // A packet held 30 ms is overtaken unless the next ones were held too (1 % of the time).
        assertTrue(late >= c.reordered() * 0.97 && late <= c.reordered(), late + " late of " + c.reordered());
    }

    @Test
    void bandwidthCapLimitsTheOutputRateAndDropsTheTail() {
        // 1000-byte packets at 2 Mbit/s into a 1 Mbit/s bottleneck with a 10-packet queue.
        ImpairedLink link = link(ImpairmentProfile.NONE.withRateLimit(1_000_000, QueueLimit.packets(10)), 5);
        int count = 5_000;
        List<ByteBuf> offered = drive(link, count, 1000, 4 * MS);
        ImpairmentCounters c = link.counters();
        long first = recorder.out.get(0)[2];
        long last = recorder.out.get(recorder.out.size() - 1)[2];
        double bitsPerSecond = (recorder.out.size() - 1) * 8000.0 / ((last - first) / 1e9);
        assertEquals(1_000_000, bitsPerSecond, 1_000_000 * 0.01, "output at the cap");
        assertEquals(count / 2.0, c.droppedQueue(), count * 0.01, "half of the offered load is dropped");
        assertEquals(count, c.passed() + c.droppedQueue());
        for (long[] o : recorder.out) {
            long sojourn = o[2] - o[0] * 4 * MS;
            assertTrue(sojourn <= 10 * 8 * MS, "queueing delay bounded by the queue: " + sojourn);
        }
        for (ByteBuf p : offered) {
            assertEquals(0, p.refCnt());
        }
    }

    @Test
    void bandwidthCapWithAByteQueueAndALoadUnderTheCap() {
        // A 5000-byte queue holds five 1000-byte packets: a burst of 20 loses all but 5.
        ImpairedLink link = link(ImpairmentProfile.NONE.withRateLimit(1_000_000, QueueLimit.bytes(5000)), 6);
        for (int i = 0; i < 20; i++) {
            link.offer(packet(i, 1000), 0);
        }
        assertEquals(15, link.counters().droppedQueue());
        advanceTo(link, Long.MAX_VALUE - 1);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), recorder.out.stream().map(o -> o[0]).toList());
        assertEquals(40 * MS, recorder.out.get(4)[2], "the fifth leaves after 5 × 8 ms");

        recorder.out.clear();
        ImpairedLink under = link(ImpairmentProfile.NONE.withRateLimit(1_000_000, QueueLimit.packets(2)), 7);
        drive(under, 1000, 1000, 10 * MS); // 0.8 Mbit/s
        assertEquals(0, under.counters().droppedQueue());
        assertEquals(1000, recorder.out.size());
    }

    @Test
    void aFullHoldQueueDropsAndCloseReleasesWhatIsHeld() {
        ImpairedLink link = link(ImpairmentProfile.NONE.withDelay(Duration.ofMillis(100), Duration.ZERO).withMaxHeldPackets(4), 8);
        List<ByteBuf> offered = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ByteBuf p = packet(i, 50);
            offered.add(p);
            link.offer(p, i * MS);
        }
        ImpairmentCounters c = link.counters();
        assertEquals(4, c.held());
        assertEquals(2, c.droppedQueue());
        assertEquals(0, offered.get(5).refCnt(), "a dropped packet is released");
        assertEquals(1, offered.get(0).refCnt(), "a held packet is still owned by the link");
        link.close();
        for (ByteBuf p : offered) {
            assertEquals(0, p.refCnt(), "close releases the held packets");
        }
        assertEquals(0, link.counters().held());
        assertTrue(recorder.out.isEmpty());
        // A closed link is a clean path.
        link.offer(packet(9, 50), 10 * MS);
        assertEquals(1, recorder.out.size());
    }

    @Test
    void sameSeedSameDecisions() {
        ImpairmentProfile profile = ImpairmentProfile.NONE.withLoss(LossModel.uniform(0.2))
                .withDelay(Duration.ofMillis(20), Duration.ofMillis(15)).withReordering(0.05, Duration.ofMillis(25));
        drive(link(profile, 99), 2000, 100, MS);
        List<String> first = recorder.out.stream().map(o -> o[0] + "@" + o[2]).toList();
        recorder.out.clear();
        drive(link(profile, 99), 2000, 100, MS);
        assertEquals(first, recorder.out.stream().map(o -> o[0] + "@" + o[2]).toList());
    }

    @Test
    void profileRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> ImpairmentProfile.NONE.withRateLimit(1_000_000, null));
        assertThrows(IllegalArgumentException.class, () -> ImpairmentProfile.NONE.withReordering(0.1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ImpairmentProfile.NONE.withDelay(Duration.ofMillis(-1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ImpairmentProfile.NONE.withRateLimit(1000, QueueLimit.packets(5000)));
        assertThrows(IllegalArgumentException.class, () -> QueueLimit.bytes(0));
    }
}
