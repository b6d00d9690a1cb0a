package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtp.RtpSequence;

/**
 * The packets one send stream sent recently, for retransmission: a ring of reference-counted
 * buffers indexed by the low bits of the RTP sequence number, so a lookup is one array access and
 * memory is bounded by the capacity (a power of two that divides 2<sup>16</sup>, so slots stay
 * stable across sequence wrap-around).
 *
 * <p>Ownership: {@link #store} takes the buffer over; the history releases it when its slot is
 * reused or on {@link #close}. {@link #packet} lends it: retain or copy to keep it past the call.
 *
 * <p>A request for a sequence number ({@link #request}) answers with the slot to retransmit, or why
 * not: not sent (ahead of the newest, or skipped), too old (evicted, or older than the maximum
 * age), or already retransmitted less than 3/4 of an RTT ago. Time is passed in. Owned by one event loop.
 */
public final class RetransmissionHistory implements AutoCloseable {
    /** The largest capacity: half the sequence space, so "newer" stays unambiguous (RFC 3550 §5.1). */
    public static final int MAX_CAPACITY = RtpSequence.SEQUENCE_NUMBER_MODULUS / 2;
    /** {@link #request} result: ahead of the newest packet, or a sequence number never stored. */
    public static final int NOT_SENT = -1;
    /** {@link #request} result: evicted from the ring, or older than the maximum age. */
    public static final int TOO_OLD = -2;
    /** {@link #request} result: retransmitted less than {@link #RESEND_GUARD_NUMERATOR}/4 of an RTT ago. */
    public static final int WITHIN_RTT = -3;

    private static final int EMPTY = -1;
    private static final long NEVER = Long.MIN_VALUE;
    /**
     * A repeated request is answered once 3/4 of the RTT has passed since the last answer: a receiver
     * re-asks after about one RTT of its own measure, and the two measures differ by their jitter.
     */
    static final int RESEND_GUARD_NUMERATOR = 3;

    private final int mask;
    private final long maxAgeNanos;
    private final ByteBuf[] packets;
    private final int[] sequenceNumbers;
    private final long[] sentNanos;
    private final long[] resentNanos;
    /** Times each slot's packet was retransmitted, saturating at {@link Byte#MAX_VALUE}. */
    private final byte[] resends;
    private int newest = EMPTY;
    private long stored;
    private long evicted;

    /**
     * @param capacity    packets kept: a power of two from 1 to {@link #MAX_CAPACITY}
     * @param maxAgeNanos a packet sent longer ago than this is not retransmitted
     */
    public RetransmissionHistory(int capacity, long maxAgeNanos) {
        if (!isValidCapacity(capacity)) {
            throw new IllegalArgumentException("history capacity must be a power of two from 1 to "
                    + MAX_CAPACITY + ", got " + capacity);
        }
        this.mask = capacity - 1;
        this.maxAgeNanos = maxAgeNanos;
        this.packets = new ByteBuf[capacity];
        this.sequenceNumbers = new int[capacity];
        this.sentNanos = new long[capacity];
        this.resentNanos = new long[capacity];
        this.resends = new byte[capacity];
        java.util.Arrays.fill(sequenceNumbers, EMPTY);
    }

    public static boolean isValidCapacity(int capacity) {
        return capacity >= 1 && capacity <= MAX_CAPACITY && Integer.bitCount(capacity) == 1;
    }

    public int capacity() {
        return packets.length;
    }

    /**
     * Keeps {@code packet}, sent with {@code sequenceNumber} at {@code nowNanos}, releasing what
     * its slot held. Takes the buffer over.
     */
    public void store(int sequenceNumber, ByteBuf packet, long nowNanos) {
        int sequence = sequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK;
        int slot = sequence & mask;
        ByteBuf previous = packets[slot];
        if (previous != null) {
            previous.release();
            evicted++;
        }
        packets[slot] = packet;
        sequenceNumbers[slot] = sequence;
        sentNanos[slot] = nowNanos;
        resentNanos[slot] = NEVER;
        resends[slot] = 0;
        stored++;
        // Newer moves the front; so does a jump back by more than the ring (the stream restarted).
        if (newest == EMPTY || RtpSequence.distance(newest, sequence) > 0
                || RtpSequence.distance(sequence, newest) >= packets.length) {
            newest = sequence;
        }
    }

    /**
     * Whether {@code sequenceNumber} may be retransmitted at {@code nowNanos}; if so, marks it
     * retransmitted and returns its slot for {@link #packet}, else {@link #NOT_SENT},
     * {@link #TOO_OLD} or {@link #WITHIN_RTT}.
     *
     * @param rttNanos the round-trip time of the leg: one retransmission per packet per 3/4 of it
     */
    public int request(int sequenceNumber, long nowNanos, long rttNanos) {
        if (newest == EMPTY) {
            return NOT_SENT;
        }
        int sequence = sequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK;
        int behind = RtpSequence.distance(sequence, newest);
        if (behind < 0) {
            return NOT_SENT;
        }
        if (behind >= packets.length) {
            return TOO_OLD;
        }
        int slot = sequence & mask;
        if (sequenceNumbers[slot] != sequence) {
            // Within the ring's span but not there: the stream skipped it.
            return NOT_SENT;
        }
        if (nowNanos - sentNanos[slot] > maxAgeNanos) {
            return TOO_OLD;
        }
        long resent = resentNanos[slot];
        if (resent != NEVER && nowNanos - resent < rttNanos / 4 * RESEND_GUARD_NUMERATOR) {
            return WITHIN_RTT;
        }
        resentNanos[slot] = nowNanos;
        if (resends[slot] < Byte.MAX_VALUE) {
            resends[slot]++;
        }
        return slot;
    }

    /** The slot holding {@code sequenceNumber}, or {@link #NOT_SENT}; unlike {@link #request}, changes nothing. */
    public int slotOf(int sequenceNumber) {
        int sequence = sequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK;
        int slot = sequence & mask;
        return packets[slot] != null && sequenceNumbers[slot] == sequence ? slot : NOT_SENT;
    }

    /** How many times the packet in {@code slot} was retransmitted, the request just granted included. */
    public int timesResent(int slot) {
        return resends[slot];
    }

    /** The packet in {@code slot} (from {@link #request}); lent, not given. */
    public ByteBuf packet(int slot) {
        return packets[slot];
    }

    /** The newest sequence number stored, or -1 when empty. */
    public int newestSequenceNumber() {
        return newest;
    }

    public long packetsStored() {
        return stored;
    }

    /** Packets released to make room for newer ones. */
    public long packetsEvicted() {
        return evicted;
    }

    /** Releases every packet held; idempotent. */
    @Override
    public void close() {
        for (int i = 0; i < packets.length; i++) {
            if (packets[i] != null) {
                packets[i].release();
                packets[i] = null;
                sequenceNumbers[i] = EMPTY;
            }
        }
        newest = EMPTY;
    }
}
