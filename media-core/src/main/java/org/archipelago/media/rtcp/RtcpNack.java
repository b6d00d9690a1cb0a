package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtp.RtpSequence;

/**
 * A reusable view over a generic NACK (RTPFB, PT 205, FMT 1): the receiver lists lost RTP sequence
 * numbers as (PID, BLP) pairs, read back without allocating through {@link #nextLostSequenceNumber()}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=1  |   PT=205      |          length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            PID                |             BLP               |  one or more
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * PID is a lost sequence number; bit i of BLP (least significant first) reports PID + i + 1 lost.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1">RFC 4585 §6.2.1</a>
 */
public final class RtcpNack {
    public static final int FORMAT = 1;
    /** Returned by {@link #nextLostSequenceNumber()} when every lost sequence number was read. */
    public static final int NO_MORE = -1;

    static final int PAIR_LENGTH = 4;
    static final int BLP_OFFSET = 2;
    static final int BLP_BITS = 16;

    private ByteBuf buffer;
    private int offset;
    private boolean valid;
    private int pairCount;
    private int pairIndex;
    private int nextBit;

    /** Points this view at the packet at {@code offset} and checks it holds at least one pair. */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.TRANSPORT_FEEDBACK, FORMAT);
        pairCount = content < RtcpFeedback.FCI_OFFSET ? 0 : (content - RtcpFeedback.FCI_OFFSET) / PAIR_LENGTH;
        valid = pairCount > 0;
        rewind();
        return valid;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return RtcpFeedback.senderSsrc(buffer, offset);
    }

    public long mediaSsrc() {
        return RtcpFeedback.mediaSsrc(buffer, offset);
    }

    public int pairCount() {
        return pairCount;
    }

    public int packetId(int pairIndex) {
        return buffer.getUnsignedShort(offset + RtcpFeedback.FCI_OFFSET + PAIR_LENGTH * pairIndex);
    }

    public int bitmaskOfLostPackets(int pairIndex) {
        return buffer.getUnsignedShort(offset + RtcpFeedback.FCI_OFFSET + PAIR_LENGTH * pairIndex + BLP_OFFSET);
    }

    /** Moves the lost-sequence cursor back to the first pair. */
    public void rewind() {
        pairIndex = 0;
        nextBit = -1;
    }

    /**
     * The next lost sequence number in the order the pairs list them, or {@link #NO_MORE}.
     * Sequence numbers reported twice by overlapping pairs are returned twice.
     */
    public int nextLostSequenceNumber() {
        while (pairIndex < pairCount) {
            int packetId = packetId(pairIndex);
            if (nextBit < 0) {
                nextBit = 0;
                return packetId;
            }
            int bitmask = bitmaskOfLostPackets(pairIndex);
            while (nextBit < BLP_BITS) {
                int bit = nextBit++;
                if ((bitmask & (1 << bit)) != 0) {
                    return RtpSequence.add(packetId, bit + 1);
                }
            }
            pairIndex++;
            nextBit = -1;
        }
        return NO_MORE;
    }

    /**
     * Moves the cursor past every lost sequence number left and returns how many there were, as
     * many as {@link #nextLostSequenceNumber()} would still have returned, in time linear in the
     * pairs rather than the sequence numbers (a storm is counted, not walked).
     */
    public long skipRemaining() {
        long remaining = 0;
        if (pairIndex < pairCount) {
            int bitmask = bitmaskOfLostPackets(pairIndex);
            remaining += nextBit < 0 ? 1 + Integer.bitCount(bitmask) : Integer.bitCount(bitmask >>> nextBit);
            for (int i = pairIndex + 1; i < pairCount; i++) {
                remaining += 1 + Integer.bitCount(bitmaskOfLostPackets(i));
            }
        }
        pairIndex = pairCount;
        nextBit = -1;
        return remaining;
    }

    /**
     * Appends a NACK listing the first {@code count} entries of {@code lostSequenceNumbers}, which
     * must ascend in RTP order (wrap-around allowed); duplicates are dropped. Each pair covers its
     * PID and the 16 sequence numbers after it.
     *
     * @return false, writing nothing, when {@code count} is 0 or the list does not ascend
     */
    public static boolean write(ByteBuf out, long senderSsrc, long mediaSsrc,
                                int[] lostSequenceNumbers, int count) {
        if (count <= 0 || count > lostSequenceNumbers.length) {
            return false;
        }
        int start = RtcpFeedback.start(out, FORMAT, RtcpHeader.TRANSPORT_FEEDBACK, senderSsrc, mediaSsrc);
        int packetId = lostSequenceNumbers[0] & RtpSequence.SEQUENCE_NUMBER_MASK;
        int bitmask = 0;
        for (int i = 1; i < count; i++) {
            int previous = lostSequenceNumbers[i - 1];
            int sequenceNumber = lostSequenceNumbers[i] & RtpSequence.SEQUENCE_NUMBER_MASK;
            if (RtpSequence.distance(previous, sequenceNumber) < 0) {
                out.writerIndex(start);
                return false;
            }
            int distance = RtpSequence.distance(packetId, sequenceNumber);
            if (distance == 0) {
                continue;
            }
            if (distance <= BLP_BITS) {
                bitmask |= 1 << (distance - 1);
            } else {
                out.writeShort(packetId);
                out.writeShort(bitmask);
                packetId = sequenceNumber;
                bitmask = 0;
            }
        }
        out.writeShort(packetId);
        out.writeShort(bitmask);
        RtcpHeader.finish(out, start);
        return true;
    }
}
