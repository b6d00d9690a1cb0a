package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtp.RtpPacket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole repair loop on a virtual clock: a sender's {@link NackResponder} and a receiver's
 * {@link NackGenerator} joined by a link that loses packets (seeded: uniform or Gilbert-Elliott) and
 * delays them 20 ms each way. 120 packets a second for 20 s, across the 16-bit wrap; the receiver's
 * NACKs and the sender's RTX (second copies included) cross the same lossy link.
 *
 * <p>Every packet lost must come back, and soon: the loop is what keeps a subscriber's video from
 * freezing, so the test asserts how late the last repair came, not only that it came.
 */
class RepairLoopTest {
    private static final long MS = 1_000_000L;
    private static final long ONE_WAY = 20 * MS;
    private static final long RTT = 2 * ONE_WAY;
    private static final long TICK = 20 * MS;
    private static final long SSRC = 0x1111L;
    private static final long RTX_SSRC = 0x2222L;
    private static final int VP8 = 96;
    private static final int VP8_RTX = 97;
    private static final int PACKETS = 2400;
    private static final int FIRST = 64_000;

    /** A lossy direction of the link: seeded, and bursty when {@code meanBurst} > 1. */
    private static final class Link {
        private final SplittableRandom random;
        private final double enterBad;
        private final double leaveBad;
        private boolean bad;

        Link(long seed, double meanLoss, double meanBurst) {
            random = new SplittableRandom(seed);
            leaveBad = 1 / meanBurst;
            enterBad = meanLoss * leaveBad / (1 - meanLoss);
        }

        /** Gilbert's model: every packet in the bad state is lost; uniform when the mean burst is 1. */
        boolean loses() {
            boolean lost = leaveBad >= 1 ? random.nextDouble() < enterBad / (enterBad + leaveBad) : bad;
            if (leaveBad < 1) {
                bad = bad ? random.nextDouble() >= leaveBad : random.nextDouble() < enterBad;
            }
            return lost;
        }
    }

    private record InFlight(long arrivesNanos, int sequenceNumber, boolean retransmission, int[] nacked) {
    }

    /** The sender's send path for RTX: onto the lossy forward link, by original sequence number. */
    private static final class LinkSink implements NackResponder.Sink {
        private final Link forward;
        private final ArrayDeque<InFlight> toReceiver;
        private final RtpPacket view;
        long now;

        LinkSink(Link forward, ArrayDeque<InFlight> toReceiver, RtpPacket view) {
            this.forward = forward;
            this.toReceiver = toReceiver;
            this.view = view;
        }

        @Override
        public void sendRtx(ByteBuf rtx) {
            assertTrue(view.wrap(rtx));
            int osn = rtx.getUnsignedShort(view.payloadOffset());
            rtx.release();
            if (!forward.loses()) {
                toReceiver.add(new InFlight(now + ONE_WAY, osn, true, null));
            }
        }

        @Override
        public void resendProtected(ByteBuf srtpPacket) {
            srtpPacket.release();
            throw new AssertionError("RTX was negotiated");
        }
    }

    private static int[] rtxTypes() {
        int[] types = new int[128];
        Arrays.fill(types, -1);
        types[VP8] = VP8_RTX;
        return types;
    }

    @ParameterizedTest(name = "{0} % loss, mean burst {1}: all repaired, the last within {2} ms")
    @CsvSource({
            "5, 1, 250",
            "5, 4, 250",
            "15, 1, 400",
    })
    void everyLossIsRepairedInTime(double lossPercent, double meanBurst, long maxRepairMs) {
        NackResponder sender = NackResponder.forStream(SSRC, RTX_SSRC, rtxTypes(), 4096,
                NackResponder.Limits.defaults(4096), PooledByteBufAllocator.DEFAULT, 16);
        NackGenerator receiver = new NackGenerator(SSRC);
        Link forward = new Link(7, lossPercent / 100, meanBurst);
        // NACKs are sparse (one per 20 ms tick at most): a burst counted in packets would span
        // hundreds of milliseconds of them, so the way back loses them independently.
        Link back = new Link(11, lossPercent / 100, 1);
        ArrayDeque<InFlight> toReceiver = new ArrayDeque<>();
        ArrayDeque<InFlight> toSender = new ArrayDeque<>();
        RtpPacket view = new RtpPacket();
        long[] lostAt = new long[PACKETS];
        Arrays.fill(lostAt, -1);
        List<Long> repairTimes = new ArrayList<>();
        int[] due = new int[256];
        long originalsLost = 0;

        LinkSink sink = new LinkSink(forward, toReceiver, view);
        try {
            long end = PACKETS * 8 * MS + 2_000 * MS;
            int nextToSend = 0;
            for (long now = 0; now <= end; now += MS) {
                sink.now = now;
                if (nextToSend < PACKETS && now >= nextToSend * 8 * MS) {
                    int seq = (FIRST + nextToSend) & 0xFFFF;
                    ByteBuf packet = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
                    packet.writeByte(0x80).writeByte(VP8).writeShort(seq).writeInt(90 * nextToSend).writeInt((int) SSRC)
                            .writeInt(nextToSend);
                    assertTrue(view.wrap(packet));
                    sender.beforeProtect(view, now);
                    packet.release();
                    if (forward.loses()) {
                        lostAt[nextToSend] = now;
                        originalsLost++;
                    } else {
                        toReceiver.add(new InFlight(now + ONE_WAY, seq, false, null));
                    }
                    nextToSend++;
                }
                while (!toReceiver.isEmpty() && toReceiver.peek().arrivesNanos() <= now) {
                    InFlight packet = toReceiver.poll();
                    if (!packet.retransmission()) {
                        receiver.onPacket(packet.sequenceNumber(), now);
                    } else if (receiver.onRetransmission(packet.sequenceNumber(), now)) {
                        int index = (packet.sequenceNumber() - FIRST) & 0xFFFF;
                        repairTimes.add(now - lostAt[index]);
                    }
                }
                while (!toSender.isEmpty() && toSender.peek().arrivesNanos() <= now) {
                    int[] lost = toSender.poll().nacked();
                    ByteBuf out = Unpooled.buffer(16 + 4 * lost.length);
                    assertTrue(RtcpNack.write(out, 0x9999L, SSRC, lost, lost.length));
                    RtcpNack nack = new RtcpNack();
                    assertTrue(nack.wrap(out, 0, out.readableBytes()));
                    sender.onNack(nack, RTT, now, sink);
                }
                if (now % TICK == 0) {
                    sender.sendDeferred(now, sink);
                    int count = receiver.collectDue(now, RTT, due, due.length);
                    if (count > 0 && !back.loses()) {
                        toSender.add(new InFlight(now + ONE_WAY, 0, false, Arrays.copyOf(due, count)));
                    }
                }
            }

            String figures = originalsLost + " lost, " + repairTimes.size() + " repaired, last after "
                    + repairTimes.stream().mapToLong(Long::longValue).max().orElse(0) / MS + " ms; NACKed "
                    + receiver.nackedSequenceNumbers() + ", RTX sent " + sender.rtxSent() + " (second copies "
                    + sender.redundantRetransmissions() + "), gave up " + receiver.gaveUp();
            assertTrue(originalsLost > PACKETS * lossPercent / 100 / 2, "the link lost packets: " + figures);
            assertEquals(originalsLost, repairTimes.size(), "every lost packet repaired: " + figures);
            assertEquals(0, receiver.gaveUp(), figures);
            assertEquals(0, receiver.missingCount(), figures);
            assertTrue(repairTimes.stream().allMatch(t -> t <= maxRepairMs * MS), "repaired within " + maxRepairMs + " ms: " + figures);
            assertTrue(sender.rtxSent() <= 3 * originalsLost, "retransmissions bounded by the loss: " + figures);
        } finally {
            sender.close();
        }
    }
}
