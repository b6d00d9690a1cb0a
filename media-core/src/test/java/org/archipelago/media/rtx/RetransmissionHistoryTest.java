package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send history with a virtual clock: wrap-around, eviction, one retransmission per RTT, age. */
class RetransmissionHistoryTest {
    private static final long MS = 1_000_000L;
    private static final long RTT = 50 * MS;
    private static final long MAX_AGE = 1000 * MS;

    private final List<ByteBuf> made = new ArrayList<>();
    private RetransmissionHistory history;

    @AfterEach
    void release() {
        if (history != null) {
            history.close();
        }
        for (ByteBuf buffer : made) {
            assertEquals(0, buffer.refCnt(), "the history released every packet it held");
        }
    }

    private ByteBuf packet(int sequenceNumber) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(2).writeShort(sequenceNumber);
        made.add(buffer);
        return buffer;
    }

    @Test
    void storesAndFindsAcrossTheSixteenBitWrap() {
        history = new RetransmissionHistory(8, MAX_AGE);
        for (int seq = 65530; seq < 65530 + 8; seq++) {
            history.store(seq & 0xFFFF, packet(seq & 0xFFFF), 0);
        }
        assertEquals(1, history.newestSequenceNumber(), "65530..65535, 0, 1");
        for (int seq : new int[] {65530, 65535, 0, 1}) {
            int slot = history.request(seq, 10 * MS, RTT);
            assertTrue(slot >= 0, "seq " + seq);
            assertEquals(seq, history.packet(slot).getUnsignedShort(0));
        }
        assertEquals(RetransmissionHistory.NOT_SENT, history.request(2, 10 * MS, RTT), "ahead of the newest");
        assertEquals(RetransmissionHistory.TOO_OLD, history.request(65529, 10 * MS, RTT), "before the ring");
    }

    @Test
    void aFullRingEvictsTheOldestAndReleasesIt() {
        history = new RetransmissionHistory(4, MAX_AGE);
        for (int seq = 100; seq < 106; seq++) {
            history.store(seq, packet(seq), 0);
        }
        assertEquals(2, history.packetsEvicted());
        assertEquals(0, made.get(0).refCnt(), "100 released when 104 took its slot");
        assertEquals(0, made.get(1).refCnt());
        assertEquals(1, made.get(2).refCnt(), "102 still held");
        assertEquals(RetransmissionHistory.TOO_OLD, history.request(101, 0, RTT));
        assertSame(made.get(2), history.packet(history.request(102, 0, RTT)));
    }

    /**
     * Table: {sent at, first request at, second request at, expected second result} with RTT 50 ms;
     * a repeat is answered from 3/4 of the RTT on.
     */
    @ParameterizedTest(name = "second NACK {2} ms after sending -> {3}")
    @CsvSource({
            "0, 10, 10, WITHIN_RTT",     // the same NACK twice in one compound
            "0, 10, 47, WITHIN_RTT",     // 37 ms later, under 3/4 of the RTT: our RTX cannot have arrived yet
            "0, 10, 48, RESENT",         // 3/4 of an RTT later: the receiver's own RTT says it was lost too
            "0, 10, 60, RESENT",
            "0, 10, 500, RESENT",
    })
    void aPacketIsRetransmittedAtMostOncePerRtt(long sentMs, long firstMs, long secondMs, String expected) {
        history = new RetransmissionHistory(16, MAX_AGE);
        history.store(7, packet(7), sentMs * MS);
        int first = history.request(7, firstMs * MS, RTT);
        assertTrue(first >= 0);
        assertEquals(1, history.timesResent(first));
        int second = history.request(7, secondMs * MS, RTT);
        if (expected.equals("RESENT")) {
            assertTrue(second >= 0, "resent");
            assertEquals(2, history.timesResent(second));
        } else {
            assertEquals(RetransmissionHistory.WITHIN_RTT, second);
        }
    }

    @Test
    void packetsOlderThanTheMaximumAgeAreTooOld() {
        history = new RetransmissionHistory(16, MAX_AGE);
        history.store(1, packet(1), 0);
        history.store(2, packet(2), 600 * MS);
        assertEquals(RetransmissionHistory.TOO_OLD, history.request(1, 1001 * MS, RTT));
        assertTrue(history.request(2, 1001 * MS, RTT) >= 0);
    }

    @Test
    void aSkippedSequenceNumberWasNotSent() {
        history = new RetransmissionHistory(16, MAX_AGE);
        history.store(10, packet(10), 0);
        history.store(12, packet(12), 0);
        assertEquals(RetransmissionHistory.NOT_SENT, history.request(11, 0, RTT));
        assertEquals(RetransmissionHistory.NOT_SENT, new RetransmissionHistory(4, MAX_AGE).request(0, 0, RTT), "empty");
    }

    @Test
    void storingTheSameSequenceNumberAgainReplacesAndReleases() {
        history = new RetransmissionHistory(4, MAX_AGE);
        history.store(5, packet(5), 0);
        history.store(5, packet(5), 0);
        assertEquals(0, made.get(0).refCnt());
        assertSame(made.get(1), history.packet(history.request(5, 0, RTT)));
    }

    @Test
    void aJumpBackByMoreThanTheRingRestartsTheStream() {
        history = new RetransmissionHistory(4, MAX_AGE);
        history.store(30000, packet(30000), 0);
        history.store(10, packet(10), 0);
        assertEquals(10, history.newestSequenceNumber());
        assertTrue(history.request(10, 0, RTT) >= 0);
    }

    @Test
    void capacityMustBeAPowerOfTwoWithinHalfTheSequenceSpace() {
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionHistory(0, MAX_AGE));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionHistory(600, MAX_AGE));
        assertThrows(IllegalArgumentException.class, () -> new RetransmissionHistory(65536, MAX_AGE));
        new RetransmissionHistory(32768, MAX_AGE).close();
    }
}
