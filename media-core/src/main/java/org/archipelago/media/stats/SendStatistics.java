package org.archipelago.media.stats;

/**
 * What we sent on one outgoing SSRC, for our SRs (RFC 3550 §6.4.1: packet and payload octet
 * counts, an RTP timestamp matching the SR's NTP time), and what the remote side's report blocks
 * said about it: the round-trip time and its view of our loss and jitter.
 *
 * <p>RTT (RFC 3550 §6.4.1): A − LSR − DLSR, all compact NTP (1/65536 s), where A is when the
 * report block arrived and LSR is the middle of the NTP time of our SR it echoes.
 *
 * <p>Primitive state only. Owned by the peer's event loop.
 */
public final class SendStatistics {
    /** What {@link #roundTripTimeNanos()} returns before any measurement. */
    public static final long NO_RTT = RoundTripTime.NONE;

    private final long ssrc;
    private final int clockRate;
    private long packetsSent;
    private long octetsSent;
    private boolean sentSinceReport;
    private boolean hasSent;
    private int lastRtpTimestamp;
    private long lastRtpTimestampNanos;
    // From the remote side's report blocks about this SSRC.
    private long roundTripTimeNanos = NO_RTT;
    private long roundTripTimeMeasurements;
    private long roundTripTimesRefused;
    private long reportBlocksReceived;
    private int remoteFractionLost;
    private int remoteCumulativeLost;
    private long remoteJitter;

    /** @param clockRate the RTP clock of what is sent on this SSRC, in Hz */
    public SendStatistics(long ssrc, int clockRate) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    public long ssrc() {
        return ssrc;
    }

    public int clockRate() {
        return clockRate;
    }

    /**
     * Whether a packet with {@code rtpTimestamp} starts a new timestamp, so that {@link #onPacket}
     * needs the time: packets of one frame share it, and the clock is read once per frame.
     */
    public boolean isNewTimestamp(long rtpTimestamp) {
        return !hasSent || (int) rtpTimestamp != lastRtpTimestamp;
    }

    /**
     * One packet sent. {@code nowNanos} is used only when {@link #isNewTimestamp} (the first packet
     * of a timestamp fixes its send time); otherwise any value may be passed.
     */
    public void onPacket(long rtpTimestamp, int payloadOctets, long nowNanos) {
        if (isNewTimestamp(rtpTimestamp)) {
            lastRtpTimestamp = (int) rtpTimestamp;
            lastRtpTimestampNanos = nowNanos;
            hasSent = true;
        }
        packetsSent++;
        octetsSent += payloadOctets;
        sentSinceReport = true;
    }

    /**
     * The RTP timestamp that corresponds to {@code nowNanos}: the last one sent, extrapolated by
     * the clock rate (RFC 3550 §6.4.1 "the same time as the NTP timestamp").
     */
    public long rtpTimestampAt(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastRtpTimestampNanos);
        return (lastRtpTimestamp + RtpClock.units(elapsed, clockRate)) & 0xFFFF_FFFFL;
    }

    /** Whether a packet was sent since the last SR (then our report is an SR, RFC 3550 §6.4). */
    public boolean sentSinceReport() {
        return sentSinceReport;
    }

    /** Called when an SR for this SSRC has been written. */
    public void reported() {
        sentSinceReport = false;
    }

    /**
     * A report block about this SSRC arrived at compact NTP time {@code arrivalCompactNtp}.
     *
     * @return whether it produced an RTT measurement
     */
    public boolean onReportBlock(int fractionLost, int cumulativeLost, long jitter, long lastSenderReport,
                                 long delaySinceLastSenderReport, long arrivalCompactNtp) {
        reportBlocksReceived++;
        remoteFractionLost = fractionLost;
        remoteCumulativeLost = cumulativeLost;
        remoteJitter = jitter;
        if (lastSenderReport == 0) {
            return false;   // it has not received an SR from us yet
        }
        long rtt = RoundTripTime.nanos(arrivalCompactNtp, lastSenderReport, delaySinceLastSenderReport);
        if (rtt == RoundTripTime.NONE) {
            roundTripTimesRefused++;
            return false;
        }
        roundTripTimeNanos = rtt;
        roundTripTimeMeasurements++;
        return true;
    }

    public long packetsSent() {
        return packetsSent;
    }

    /** Payload octets sent (RFC 3550 §6.4.1: header and padding not counted). */
    public long octetsSent() {
        return octetsSent;
    }

    /** The last RTP timestamp sent (unsigned 32 bits). */
    public long lastRtpTimestamp() {
        return lastRtpTimestamp & 0xFFFF_FFFFL;
    }

    /** When the first packet with {@link #lastRtpTimestamp()} was sent. */
    public long lastRtpTimestampNanos() {
        return lastRtpTimestampNanos;
    }

    /** The last round-trip time measured from a report block, or {@link #NO_RTT}. */
    public long roundTripTimeNanos() {
        return roundTripTimeNanos;
    }

    public long roundTripTimeMeasurements() {
        return roundTripTimeMeasurements;
    }

    /** Report blocks whose LSR/DLSR gave a round trip well below zero (a broken or lying peer). */
    public long roundTripTimesRefused() {
        return roundTripTimesRefused;
    }

    public long reportBlocksReceived() {
        return reportBlocksReceived;
    }

    /** The remote side's last reported fraction lost of this stream, in 1/256. */
    public int remoteFractionLost() {
        return remoteFractionLost;
    }

    public int remoteCumulativeLost() {
        return remoteCumulativeLost;
    }

    /** The remote side's last reported interarrival jitter, in RTP units. */
    public long remoteJitter() {
        return remoteJitter;
    }

    /** {@link #remoteJitter()} in nanoseconds (0 without a clock rate). */
    public long remoteJitterNanos() {
        return clockRate <= 0 ? 0 : remoteJitter * 1_000_000_000L / clockRate;
    }
}
