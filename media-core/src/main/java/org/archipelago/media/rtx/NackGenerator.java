package org.archipelago.media.rtx;

import org.archipelago.media.rtp.RtpSequence;
import org.archipelago.media.rtp.RtpSequenceUnwrapper;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Loss detection and NACK timing for one incoming RTP stream (one media SSRC): which sequence
 * numbers are missing, and when each should be asked for again with a generic NACK (RFC 4585
 * §6.2.1).
 *
 * <p>The timing of one missing packet:
 * <ol>
 *   <li>A gap is seen when a packet arrives more than one ahead of the highest so far. Its packets
 *       are not asked for at once: reordering is common on the island links. A missing packet is
 *       first NACKed once it is {@code reorderDelayNanos} old, or once a packet {@code reorderPackets}
 *       or more sequence numbers ahead of it has arrived (libwebrtc's rule too), whichever comes
 *       first.</li>
 *   <li>Still missing one round trip after the last NACK: NACKed again (RFC 4585 §3.2 leaves the
 *       repetition to the receiver; one RTT is the soonest the retransmission could have come).</li>
 *   <li>Given up after {@code maxNacks} NACKs (and one more RTT to answer the last), when older
 *       than {@code maxAgeNanos} (too late to help a decoder), or when it falls out of the window
 *       of {@link #WINDOW} sequence numbers.</li>
 * </ol>
 * A packet that arrives late, by itself or restored from RTX ({@link #onRetransmission}), stops
 * being asked for. A jump of a whole window or more forgets everything (a restarted sender, or
 * more loss than NACK can repair: a key frame is the cure) instead of asking for hundreds of packets.
 *
 * <p>Bounded: one ring of {@link #WINDOW} slots of primitive arrays, allocated at construction;
 * nothing is allocated per packet. Time is passed in. Owned by the peer's event loop.
 */
public final class NackGenerator {
    /** Sequence numbers tracked behind the highest one (a power of two: slots are indexed by mask). */
    public static final int WINDOW = 512;
    public static final long DEFAULT_REORDER_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(15);
    public static final int DEFAULT_REORDER_PACKETS = 3;
    public static final int DEFAULT_MAX_NACKS = 10;
    public static final long DEFAULT_MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The round trip assumed until the leg has measured one. */
    public static final long DEFAULT_RTT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The shortest interval between two NACKs of one packet, however short the measured RTT. */
    public static final long MIN_RESEND_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final int MASK = WINDOW - 1;
    private static final byte EMPTY = 0;
    private static final byte RECEIVED = 1;
    private static final byte MISSING = 2;

    private final long ssrc;
    private final long reorderDelayNanos;
    private final int reorderPackets;
    private final int maxNacks;
    private final long maxAgeNanos;

    private final RtpSequenceUnwrapper unwrapper = new RtpSequenceUnwrapper();
    private final byte[] state = new byte[WINDOW];
    private final long[] sequence = new long[WINDOW];
    private final long[] missingSinceNanos = new long[WINDOW];
    private final long[] lastNackNanos = new long[WINDOW];
    private final byte[] nacks = new byte[WINDOW];

    private boolean started;
    private long highest;
    /** No missing packet is below this extended sequence number (a scan start, not exact). */
    private long lowestMissing;
    private int missing;

    private long gapsDetected;
    private long packetsMissed;
    private long lateArrivals;
    private long packetsRecovered;
    private long nackedSequenceNumbers;
    private long gaveUp;
    private long resets;
    private long retransmissionsNotNeeded;

    /** A generator with the default timing. */
    public NackGenerator(long ssrc) {
        this(ssrc, DEFAULT_REORDER_DELAY_NANOS, DEFAULT_REORDER_PACKETS, DEFAULT_MAX_NACKS, DEFAULT_MAX_AGE_NANOS);
    }

    /**
     * @param reorderDelayNanos how old a missing packet must be before its first NACK
     * @param reorderPackets    or how far ahead of it a packet must have arrived
     * @param maxNacks          NACKs per packet before giving up (1 to 127)
     * @param maxAgeNanos       how long a packet stays worth asking for after it went missing
     */
    public NackGenerator(long ssrc, long reorderDelayNanos, int reorderPackets, int maxNacks, long maxAgeNanos) {
        if (maxNacks < 1 || maxNacks > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("maxNacks must be in [1, 127]: " + maxNacks);
        }
        if (reorderDelayNanos < 0 || reorderPackets < 1 || maxAgeNanos <= 0) {
            throw new IllegalArgumentException("reorderDelayNanos >= 0, reorderPackets >= 1, maxAgeNanos > 0");
        }
        this.ssrc = ssrc;
        this.reorderDelayNanos = reorderDelayNanos;
        this.reorderPackets = reorderPackets;
        this.maxNacks = maxNacks;
        this.maxAgeNanos = maxAgeNanos;
    }

    /** The media SSRC this generator asks for. */
    public long ssrc() {
        return ssrc;
    }

    /** An original (not retransmitted) packet of the stream arrived. */
    public void onPacket(int sequenceNumber, long nowNanos) {
        if (receive(sequenceNumber, nowNanos)) {
            lateArrivals++;
        }
    }

    /**
     * A retransmission restored from RTX carries {@code sequenceNumber}: true when that packet was
     * missing (now recovered: forward it), false when it is not needed (already received, or too
     * old or too new to be one we lost; the caller drops it).
     */
    public boolean onRetransmission(int sequenceNumber, long nowNanos) {
        if (started) {
            long extended = highest + RtpSequence.distance((int) (highest & RtpSequence.SEQUENCE_NUMBER_MASK), sequenceNumber);
            if (extended < highest && isMissing(extended)) {
                markReceived(extended);
                packetsRecovered++;
                return true;
            }
        }
        retransmissionsNotNeeded++;
        return false;
    }

    /** Returns whether the packet filled a gap. */
    private boolean receive(int sequenceNumber, long nowNanos) {
        long extended = unwrapper.unwrap(sequenceNumber);
        if (!started) {
            started = true;
            highest = extended;
            lowestMissing = extended + 1;
            setSlot(extended, RECEIVED, nowNanos);
            return false;
        }
        if (extended > highest) {
            long gap = extended - highest - 1;
            if (gap >= WINDOW) {
                reset();
            } else if (gap > 0) {
                gapsDetected++;
                packetsMissed += gap;
                if (missing == 0) {
                    lowestMissing = highest + 1;
                }
                for (long s = highest + 1; s < extended; s++) {
                    setSlot(s, MISSING, nowNanos);
                }
            }
            setSlot(extended, RECEIVED, nowNanos);
            highest = extended;
            return false;
        }
        if (isMissing(extended)) {
            markReceived(extended);
            return true;
        }
        return false;
    }

    private boolean isMissing(long extended) {
        int slot = (int) (extended & MASK);
        return highest - extended < WINDOW && state[slot] == MISSING && sequence[slot] == extended;
    }

    private void markReceived(long extended) {
        state[(int) (extended & MASK)] = RECEIVED;
        missing--;
    }

    /** Takes the slot of {@code extended}; a packet still missing there a window ago is given up. */
    private void setSlot(long extended, byte newState, long nowNanos) {
        int slot = (int) (extended & MASK);
        if (state[slot] == MISSING) {
            missing--;
            gaveUp++;
        }
        state[slot] = newState;
        sequence[slot] = extended;
        if (newState == MISSING) {
            missing++;
            missingSinceNanos[slot] = nowNanos;
            lastNackNanos[slot] = 0;
            nacks[slot] = 0;
        }
    }

    private void reset() {
        resets++;
        gaveUp += missing;
        missing = 0;
        Arrays.fill(state, EMPTY);
    }

    /** Sequence numbers currently missing and not given up. */
    public int missingCount() {
        return missing;
    }

    /**
     * Puts into {@code out}, in ascending RTP order, at most {@code max} missing sequence numbers
     * whose NACK is due at {@code nowNanos}, and counts them as NACKed; gives up on the ones past
     * their limits. The caller sends them in one NACK ({@code RtcpNack.write}).
     *
     * @param rttNanos the leg's round trip, or a negative value when unknown ({@link #DEFAULT_RTT_NANOS})
     * @return how many were put into {@code out}
     */
    public int collectDue(long nowNanos, long rttNanos, int[] out, int max) {
        if (missing == 0) {
            return 0;
        }
        long resendInterval = Math.max(MIN_RESEND_INTERVAL_NANOS, rttNanos < 0 ? DEFAULT_RTT_NANOS : rttNanos);
        int count = 0;
        long from = Math.max(lowestMissing, highest - WINDOW + 1);
        long newLowest = -1;
        for (long s = from; s < highest && count < max; s++) {
            int slot = (int) (s & MASK);
            if (state[slot] != MISSING || sequence[slot] != s) {
                continue;
            }
            int sent = nacks[slot];
            if (nowNanos - missingSinceNanos[slot] > maxAgeNanos
                    || (sent >= maxNacks && nowNanos - lastNackNanos[slot] >= resendInterval)) {
                state[slot] = EMPTY;
                missing--;
                gaveUp++;
                continue;
            }
            if (newLowest < 0) {
                newLowest = s;
            }
            boolean due = sent == 0
                    ? nowNanos - missingSinceNanos[slot] >= reorderDelayNanos || highest - s >= reorderPackets
                    : sent < maxNacks && nowNanos - lastNackNanos[slot] >= resendInterval;
            if (due) {
                out[count++] = (int) (s & RtpSequence.SEQUENCE_NUMBER_MASK);
                nacks[slot] = (byte) (sent + 1);
                lastNackNanos[slot] = nowNanos;
            }
        }
        if (count < max) {
            // The whole range was scanned: nothing missing below the first one still missing.
            lowestMissing = newLowest < 0 ? highest : newLowest;
        }
        nackedSequenceNumbers += count;
        return count;
    }

    /** Gaps seen (runs of one or more missing sequence numbers). */
    public long gapsDetected() {
        return gapsDetected;
    }

    /** Sequence numbers found missing when a gap was seen. */
    public long packetsMissed() {
        return packetsMissed;
    }

    /** Missing packets that arrived late by themselves (reordering). */
    public long lateArrivals() {
        return lateArrivals;
    }

    /** Missing packets restored from RTX. */
    public long packetsRecovered() {
        return packetsRecovered;
    }

    /** Sequence numbers put into NACKs, repeats included. */
    public long nackedSequenceNumbers() {
        return nackedSequenceNumbers;
    }

    /** Missing packets given up (too many NACKs, too old, out of the window, or a reset). */
    public long gaveUp() {
        return gaveUp;
    }

    /** Jumps of a whole window or more, after which the state was forgotten. */
    public long resets() {
        return resets;
    }

    /** Retransmissions of packets not missing (duplicates, or outside the window). */
    public long retransmissionsNotNeeded() {
        return retransmissionsNotNeeded;
    }
}
