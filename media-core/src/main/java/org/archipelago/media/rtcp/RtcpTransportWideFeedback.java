package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtp.RtpSequence;

/**
 * A reusable view over a transport-wide congestion control feedback message (RTPFB, PT 205,
 * FMT 15): for each transport-wide sequence number from the base on, whether it arrived and how
 * long after the previous arrival. Read it without allocating with {@link #next()}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=15 |    PT=205     |           length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     SSRC of packet sender                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      SSRC of media source                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      base sequence number     |      packet status count      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 reference time                | fb pkt. count |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          packet chunk         |         packet chunk          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         packet chunk          |  recv delta   |  recv delta   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * </pre>
 *
 * Packet chunks (16 bits each) give one status symbol per sequence number: 0 not received,
 * 1 received with a 1-byte unsigned delta, 2 received with a 2-byte signed delta, 3 reserved.
 * <pre>
 * run length:      |0| S (2) |      run length (13)      |   S repeated run-length times
 * status vector:   |1|0| 14 one-bit symbols (0 or 1)    |
 *                  |1|1| 7 two-bit symbols               |
 * </pre>
 * Receive deltas follow the chunks, one per received packet, in 250 µs ticks; the first is
 * relative to the reference time (a signed 24-bit count of 64 ms), each next one to the previous
 * arrival. Symbols past the status count in the last chunk are ignored.
 *
 * @see <a href="https://datatracker.ietf.org/doc/html/draft-holmer-rmcat-transport-wide-cc-extensions-01#section-3.1">draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1</a>
 */
public final class RtcpTransportWideFeedback {
    public static final int FORMAT = 15;
    public static final int NOT_RECEIVED = 0;
    public static final int RECEIVED_SMALL_DELTA = 1;
    public static final int RECEIVED_LARGE_DELTA = 2;
    public static final int RESERVED_SYMBOL = 3;
    public static final long MICROS_PER_DELTA_TICK = 250;
    public static final long MICROS_PER_REFERENCE_TICK = 64_000;
    /** Delta ticks per reference-time tick: 64 ms / 250 µs. */
    static final long DELTA_TICKS_PER_REFERENCE_TICK = MICROS_PER_REFERENCE_TICK / MICROS_PER_DELTA_TICK;

    static final int BASE_SEQUENCE_OFFSET = 12;
    static final int STATUS_COUNT_OFFSET = 14;
    static final int REFERENCE_TIME_OFFSET = 16;
    static final int FEEDBACK_COUNT_OFFSET = 19;
    static final int CHUNKS_OFFSET = 20;
    static final int CHUNK_LENGTH = 2;

    static final int STATUS_VECTOR_BIT = 0x8000;
    static final int TWO_BIT_SYMBOLS_BIT = 0x4000;
    static final int RUN_SYMBOL_SHIFT = 13;
    static final int RUN_LENGTH_MASK = 0x1FFF;
    static final int MAX_RUN_LENGTH = RUN_LENGTH_MASK;
    static final int ONE_BIT_SYMBOLS_PER_CHUNK = 14;
    static final int TWO_BIT_SYMBOLS_PER_CHUNK = 7;
    static final int SYMBOL_MASK = 0x3;
    static final int REFERENCE_TIME_MASK = 0xFF_FFFF;
    static final int FEEDBACK_COUNT_MASK = 0xFF;

    private ByteBuf buffer;
    private int offset;
    private boolean valid;
    private int statusCount;
    private int deltasOffset;
    // Cursor state.
    private int statusIndex;
    private int chunkPosition;
    private int symbolInChunk;
    private int deltaPosition;
    private int symbol;
    private int deltaTicks;
    private long arrivalTicks;

    /**
     * Points this view at the packet at {@code offset} and walks its chunks once: every status
     * must be covered by a chunk, no status may be the reserved symbol, and the receive deltas
     * the statuses call for must fit the packet.
     */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.valid = false;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.TRANSPORT_FEEDBACK, FORMAT);
        if (content < CHUNKS_OFFSET) {
            return false;
        }
        int end = offset + content;
        statusCount = buffer.getUnsignedShort(offset + STATUS_COUNT_OFFSET);
        int remaining = statusCount;
        int position = offset + CHUNKS_OFFSET;
        int deltaBytes = 0;
        while (remaining > 0) {
            if (position + CHUNK_LENGTH > end) {
                return false;
            }
            int chunk = buffer.getUnsignedShort(position);
            position += CHUNK_LENGTH;
            int symbols = Math.min(remaining, symbolsIn(chunk));
            for (int i = 0; i < symbols; i++) {
                int status = symbolAt(chunk, i);
                if (status == RESERVED_SYMBOL) {
                    return false;
                }
                deltaBytes += status;
            }
            remaining -= symbols;
        }
        if (position + deltaBytes > end) {
            return false;
        }
        deltasOffset = position;
        valid = true;
        rewind();
        return true;
    }

    /** Symbols a chunk carries; for a run this is its length (possibly 0). */
    private static int symbolsIn(int chunk) {
        if ((chunk & STATUS_VECTOR_BIT) == 0) {
            return chunk & RUN_LENGTH_MASK;
        }
        return (chunk & TWO_BIT_SYMBOLS_BIT) == 0 ? ONE_BIT_SYMBOLS_PER_CHUNK : TWO_BIT_SYMBOLS_PER_CHUNK;
    }

    /** Status symbol {@code index} of a chunk; a symbol's value is also its delta's size in bytes. */
    private static int symbolAt(int chunk, int index) {
        if ((chunk & STATUS_VECTOR_BIT) == 0) {
            return (chunk >>> RUN_SYMBOL_SHIFT) & SYMBOL_MASK;
        }
        if ((chunk & TWO_BIT_SYMBOLS_BIT) == 0) {
            return (chunk >>> (ONE_BIT_SYMBOLS_PER_CHUNK - 1 - index)) & 1;
        }
        return (chunk >>> (2 * (TWO_BIT_SYMBOLS_PER_CHUNK - 1 - index))) & SYMBOL_MASK;
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

    /** Transport-wide sequence number of the first status. */
    public int baseSequenceNumber() {
        return buffer.getUnsignedShort(offset + BASE_SEQUENCE_OFFSET);
    }

    public int packetStatusCount() {
        return statusCount;
    }

    /** Reference time in multiples of 64 ms: a signed 24-bit value in the receiver's time base. */
    public int referenceTime() {
        return buffer.getMedium(offset + REFERENCE_TIME_OFFSET);
    }

    /** Counts feedback packets sent (mod 256), so the media sender can detect lost feedback. */
    public int feedbackPacketCount() {
        return buffer.getUnsignedByte(offset + FEEDBACK_COUNT_OFFSET);
    }

    /** Moves the cursor back before the first status. */
    public void rewind() {
        statusIndex = -1;
        chunkPosition = offset + CHUNKS_OFFSET;
        symbolInChunk = 0;
        deltaPosition = deltasOffset;
        symbol = NOT_RECEIVED;
        deltaTicks = 0;
        arrivalTicks = referenceTime() * DELTA_TICKS_PER_REFERENCE_TICK;
    }

    /** Advances to the next status; false after the last one. */
    public boolean next() {
        if (!valid || statusIndex + 1 >= statusCount) {
            return false;
        }
        statusIndex++;
        int chunk = buffer.getUnsignedShort(chunkPosition);
        // Runs of length 0 are legal but carry nothing: skip past them and past exhausted chunks.
        while (symbolInChunk >= symbolsIn(chunk)) {
            chunkPosition += CHUNK_LENGTH;
            symbolInChunk = 0;
            chunk = buffer.getUnsignedShort(chunkPosition);
        }
        symbol = symbolAt(chunk, symbolInChunk++);
        if (symbol == RECEIVED_SMALL_DELTA) {
            deltaTicks = buffer.getUnsignedByte(deltaPosition);
            deltaPosition += 1;
        } else if (symbol == RECEIVED_LARGE_DELTA) {
            deltaTicks = buffer.getShort(deltaPosition);
            deltaPosition += 2;
        } else {
            deltaTicks = 0;
        }
        arrivalTicks += deltaTicks;
        return true;
    }

    /** Transport-wide sequence number of the current status. */
    public int sequenceNumber() {
        return RtpSequence.add(baseSequenceNumber(), statusIndex);
    }

    /** The current status symbol: {@link #NOT_RECEIVED}, {@link #RECEIVED_SMALL_DELTA} or {@link #RECEIVED_LARGE_DELTA}. */
    public int status() {
        return symbol;
    }

    public boolean isReceived() {
        return symbol != NOT_RECEIVED;
    }

    /** Receive delta of the current status in 250 µs ticks; 0 when not received. */
    public int deltaTicks() {
        return deltaTicks;
    }

    /**
     * Arrival time of the current (received) packet in µs in the receiver's time base:
     * reference time plus the deltas so far. Unchanged by a status that was not received.
     */
    public long arrivalTimeMicros() {
        return arrivalTicks * MICROS_PER_DELTA_TICK;
    }

    /**
     * Appends a feedback message for {@code count} received packets, given as transport-wide
     * sequence numbers ascending in RTP order (gaps are reported as not received) and their
     * arrival times in µs in any monotonic time base. The reference time is the first arrival
     * rounded down to 64 ms; arrivals are rounded down to 250 µs ticks.
     *
     * @return false, writing nothing, when {@code count} is 0, the sequence numbers do not ascend,
     *     or two consecutive arrivals are further apart than a 16-bit delta holds (about ±8.2 s):
     *     the caller then sends the records in two messages
     */
    public static boolean write(ByteBuf out, long senderSsrc, long mediaSsrc, int feedbackPacketCount,
                                int[] sequenceNumbers, long[] arrivalTimesMicros, int count) {
        if (count <= 0 || count > sequenceNumbers.length || count > arrivalTimesMicros.length) {
            return false;
        }
        for (int i = 1; i < count; i++) {
            if (RtpSequence.distance(sequenceNumbers[i - 1], sequenceNumbers[i]) <= 0) {
                return false;
            }
        }
        int baseSequence = sequenceNumbers[0] & RtpSequence.SEQUENCE_NUMBER_MASK;
        long referenceTime = Math.floorDiv(arrivalTimesMicros[0], MICROS_PER_REFERENCE_TICK);
        int start = RtcpFeedback.start(out, FORMAT, RtcpHeader.TRANSPORT_FEEDBACK, senderSsrc, mediaSsrc);
        out.writeShort(baseSequence);
        out.writeShort(RtpSequence.distance(baseSequence, sequenceNumbers[count - 1]) + 1);
        out.writeMedium((int) (referenceTime & REFERENCE_TIME_MASK));
        out.writeByte(feedbackPacketCount & FEEDBACK_COUNT_MASK);

        StatusChunkEncoder chunks = new StatusChunkEncoder(out);
        long previousTicks = referenceTime * DELTA_TICKS_PER_REFERENCE_TICK;
        int nextStatus = 0;
        for (int i = 0; i < count; i++) {
            int status = RtpSequence.distance(baseSequence, sequenceNumbers[i]);
            for (; nextStatus < status; nextStatus++) {
                chunks.add(NOT_RECEIVED);
            }
            long ticks = Math.floorDiv(arrivalTimesMicros[i], MICROS_PER_DELTA_TICK);
            long delta = ticks - previousTicks;
            previousTicks = ticks;
            if (delta >= 0 && delta <= 0xFF) {
                chunks.add(RECEIVED_SMALL_DELTA);
            } else if (delta >= Short.MIN_VALUE && delta <= Short.MAX_VALUE) {
                chunks.add(RECEIVED_LARGE_DELTA);
            } else {
                out.writerIndex(start);
                return false;
            }
            nextStatus++;
        }
        chunks.flush();

        previousTicks = referenceTime * DELTA_TICKS_PER_REFERENCE_TICK;
        for (int i = 0; i < count; i++) {
            long ticks = Math.floorDiv(arrivalTimesMicros[i], MICROS_PER_DELTA_TICK);
            long delta = ticks - previousTicks;
            previousTicks = ticks;
            if (delta >= 0 && delta <= 0xFF) {
                out.writeByte((int) delta);
            } else {
                out.writeShort((int) delta);
            }
        }
        RtcpHeader.finish(out, start);
        return true;
    }

    /**
     * Packs status symbols into chunks as they come: a run-length chunk for a run of one symbol
     * longer than a vector holds, otherwise a one-bit vector of 14 when every symbol is 0 or 1,
     * otherwise a two-bit vector of 7. Pending symbols (at most 14 unless all equal) are kept
     * two bits each in an int. One per message written, not per packet.
     */
    private static final class StatusChunkEncoder {
        private final ByteBuf out;
        private int pendingCount;
        private int pendingSymbols;
        private boolean allSame = true;
        private int maxSymbol;

        StatusChunkEncoder(ByteBuf out) {
            this.out = out;
        }

        void add(int symbol) {
            if (!canAdd(symbol)) {
                emitOne(false);
            }
            if (pendingCount == 0) {
                allSame = true;
                maxSymbol = symbol;
            } else {
                allSame &= symbol == pending(0);
                maxSymbol = Math.max(maxSymbol, symbol);
            }
            if (pendingCount < ONE_BIT_SYMBOLS_PER_CHUNK) {
                pendingSymbols |= symbol << (2 * pendingCount);
            }
            pendingCount++;
        }

        private boolean canAdd(int symbol) {
            if (pendingCount < TWO_BIT_SYMBOLS_PER_CHUNK) {
                return true;
            }
            if (allSame && symbol == pending(0)) {
                return pendingCount < MAX_RUN_LENGTH;
            }
            return pendingCount < ONE_BIT_SYMBOLS_PER_CHUNK && maxSymbol <= 1 && symbol <= 1;
        }

        private int pending(int index) {
            if (allSame) {
                return pendingSymbols & SYMBOL_MASK;
            }
            return (pendingSymbols >>> (2 * index)) & SYMBOL_MASK;
        }

        void flush() {
            while (pendingCount > 0) {
                emitOne(true);
            }
        }

        /**
         * Emits one chunk from the front of the pending symbols. A vector always stands for all of
         * its 14 or 7 symbols, so before the last chunk only full vectors may be emitted; the last
         * one may be short, since symbols past the status count are ignored.
         */
        private void emitOne(boolean last) {
            if (allSame && (last || pendingCount >= TWO_BIT_SYMBOLS_PER_CHUNK)) {
                out.writeShort(pending(0) << RUN_SYMBOL_SHIFT | pendingCount);
                pendingCount = 0;
                pendingSymbols = 0;
            } else if (maxSymbol <= 1 && (last ? pendingCount <= ONE_BIT_SYMBOLS_PER_CHUNK
                    : pendingCount == ONE_BIT_SYMBOLS_PER_CHUNK)) {
                int chunk = STATUS_VECTOR_BIT;
                for (int i = 0; i < pendingCount; i++) {
                    chunk |= pending(i) << (ONE_BIT_SYMBOLS_PER_CHUNK - 1 - i);
                }
                out.writeShort(chunk);
                pendingCount = 0;
                pendingSymbols = 0;
            } else {
                // Mid-stream, at least 7 symbols are pending here (canAdd accepts below 7).
                int emitted = Math.min(pendingCount, TWO_BIT_SYMBOLS_PER_CHUNK);
                int chunk = STATUS_VECTOR_BIT | TWO_BIT_SYMBOLS_BIT;
                for (int i = 0; i < emitted; i++) {
                    chunk |= pending(i) << (2 * (TWO_BIT_SYMBOLS_PER_CHUNK - 1 - i));
                }
                out.writeShort(chunk);
                keepAfter(emitted);
            }
        }

        /** Drops the first {@code emitted} pending symbols and recomputes the summary of the rest. */
        private void keepAfter(int emitted) {
            int remaining = pendingCount - emitted;
            int kept = 0;
            for (int i = 0; i < remaining; i++) {
                kept |= pending(emitted + i) << (2 * i);
            }
            pendingSymbols = kept;
            pendingCount = remaining;
            allSame = true;
            maxSymbol = 0;
            for (int i = 0; i < remaining; i++) {
                int symbol = (kept >>> (2 * i)) & SYMBOL_MASK;
                allSame &= symbol == (kept & SYMBOL_MASK);
                maxSymbol = Math.max(maxSymbol, symbol);
            }
        }
    }
}
