package org.archipelago.media.stats;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtcp.NtpTime;
import org.archipelago.media.rtcp.RtcpReportBlock;
import org.archipelago.media.rtp.RtpSequenceUnwrapper;

/**
 * Reception statistics of one incoming RTP stream (one SSRC), what our report block about it
 * says (RFC 3550 §6.4.1): extended highest sequence number, cumulative and fractional loss
 * (appendix A.3), interarrival jitter (appendix A.8), and the last SR the sender sent us (LSR/DLSR).
 *
 * <p>Loss, A.3: expected = extended highest − base + 1; lost = expected − received. Received counts
 * late and duplicate packets, so lost may go negative. Unlike A.1, the base moves down when a packet
 * older than the first one arrives (as libwebrtc does), so a reordered start is not counted lost.
 *
 * <p>Jitter, A.8: D = (R<sub>j</sub> − R<sub>i</sub>) − (S<sub>j</sub> − S<sub>i</sub>) in RTP
 * units; J += (|D| − J) / 16, kept ×16 in an integer as A.8's second form does. Only packets that
 * advance the highest sequence number and carry a new RTP timestamp are used: a video frame's
 * packets share a timestamp and are paced out by the sender, which is not network jitter
 * (libwebrtc's rule too).
 *
 * <p>Primitive state only, nothing allocated per packet. Owned by the peer's event loop.
 */
public final class ReceiveStatistics {
    private static final long NO_SENDER_REPORT = -1;

    private final long ssrc;
    private final RtpSequenceUnwrapper sequence = new RtpSequenceUnwrapper();
    private long baseSequence;
    private long packetsReceived;
    private boolean receivedSinceReport;
    // A.3 interval state, advanced by closeInterval().
    private long expectedPrior;
    private long receivedPrior;
    private int fractionLost;
    private long intervalExpected;
    private long intervalLost;
    // A.8 jitter state.
    private long firstArrivalNanos;
    private boolean hasTransit;
    private int lastTransit;
    private int lastTimestamp;
    private long jitterTimes16;
    private int clockRate;
    // The last SR from this source.
    private long lastSenderReportCompact = NO_SENDER_REPORT;
    private long lastSenderReportArrivalNanos;
    private long senderReportsReceived;

    public ReceiveStatistics(long ssrc) {
        this.ssrc = ssrc;
    }

    public long ssrc() {
        return ssrc;
    }

    /**
     * One RTP packet of this stream arrived at {@code nowNanos}.
     *
     * @param clockRate the RTP clock of its payload type in Hz (0 or less: no jitter update)
     */
    public void onPacket(int sequenceNumber, long rtpTimestamp, int clockRate, long nowNanos) {
        boolean first = !sequence.isStarted();
        long highestBefore = first ? 0 : sequence.highestUnwrapped();
        long extended = sequence.unwrap(sequenceNumber);
        packetsReceived++;
        receivedSinceReport = true;
        if (first) {
            baseSequence = extended;
            expectedPrior = 0;
            firstArrivalNanos = nowNanos;
        } else if (extended < baseSequence) {
            baseSequence = extended;
        }
        if (clockRate > 0) {
            this.clockRate = clockRate;
        }
        if ((first || extended > highestBefore) && clockRate > 0) {
            updateJitter((int) rtpTimestamp, clockRate, nowNanos);
        }
    }

    private void updateJitter(int rtpTimestamp, int clockRate, long nowNanos) {
        // Arrival in RTP units from an arbitrary origin (our first packet): only differences count.
        int arrival = (int) RtpClock.units(nowNanos - firstArrivalNanos, clockRate);
        int transit = arrival - rtpTimestamp;
        if (hasTransit) {
            if (rtpTimestamp == lastTimestamp) {
                return;
            }
            long d = Math.abs((long) (transit - lastTransit));
            jitterTimes16 += d - ((jitterTimes16 + 8) >> 4);
        }
        hasTransit = true;
        lastTransit = transit;
        lastTimestamp = rtpTimestamp;
    }

    /** An SR from this source arrived: LSR/DLSR in our next report block echo it (RFC 3550 §6.4.1). */
    public void onSenderReport(long ntpTimestamp, long nowNanos) {
        lastSenderReportCompact = NtpTime.compact(ntpTimestamp);
        lastSenderReportArrivalNanos = nowNanos;
        senderReportsReceived++;
    }

    /**
     * Ends a reporting interval (A.3) and appends this stream's report block to {@code out}: fraction
     * lost covers the packets expected since the previous call.
     */
    public void writeReportBlock(ByteBuf out, long nowNanos) {
        closeInterval();
        RtcpReportBlock.write(out, ssrc, fractionLost, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cumulativeLost())),
                extendedHighestSequenceNumber() & 0xFFFF_FFFFL, jitter(),
                lastSenderReport(), delaySinceLastSenderReport(nowNanos));
    }

    /** A.3's per-interval step: updates {@link #fractionLost()} and starts a new interval. */
    void closeInterval() {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        expectedPrior = expected;
        long receivedInterval = packetsReceived - receivedPrior;
        receivedPrior = packetsReceived;
        long lostInterval = expectedInterval - receivedInterval;
        intervalExpected = Math.max(0, expectedInterval);
        intervalLost = Math.max(0, lostInterval);
        fractionLost = expectedInterval <= 0 || lostInterval <= 0
                ? 0 : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
        receivedSinceReport = false;
    }

    private long expected() {
        return sequence.isStarted() ? sequence.highestUnwrapped() - baseSequence + 1 : 0;
    }

    /** Whether a packet arrived since the last report block (RFC 3550 §6.4: only those are reported). */
    public boolean receivedSinceReport() {
        return receivedSinceReport;
    }

    public long packetsReceived() {
        return packetsReceived;
    }

    /** The highest sequence number seen, extended with its wrap count (64 bits; the block carries the low 32). */
    public long extendedHighestSequenceNumber() {
        return sequence.isStarted() ? sequence.highestUnwrapped() : 0;
    }

    /** Packets expected but not received (negative when duplicates outnumber losses). */
    public long cumulativeLost() {
        return expected() - packetsReceived;
    }

    /** Loss over the last reporting interval, in 1/256 (as of the last report block written). */
    public int fractionLost() {
        return fractionLost;
    }

    /** Packets expected in the last reporting interval (A.3's expected_interval, 0 if negative). */
    long intervalExpected() {
        return intervalExpected;
    }

    /** Packets lost in the last reporting interval (A.3's lost_interval, 0 if duplicates outnumbered losses). */
    long intervalLost() {
        return intervalLost;
    }

    /** Interarrival jitter in RTP timestamp units. */
    public long jitter() {
        return jitterTimes16 >> 4;
    }

    /** {@link #jitter()} in nanoseconds, by the clock rate of the last packet (0 before one with a clock). */
    public long jitterNanos() {
        return clockRate <= 0 ? 0 : jitter() * 1_000_000_000L / clockRate;
    }

    /** The compact NTP time of the last SR received, or 0 when none (what LSR carries). */
    public long lastSenderReport() {
        return lastSenderReportCompact == NO_SENDER_REPORT ? 0 : lastSenderReportCompact;
    }

    /** Delay since the last SR in 1/65536 s at {@code nowNanos}, or 0 when none (what DLSR carries). */
    public long delaySinceLastSenderReport(long nowNanos) {
        return lastSenderReportCompact == NO_SENDER_REPORT ? 0
                : NtpTime.durationToCompact(nowNanos - lastSenderReportArrivalNanos);
    }

    public long senderReportsReceived() {
        return senderReportsReceived;
    }
}
