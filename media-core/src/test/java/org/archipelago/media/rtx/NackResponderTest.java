package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtp.RtpPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Answering NACKs with a virtual clock: RTX or plain, once per RTT, bad input counted and bounded. */
class NackResponderTest {
    private static final long MS = 1_000_000L;
    private static final long SSRC = 0x1111_1111L;
    private static final long RTX_SSRC = 0x2222_2222L;
    private static final int VP8 = 96;
    private static final int VP8_RTX = 97;
    private static final int OPUS = 111;
    private static final int[] RTX_TYPES = rtxTypes();

    private final RecordingSink sink = new RecordingSink();
    private final List<ByteBuf> sent = new ArrayList<>();
    private final RtpPacket view = new RtpPacket();
    private NackResponder responder;

    private static int[] rtxTypes() {
        int[] types = new int[128];
        java.util.Arrays.fill(types, -1);
        types[VP8] = VP8_RTX;
        return types;
    }

    @AfterEach
    void release() {
        if (responder != null) {
            responder.close();
        }
        sink.release();
        for (ByteBuf packet : sent) {
            assertEquals(0, packet.refCnt(), "every packet released once the history is closed");
        }
    }

    private NackResponder responder(NackResponder.Limits limits) {
        return NackResponder.forStream(SSRC, RTX_SSRC, RTX_TYPES, 500, limits, PooledByteBufAllocator.DEFAULT, 16);
    }

    /** What the peer does per packet: beforeProtect, "protect" (the test flips nothing), send, afterProtect. */
    private void send(int payloadType, int sequenceNumber, long nowNanos) {
        ByteBuf packet = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        packet.writeByte(0x80).writeByte(payloadType).writeShort(sequenceNumber).writeInt(90 * sequenceNumber)
                .writeInt((int) SSRC).writeInt(0xC0DE0000 | sequenceNumber);
        assertTrue(view.wrap(packet));
        responder.beforeProtect(view, nowNanos);
        responder.afterProtect(packet, nowNanos);
        sent.add(packet);
        packet.release();   // the socket's write
    }

    private void nack(long mediaSsrc, long nowNanos, long rttNanos, int... sequenceNumbers) {
        ByteBuf out = Unpooled.buffer(16 + 4 * sequenceNumbers.length);
        assertTrue(RtcpNack.write(out, 0x9999L, mediaSsrc, sequenceNumbers, sequenceNumbers.length));
        RtcpNack nack = new RtcpNack();
        assertTrue(nack.wrap(out, 0, out.readableBytes()));
        responder.onNack(nack, rttNanos, nowNanos, sink);
    }

    @Test
    void rtxCarriesTheOriginalSequenceNumberOnTheRtxStreamWithItsOwnSequence() {
        responder = responder(NackResponder.Limits.defaults(64));
        for (int seq = 65533; seq < 65533 + 6; seq++) {
            send(VP8, seq & 0xFFFF, 0);
        }
        nack(SSRC, 5 * MS, -1, 65534, 1);
        assertEquals(2, sink.rtx.size());
        int[][] expected = {{500, 65534}, {501, 1}};
        for (int i = 0; i < 2; i++) {
            ByteBuf rtx = sink.rtx.get(i);
            assertTrue(view.wrap(rtx));
            assertEquals(VP8_RTX, view.payloadType());
            assertEquals(RTX_SSRC, view.ssrc());
            assertEquals(expected[i][0], view.sequenceNumber());
            assertEquals(expected[i][1], rtx.getUnsignedShort(view.payloadOffset()), "OSN");
            assertEquals(0xC0DE0000 | expected[i][1], rtx.getInt(view.payloadOffset() + 2), "original payload");
            assertTrue(rtx.writableBytes() >= 16, "tailroom for SRTP");
        }
        assertEquals(2, responder.rtxSent());
    }

    /**
     * A repeat within 3/4 of the RTT is not answered (our RTX cannot have arrived); one after it
     * means the RTX was lost too, and is answered with two copies.
     */
    @Test
    void theSameNackWithinAnRttIsAnsweredOnceAndAgainAfterItTwice() {
        responder = responder(NackResponder.Limits.defaults(64));
        send(VP8, 10, 0);
        nack(SSRC, 10 * MS, 30 * MS, 10);
        nack(SSRC, 10 * MS, 30 * MS, 10);   // the same again, at once
        nack(SSRC, 32 * MS, 30 * MS, 10);   // 22 ms later: under 3/4 of 30 ms
        assertEquals(1, sink.rtx.size());
        assertEquals(2, responder.dropCount(RetransmissionDropReason.WITHIN_RTT));
        nack(SSRC, 33 * MS, 30 * MS, 10);
        assertEquals(2, sink.rtx.size(), "asked again after 3/4 of an RTT: one copy now");
        assertEquals(1, responder.deferredCount(), "and a second one a little later");
        responder.sendDeferred(52 * MS, sink);
        assertEquals(2, sink.rtx.size(), "not before its delay");
        responder.sendDeferred(53 * MS, sink);
        assertEquals(3, sink.rtx.size());
        assertEquals(1, responder.redundantRetransmissions());
        assertEquals(10, osn(sink.rtx.get(1)));
        assertEquals(10, osn(sink.rtx.get(2)), "both copies carry OSN 10");
        // Unknown RTT: 100 ms by default, so repeats wait 75 ms.
        nack(SSRC, 107 * MS, -1, 10);
        assertEquals(3, sink.rtx.size());
        nack(SSRC, 108 * MS, -1, 10);
        responder.sendDeferred(128 * MS, sink);
        assertEquals(5, sink.rtx.size());
        assertEquals(5, responder.rtxSent());
    }

    /**
     * Second copies wait in a bounded ring; beyond it they are not sent (sent at once they would
     * share the first copy's fate) and are counted, and their rate tokens are given back.
     */
    @Test
    void secondCopiesBeyondTheRingAreDroppedAndCounted() {
        responder = responder(NackResponder.Limits.defaults(256));
        int packets = NackResponder.MAX_DEFERRED + 10;
        for (int seq = 0; seq < packets; seq++) {
            send(VP8, seq, 0);
        }
        int[] all = new int[packets];
        for (int seq = 0; seq < packets; seq++) {
            all[seq] = seq;
        }
        nack(SSRC, MS, 10 * MS, all);
        nack(SSRC, 20 * MS, 10 * MS, all);
        assertEquals(NackResponder.MAX_DEFERRED, responder.deferredCount());
        assertEquals(10, responder.secondCopiesDropped());
        assertEquals(2 * packets, sink.rtx.size(), "two rounds of first copies");
        responder.sendDeferred(40 * MS, sink);
        assertEquals(0, responder.deferredCount());
        assertEquals(2 * packets + NackResponder.MAX_DEFERRED, sink.rtx.size());
        assertEquals(NackResponder.MAX_DEFERRED, responder.redundantRetransmissions());
    }

    /** The original sequence number an RTX packet carries (RFC 4588 §4). */
    private int osn(ByteBuf rtx) {
        assertTrue(view.wrap(rtx));
        return rtx.getUnsignedShort(view.payloadOffset());
    }

    @Test
    void aPayloadTypeWithoutRtxIsResentAsTheProtectedPacket() {
        responder = responder(NackResponder.Limits.defaults(64));
        send(OPUS, 7, 0);
        nack(SSRC, MS, -1, 7);
        assertEquals(0, sink.rtx.size());
        assertEquals(1, sink.plain.size());
        ByteBuf resent = sink.plain.get(0);
        assertEquals(7, resent.getUnsignedShort(2));
        assertEquals(SSRC, resent.getUnsignedInt(8));
        assertEquals(OPUS, resent.getUnsignedByte(1));
        assertEquals(1, responder.plainRetransmissionsSent());
    }

    @Test
    void unknownSsrcsTooOldAndNeverSentAreCounted() {
        responder = responder(NackResponder.Limits.defaults(4));
        for (int seq = 0; seq < 8; seq++) {
            send(VP8, seq, 0);
        }
        nack(0xDEADL, MS, -1, 1, 2, 3);
        assertEquals(3, responder.dropCount(RetransmissionDropReason.UNKNOWN_SSRC));
        nack(SSRC, MS, -1, 2, 3);
        assertEquals(2, responder.dropCount(RetransmissionDropReason.TOO_OLD), "evicted from a ring of 4");
        nack(SSRC, MS, -1, 9);
        assertEquals(1, responder.dropCount(RetransmissionDropReason.NOT_SENT));
        nack(SSRC, 2001 * MS, -1, 7);
        assertEquals(3, responder.dropCount(RetransmissionDropReason.TOO_OLD), "older than 2 s");
        assertEquals(0, sink.rtx.size());
        assertEquals(4, responder.nacksReceived());
    }

    @Test
    void aNackStormIsCutAtThePerNackLimit() {
        responder = responder(new NackResponder.Limits(1024, 1000 * MS, 64, 100_000));
        for (int seq = 0; seq < 1024; seq++) {
            send(VP8, seq, 0);
        }
        // Every packet sent and then some: 1024 + 3000 sequence numbers in one NACK.
        int[] storm = IntStream.range(0, 4024).map(i -> (i + 62536) & 0xFFFF).toArray();
        nack(SSRC, MS, -1, storm);
        long answeredOrRefused = sink.rtx.size() + responder.dropCount(RetransmissionDropReason.NOT_SENT)
                + responder.dropCount(RetransmissionDropReason.TOO_OLD);
        assertEquals(64, answeredOrRefused, "only 64 sequence numbers looked at");
        assertEquals(4024 - 64, responder.dropCount(RetransmissionDropReason.OVER_NACK_LIMIT));
    }

    @Test
    void retransmissionsPerSecondAreCapped() {
        responder = responder(new NackResponder.Limits(1024, 10_000 * MS, 1000, 100));
        for (int seq = 0; seq < 1000; seq++) {
            send(VP8, seq, 0);
        }
        // 10 NACKs of 50 at once: the bucket of 100 answers 100, the rest are over the rate.
        for (int i = 0; i < 10; i++) {
            int first = i * 50;
            nack(SSRC, 10 * MS, -1, IntStream.range(first, first + 50).toArray());
        }
        assertEquals(100, sink.rtx.size());
        assertEquals(400, responder.dropCount(RetransmissionDropReason.OVER_RATE_LIMIT));
        // Half a second later the bucket holds 50 again.
        nack(SSRC, 510 * MS, -1, IntStream.range(500, 600).toArray());
        assertEquals(150, sink.rtx.size());
    }

    /** Keeps what the responder sends, releasing it at the end. */
    private static final class RecordingSink implements NackResponder.Sink {
        final List<ByteBuf> rtx = new ArrayList<>();
        final List<ByteBuf> plain = new ArrayList<>();

        @Override
        public void sendRtx(ByteBuf plaintextRtx) {
            rtx.add(plaintextRtx);
        }

        @Override
        public void resendProtected(ByteBuf srtpPacket) {
            plain.add(srtpPacket);
        }

        void release() {
            rtx.forEach(ByteBuf::release);
            plain.forEach(ByteBuf::release);
        }
    }
}
