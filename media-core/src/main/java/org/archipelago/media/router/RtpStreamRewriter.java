package org.archipelago.media.router;

import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtp.RtpSequence;

import java.util.Arrays;

/**
 * Maps the packets of whichever source currently feeds one downstream track into that
 * downstream's own continuous RTP stream: its SSRC, its sequence-number space and its timestamp
 * space (and, if configured, its payload type numbers, and whether RED reaches it as RED or as its
 * primary block). The subscriber's receiver sees one stream for the downstream's whole life, even
 * when the source behind it changes (stage on/off, publisher reconnect, later simulcast layer
 * switches).
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Within one source, output = input + offset (mod 2<sup>16</sup> for sequence numbers,
 *       mod 2<sup>32</sup> for timestamps). A gap in the source (loss) is therefore the same gap in
 *       the output, and a reordered or duplicated packet maps to the same output number as it
 *       would have in order.</li>
 *   <li>A packet more than {@code reorderWindow} behind the newest one of the source, or older than
 *       the first packet of the current source (which would collide with numbers already used for
 *       the previous source), is refused as too old: {@link #accept} returns false.</li>
 *   <li>{@link #switchSource()} marks a source change; the router calls it when the downstream
 *       starts forwarding a new source, always at a keyframe. The next accepted packet gets the
 *       highest output sequence number so far + 1 and the highest output timestamp so far plus the
 *       wall time elapsed since that timestamp was sent, in clock-rate ticks (at least one tick).
 *       So the receiver's jitter buffer sees neither a sequence gap nor a timestamp jump that
 *       disagrees with arrival times.</li>
 *   <li>The very first packet maps to the initial sequence number and timestamp given to the
 *       constructor (random ones, as RFC 3550 §5.1 recommends, are the caller's choice).</li>
 * </ul>
 *
 * <p>Use: {@link #accept(RtpPacket, long)} on the source packet (decides and advances the state),
 * then {@link #write(RtpPacket)} on the egress copy; {@link #rewrite(RtpPacket, long)} does both on
 * one packet. All state is primitives: nothing is allocated per packet. Not thread-safe: owned by
 * the router's event loop.
 *
 * <p>Open for later work: retransmissions (RTX) will map their original sequence number with
 * {@link #accept(int, long, int, long)} like any late packet; a simulcast layer switch is a
 * {@link #switchSource()} at the new layer's keyframe.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3550#section-5.1">RFC 3550 §5.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7667#section-3.7">RFC 7667 §3.7 (switching
 *      middlebox)</a>
 */
public final class RtpStreamRewriter {
    /**
     * Default number of sequence numbers a packet may lag behind the newest one and still be
     * forwarded: about 1.2 s of an 8 Mbit/s video stream of 1200-byte packets.
     */
    public static final int DEFAULT_REORDER_WINDOW = 1024;
    /** The largest window: beyond half the sequence space "behind" and "ahead" are ambiguous. */
    public static final int MAX_REORDER_WINDOW = (1 << 15) - 1;
    /** What {@link #redPrimaryPayloadType(int)} returns for a payload type forwarded as it is. */
    public static final int NOT_UNWRAPPED = -1;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int PAYLOAD_TYPES = 128;
    private static final int KEEP_PAYLOAD_TYPE = -1;

    private final long ssrc;
    private final int clockRate;
    private final int reorderWindow;
    private final int initialSequenceNumber;
    private final long initialTimestamp;
    private final byte[] payloadTypeMap = new byte[PAYLOAD_TYPES];
    /** Per source payload type: the RED primary's source payload type to unwrap to, or {@link #NOT_UNWRAPPED}. */
    private final byte[] redPrimaryPayloadType = new byte[PAYLOAD_TYPES];

    // The output stream.
    private boolean started;
    private int highestOutputSequenceNumber;
    private long highestOutputTimestamp;
    private long highestOutputTimestampNanos;

    // The mapping of the current source; valid while mapped.
    private boolean mapped;
    private int sequenceNumberOffset;
    private long timestampOffset;
    private int highestInputSequenceNumber;
    /** How far behind the newest input a packet may be: min(reorderWindow, newest - first of this source). */
    private int acceptedLag;

    // The result of the last accept, applied by write.
    private int outputSequenceNumber;
    private long outputTimestamp;
    private int outputPayloadType;

    private long accepted;
    private long tooOld;
    private long sourceSwitches;

    /** A rewriter with the {@link #DEFAULT_REORDER_WINDOW}. */
    public RtpStreamRewriter(long ssrc, int clockRate, int initialSequenceNumber, long initialTimestamp) {
        this(ssrc, clockRate, initialSequenceNumber, initialTimestamp, DEFAULT_REORDER_WINDOW);
    }

    /**
     * @param ssrc                  the downstream's SSRC, written into every packet
     * @param clockRate             RTP clock rate in Hz (90000 for video, 48000 for Opus)
     * @param initialSequenceNumber output sequence number of the first packet (taken mod 2^16)
     * @param initialTimestamp      output timestamp of the first packet (taken mod 2^32)
     * @param reorderWindow         how many sequence numbers a packet may lag and still be forwarded
     */
    public RtpStreamRewriter(long ssrc, int clockRate, int initialSequenceNumber, long initialTimestamp,
                             int reorderWindow) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clockRate must be positive: " + clockRate);
        }
        if (reorderWindow < 0 || reorderWindow > MAX_REORDER_WINDOW) {
            throw new IllegalArgumentException(
                    "reorderWindow must be in [0, " + MAX_REORDER_WINDOW + "]: " + reorderWindow);
        }
        this.ssrc = ssrc & RtpSequence.TIMESTAMP_MASK;
        this.clockRate = clockRate;
        this.reorderWindow = reorderWindow;
        this.initialSequenceNumber = initialSequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK;
        this.initialTimestamp = initialTimestamp & RtpSequence.TIMESTAMP_MASK;
        Arrays.fill(payloadTypeMap, (byte) KEEP_PAYLOAD_TYPE);
        Arrays.fill(redPrimaryPayloadType, (byte) NOT_UNWRAPPED);
    }

    /**
     * Writes {@code downstreamPayloadType} instead of {@code sourcePayloadType} from now on, for a
     * subscriber that negotiated another number for the same codec. Control path; both in [0, 127].
     */
    public void mapPayloadType(int sourcePayloadType, int downstreamPayloadType) {
        if (sourcePayloadType < 0 || sourcePayloadType >= PAYLOAD_TYPES
                || downstreamPayloadType < 0 || downstreamPayloadType >= PAYLOAD_TYPES) {
            throw new IllegalArgumentException(
                    "payload types must be in [0, 127]: " + sourcePayloadType + " -> " + downstreamPayloadType);
        }
        payloadTypeMap[sourcePayloadType] = (byte) downstreamPayloadType;
    }

    /**
     * The subscriber did not negotiate RED (RFC 2198): packets of {@code sourceRedPayloadType}
     * reach it as their primary block only, numbered as the primary's payload type maps. The
     * router does the unwrapping ({@code RedPayload.writePrimaryPacket}); a RED packet without
     * payload (padding only) goes out as {@code sourcePrimaryPayloadType}, the first block its
     * fmtp names. Control path; both in [0, 127].
     */
    public void unwrapRed(int sourceRedPayloadType, int sourcePrimaryPayloadType) {
        if (sourceRedPayloadType < 0 || sourceRedPayloadType >= PAYLOAD_TYPES
                || sourcePrimaryPayloadType < 0 || sourcePrimaryPayloadType >= PAYLOAD_TYPES) {
            throw new IllegalArgumentException("payload types must be in [0, 127]: RED " + sourceRedPayloadType
                    + " of " + sourcePrimaryPayloadType);
        }
        redPrimaryPayloadType[sourceRedPayloadType] = (byte) sourcePrimaryPayloadType;
    }

    /**
     * For a payload type to unwrap ({@link #unwrapRed}), the source payload type of its primary
     * block as announced; {@link #NOT_UNWRAPPED} for one forwarded as it is.
     */
    public int redPrimaryPayloadType(int sourcePayloadType) {
        return redPrimaryPayloadType[sourcePayloadType & 0x7F];
    }

    /** Forgets all payload type mappings and RED unwrapping (e.g. before mapping a new source's numbers). */
    public void clearPayloadTypeMap() {
        Arrays.fill(payloadTypeMap, (byte) KEEP_PAYLOAD_TYPE);
        Arrays.fill(redPrimaryPayloadType, (byte) NOT_UNWRAPPED);
    }

    /**
     * The next accepted packet starts a new source: it continues the output right after the last
     * packet sent. Call it only when that packet will be a keyframe (the router's job).
     */
    public void switchSource() {
        if (mapped) {
            sourceSwitches++;
        }
        mapped = false;
    }

    /** Accepts and rewrites {@code packet} in place; see {@link #accept} and {@link #write}. */
    public boolean rewrite(RtpPacket packet, long nowNanos) {
        if (!accept(packet, nowNanos)) {
            return false;
        }
        write(packet);
        return true;
    }

    /** {@link #accept(int, long, int, long)} with the fields of {@code packet}, which must be valid. */
    public boolean accept(RtpPacket packet, long nowNanos) {
        return accept(packet.sequenceNumber(), packet.timestamp(), packet.payloadType(), nowNanos);
    }

    /**
     * Decides where a source packet goes in the output and advances the state.
     *
     * @return true when the packet is to be forwarded with {@link #outputSequenceNumber()} and
     *         {@link #outputTimestamp()} (apply them with {@link #write}); false when it is too old
     */
    public boolean accept(int sequenceNumber, long timestamp, int payloadType, long nowNanos) {
        int sequence = sequenceNumber & RtpSequence.SEQUENCE_NUMBER_MASK;
        long time = timestamp & RtpSequence.TIMESTAMP_MASK;
        if (!mapped) {
            startMapping(sequence, time, nowNanos);
        } else {
            int ahead = RtpSequence.distance(highestInputSequenceNumber, sequence);
            if (ahead > 0) {
                highestInputSequenceNumber = sequence;
                acceptedLag = Math.min(reorderWindow, acceptedLag + ahead);
            } else if (-ahead > acceptedLag) {
                tooOld++;
                return false;
            }
        }
        outputSequenceNumber = RtpSequence.add(sequence, sequenceNumberOffset);
        outputTimestamp = RtpSequence.addToTimestamp(time, timestampOffset);
        int mappedType = payloadTypeMap[payloadType & 0x7F];
        outputPayloadType = mappedType == KEEP_PAYLOAD_TYPE ? payloadType & 0x7F : mappedType;
        highestOutputSequenceNumber = RtpSequence.add(highestInputSequenceNumber, sequenceNumberOffset);
        if (RtpSequence.isTimestampNewer(outputTimestamp, highestOutputTimestamp)) {
            highestOutputTimestamp = outputTimestamp;
            highestOutputTimestampNanos = nowNanos;
        }
        accepted++;
        return true;
    }

    /** Writes the SSRC and the last accepted packet's sequence number, timestamp and payload type. */
    public void write(RtpPacket egress) {
        egress.ssrc(ssrc).sequenceNumber(outputSequenceNumber).timestamp(outputTimestamp);
        if (egress.payloadType() != outputPayloadType) {
            egress.payloadType(outputPayloadType);
        }
    }

    private void startMapping(int sequence, long time, long nowNanos) {
        int firstSequence;
        long firstTimestamp;
        if (!started) {
            firstSequence = initialSequenceNumber;
            firstTimestamp = initialTimestamp;
            started = true;
        } else {
            firstSequence = RtpSequence.add(highestOutputSequenceNumber, 1);
            long ticks = Math.max(1, ticks(nowNanos - highestOutputTimestampNanos));
            firstTimestamp = RtpSequence.addToTimestamp(highestOutputTimestamp, ticks);
        }
        sequenceNumberOffset = (firstSequence - sequence) & RtpSequence.SEQUENCE_NUMBER_MASK;
        timestampOffset = (firstTimestamp - time) & RtpSequence.TIMESTAMP_MASK;
        highestInputSequenceNumber = sequence;
        acceptedLag = 0;
        // The new source's first timestamp is the newest output timestamp by construction.
        highestOutputTimestamp = firstTimestamp;
        highestOutputTimestampNanos = nowNanos;
        mapped = true;
    }

    /** Elapsed wall time in clock-rate ticks, without overflow for any realistic pause. */
    private long ticks(long elapsedNanos) {
        if (elapsedNanos <= 0) {
            return 0;
        }
        return (elapsedNanos / NANOS_PER_SECOND) * clockRate
                + (elapsedNanos % NANOS_PER_SECOND) * clockRate / NANOS_PER_SECOND;
    }

    public long ssrc() {
        return ssrc;
    }

    public int clockRate() {
        return clockRate;
    }

    /** Output sequence number of the last accepted packet. */
    public int outputSequenceNumber() {
        return outputSequenceNumber;
    }

    /** Output timestamp of the last accepted packet. */
    public long outputTimestamp() {
        return outputTimestamp;
    }

    /** Output payload type of the last accepted packet. */
    public int outputPayloadType() {
        return outputPayloadType;
    }

    /** Highest output sequence number so far; meaningless before the first accepted packet. */
    public int highestOutputSequenceNumber() {
        return highestOutputSequenceNumber;
    }

    /** Highest output timestamp so far; meaningless before the first accepted packet. */
    public long highestOutputTimestamp() {
        return highestOutputTimestamp;
    }

    /** True once a packet has been accepted. */
    public boolean isStarted() {
        return started;
    }

    /** Packets accepted. */
    public long acceptedPackets() {
        return accepted;
    }

    /** Packets refused as too old (behind the reorder window or before the current source's first). */
    public long tooOldPackets() {
        return tooOld;
    }

    /** Source changes after the first one. */
    public long sourceSwitches() {
        return sourceSwitches;
    }
}
