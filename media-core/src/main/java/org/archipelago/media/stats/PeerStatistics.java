package org.archipelago.media.stats;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import org.archipelago.media.rtcp.NtpTime;
import org.archipelago.media.rtcp.RtcpExtendedReport;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpReceiverReport;
import org.archipelago.media.rtcp.RtcpReportBlock;
import org.archipelago.media.rtcp.RtcpSenderReport;
import org.archipelago.media.rtcp.RtcpSourceDescription;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * RTCP reporting of one leg (one peer): statistics of every stream it sends us and we send it,
 * the compound report we send it, and what its SRs and RRs tell us. RTCP is terminated per leg
 * (RFC 3550 §6, RFC 8108; an SFU is not an RTP translator): our reports describe what this leg
 * carried, and the peer's reports stop here, they are never relayed.
 *
 * <p>Our compound report (RFC 3550 §6.1):
 * <pre>
 * +------------------------------+--------------------------+------------------+-----------------+
 * | SR (first send SSRC that     | SR (each other send SSRC | SDES: CNAME of   | XR (RFC 3611):  |
 * | sent since the last report)  | that sent; no blocks)    | the first sender | RRTR when the   |
 * | or RR (nothing was sent),    |                          |                  | peer sends us   |
 * | + up to 31 report blocks     |                          |                  | media; DLRR for |
 * |                              |                          |                  | its RRTRs       |
 * +------------------------------+--------------------------+------------------+-----------------+
 * </pre>
 * Report blocks cover the incoming streams heard since the last report (RFC 3550 §6.4); with
 * more than 31, the next report continues where this one stopped.
 *
 * <p>Round trip, per leg. Where we send, the peer's report blocks echo our SRs (LSR/DLSR). Where we
 * only receive (a publisher's leg) there is no SR to echo, so we send a Receiver Reference Time
 * Report (RRTR, RFC 3611 §4.4) and the peer's DLRR (§4.5) echoes it; libwebrtc answers every RRTR.
 * And when the peer sends us an RRTR, our next report answers it with a DLRR sub-block. The leg's
 * {@link #roundTripTimeNanos()} is the latest measurement of either kind.
 *
 * <p>Bounded: at most {@link #MAX_RECEIVE_STREAMS} incoming SSRCs are tracked; more are counted.
 * Primitive state, nothing allocated per packet. Owned by the peer's event loop.
 */
public final class PeerStatistics {
    /** Incoming SSRCs tracked per peer: a few sections × simulcast layers × RTX, with room to spare. */
    public static final int MAX_RECEIVE_STREAMS = 64;
    /** Report blocks in one SR/RR: the 5-bit count (RFC 3550 §6.4.1). */
    public static final int MAX_REPORT_BLOCKS = RtcpHeader.MAX_COUNT;
    /** The CNAME when the answer announced no send stream (RFC 7022 asks only for uniqueness). */
    public static final String DEFAULT_CNAME = "archipelago";

    /** Peers' SSRCs whose RRTRs we answer: one per RTCP sender of the peer; libwebrtc uses one or two. */
    public static final int MAX_REFERENCE_TIME_SOURCES = 8;
    /** What {@link #roundTripTimeNanos()} returns before any measurement. */
    public static final long NO_RTT = RoundTripTime.NONE;

    private static final int SR_LENGTH = 28;
    private static final int RR_LENGTH = 8;
    private static final int XR_MAX_LENGTH = RtcpExtendedReport.HEADER_LENGTH
            + RtcpExtendedReport.RECEIVER_REFERENCE_TIME_LENGTH + RtcpExtendedReport.BLOCK_HEADER_LENGTH
            + MAX_REFERENCE_TIME_SOURCES * RtcpExtendedReport.DLRR_SUB_BLOCK_LENGTH;

    private final NtpClock clock;
    private final SendStatistics[] sendStreams;
    private final long receiverReportSsrc;
    private final String cname;
    private final int sdesLength;
    private final IntObjectHashMap<ReceiveStatistics> receiveBySsrc = new IntObjectHashMap<>();
    private final ReceiveStatistics[] receiveStreams = new ReceiveStatistics[MAX_RECEIVE_STREAMS];
    private int receiveStreamCount;
    private int nextReportBlock;

    private final RtcpSenderReport senderReport = new RtcpSenderReport();
    private final RtcpReceiverReport receiverReport = new RtcpReceiverReport();
    private final RtcpExtendedReport extendedReport = new RtcpExtendedReport();

    // The peer's RRTRs (RFC 3611 §4.4), answered with a DLRR sub-block each in our next report.
    private final long[] referenceTimeSsrcs = new long[MAX_REFERENCE_TIME_SOURCES];
    private final long[] referenceTimeCompact = new long[MAX_REFERENCE_TIME_SOURCES];
    private final long[] referenceTimeArrivalNanos = new long[MAX_REFERENCE_TIME_SOURCES];
    private final boolean[] referenceTimePending = new boolean[MAX_REFERENCE_TIME_SOURCES];
    private int referenceTimeSourceCount;

    // The leg's figures (see "what the metrics and adaptation read").
    private long roundTripTimeNanos = NO_RTT;
    private long roundTripTimeMeasuredNanos;
    private long extendedReportRoundTripTimeNanos = NO_RTT;
    private int receiveFractionLost;

    private long receiveStreamsRefused;
    private long senderReportsSent;
    private long receiverReportsSent;
    private long reportsSent;
    private long senderReportsReceived;
    private long receiverReportsReceived;
    private long reportBlocksReceived;
    private long reportBlocksForUnknownSsrcs;
    private long extendedReportsReceived;
    private long extendedReportsSent;
    private long receiverReferenceTimesReceived;
    private long referenceTimeSourcesRefused;
    private long dlrrSubBlocksReceived;
    private long dlrrSubBlocksForOtherSsrcs;
    private long extendedReportRoundTripTimeMeasurements;
    private long extendedReportRoundTripTimesRefused;

    /**
     * @param sendStreams        our outgoing SSRCs (media and RTX), each with its clock rate
     * @param receiverReportSsrc the SSRC an RR is sent with when nothing was sent (non-zero)
     * @param cname              our CNAME (at most 255 bytes of UTF-8)
     */
    public PeerStatistics(NtpClock clock, List<SendStatistics> sendStreams, long receiverReportSsrc, String cname) {
        this.clock = clock;
        this.sendStreams = sendStreams.toArray(new SendStatistics[0]);
        this.receiverReportSsrc = receiverReportSsrc;
        this.cname = cname;
        int cnameLength = cname.getBytes(StandardCharsets.UTF_8).length;
        if (cnameLength > RtcpSourceDescription.MAX_ITEM_LENGTH) {
            throw new IllegalArgumentException("CNAME longer than 255 bytes: " + cname);
        }
        // Header, SSRC, type, length, text, end of items, rounded up to a word.
        this.sdesLength = (4 + 4 + 2 + cnameLength + 1 + 3) & ~3;
    }

    // ---- incoming media and reports -------------------------------------------------------------

    /**
     * One incoming RTP packet. Returns its stream's statistics, or null when the table is full.
     *
     * @param clockRate the RTP clock of the packet's payload type
     */
    public ReceiveStatistics onRtp(long ssrc, int sequenceNumber, long rtpTimestamp, int clockRate, long nowNanos) {
        ReceiveStatistics stream = receiveBySsrc.get((int) ssrc);
        if (stream == null) {
            if (receiveStreamCount == MAX_RECEIVE_STREAMS) {
                receiveStreamsRefused++;
                return null;
            }
            stream = new ReceiveStatistics(ssrc);
            receiveBySsrc.put((int) ssrc, stream);
            receiveStreams[receiveStreamCount++] = stream;
        }
        stream.onPacket(sequenceNumber, rtpTimestamp, clockRate, nowNanos);
        return stream;
    }

    /**
     * One SR (PT 200) of an incoming compound, at {@code offset} with at most {@code length} bytes:
     * remembers its NTP time for our LSR/DLSR, and takes its report blocks like an RR's.
     *
     * @return false, nothing taken, when its report blocks overrun it (the caller counts the drop)
     */
    public boolean onSenderReport(ByteBuf buffer, int offset, int length, long nowNanos) {
        if (!senderReport.wrap(buffer, offset, length)) {
            return false;
        }
        senderReportsReceived++;
        ReceiveStatistics stream = receiveBySsrc.get((int) senderReport.senderSsrc());
        if (stream != null) {
            stream.onSenderReport(senderReport.ntpTimestamp(), nowNanos);
        }
        long arrival = clock.compactNtp(nowNanos);
        for (int i = 0; i < senderReport.reportBlockCount(); i++) {
            onReportBlock(senderReport.reportBlock(i), arrival, nowNanos);
        }
        return true;
    }

    /**
     * One RR (PT 201) of an incoming compound: its blocks about our streams give loss and RTT.
     *
     * @return false, nothing taken, when its report blocks overrun it (the caller counts the drop)
     */
    public boolean onReceiverReport(ByteBuf buffer, int offset, int length, long nowNanos) {
        if (!receiverReport.wrap(buffer, offset, length)) {
            return false;
        }
        receiverReportsReceived++;
        long arrival = clock.compactNtp(nowNanos);
        for (int i = 0; i < receiverReport.reportBlockCount(); i++) {
            onReportBlock(receiverReport.reportBlock(i), arrival, nowNanos);
        }
        return true;
    }

    private void onReportBlock(RtcpReportBlock block, long arrivalCompactNtp, long nowNanos) {
        reportBlocksReceived++;
        SendStatistics stream = sendStatistics(block.ssrc());
        if (stream == null) {
            reportBlocksForUnknownSsrcs++;
            return;
        }
        if (stream.onReportBlock(block.fractionLost(), block.cumulativeLost(), block.jitter(),
                block.lastSenderReport(), block.delaySinceLastSenderReport(), arrivalCompactNtp)) {
            roundTripTimeNanos = stream.roundTripTimeNanos();
            roundTripTimeMeasuredNanos = nowNanos;
        }
    }

    /**
     * One XR (PT 207, RFC 3611) of an incoming compound: an RRTR is kept to be answered in our next
     * report; a DLRR sub-block answering our RRTR gives the leg's round trip. Other blocks are
     * ignored.
     *
     * @return false, nothing taken, when a block overruns it or has the wrong length for its type
     */
    public boolean onExtendedReport(ByteBuf buffer, int offset, int length, long nowNanos) {
        if (!extendedReport.wrap(buffer, offset, length)) {
            return false;
        }
        extendedReportsReceived++;
        long arrival = clock.compactNtp(nowNanos);
        while (extendedReport.nextBlock()) {
            int type = extendedReport.blockType();
            if (type == RtcpExtendedReport.RECEIVER_REFERENCE_TIME) {
                onReceiverReferenceTime(extendedReport.senderSsrc(), extendedReport.receiverReferenceTime(), nowNanos);
            } else if (type == RtcpExtendedReport.DLRR) {
                for (int i = 0; i < extendedReport.dlrrSubBlockCount(); i++) {
                    onDlrrSubBlock(extendedReport.dlrrSsrc(i), extendedReport.dlrrLastReceiverReport(i),
                            extendedReport.dlrrDelaySinceLastReceiverReport(i), arrival, nowNanos);
                }
            }
        }
        return true;
    }

    private void onReceiverReferenceTime(long ssrc, long ntpTimestamp, long nowNanos) {
        receiverReferenceTimesReceived++;
        int index = referenceTimeSource(ssrc);
        if (index < 0) {
            if (referenceTimeSourceCount == MAX_REFERENCE_TIME_SOURCES) {
                referenceTimeSourcesRefused++;
                return;
            }
            index = referenceTimeSourceCount++;
            referenceTimeSsrcs[index] = ssrc;
        }
        referenceTimeCompact[index] = NtpTime.compact(ntpTimestamp);
        referenceTimeArrivalNanos[index] = nowNanos;
        referenceTimePending[index] = true;
    }

    private int referenceTimeSource(long ssrc) {
        for (int i = 0; i < referenceTimeSourceCount; i++) {
            if (referenceTimeSsrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    /** A DLRR sub-block: ours when it names the SSRC our RRTRs carry (RFC 3611 §4.5: "SSRC of receiver"). */
    private void onDlrrSubBlock(long ssrc, long lastReceiverReport, long delay, long arrivalCompactNtp, long nowNanos) {
        dlrrSubBlocksReceived++;
        if (ssrc != receiverReportSsrc) {
            dlrrSubBlocksForOtherSsrcs++;
            return;
        }
        if (lastReceiverReport == 0) {
            return;   // it has not received an RRTR from us yet
        }
        long rtt = RoundTripTime.nanos(arrivalCompactNtp, lastReceiverReport, delay);
        if (rtt == RoundTripTime.NONE) {
            extendedReportRoundTripTimesRefused++;
            return;
        }
        extendedReportRoundTripTimeNanos = rtt;
        extendedReportRoundTripTimeMeasurements++;
        roundTripTimeNanos = rtt;
        roundTripTimeMeasuredNanos = nowNanos;
    }

    // ---- our report -----------------------------------------------------------------------------

    /** The most bytes {@link #writeReport} appends. */
    public int maxReportLength() {
        return Math.max(SR_LENGTH, RR_LENGTH) + MAX_REPORT_BLOCKS * RtcpReportBlock.LENGTH
                + Math.max(0, sendStreams.length - 1) * SR_LENGTH + sdesLength + XR_MAX_LENGTH;
    }

    /**
     * Appends our compound report for {@code nowNanos} to {@code out} (which must have
     * {@link #maxReportLength()} writable bytes) and closes the reporting interval of every
     * stream it covers.
     */
    public void writeReport(ByteBuf out, long nowNanos) {
        int firstSender = -1;
        for (int i = 0; i < sendStreams.length; i++) {
            if (sendStreams[i].sentSinceReport()) {
                firstSender = i;
                break;
            }
        }
        long firstSsrc;
        if (firstSender >= 0) {
            SendStatistics sender = sendStreams[firstSender];
            int start = writeSenderInfo(out, sender, nowNanos);
            writeReportBlocks(out, nowNanos);
            RtcpSenderReport.end(out, start);
            for (int i = firstSender + 1; i < sendStreams.length; i++) {
                if (sendStreams[i].sentSinceReport()) {
                    RtcpSenderReport.end(out, writeSenderInfo(out, sendStreams[i], nowNanos));
                }
            }
            firstSsrc = sender.ssrc();
        } else {
            int start = RtcpReceiverReport.begin(out, receiverReportSsrc);
            writeReportBlocks(out, nowNanos);
            RtcpReceiverReport.end(out, start);
            receiverReportsSent++;
            firstSsrc = receiverReportSsrc;
        }
        RtcpSourceDescription.writeCname(out, firstSsrc, cname);
        writeExtendedReport(out, nowNanos);
        reportsSent++;
    }

    /**
     * The XR of our report: an RRTR when the peer sends us media (so it can echo our time though we
     * may send it nothing), and a DLRR sub-block for each RRTR of the peer's since our last report.
     * Both carry {@link #receiverReportSsrc}, whatever SSRC the report's SR/RR has: a DLRR about it
     * is then recognised as ours whether or not we were sending.
     */
    private void writeExtendedReport(ByteBuf out, long nowNanos) {
        boolean referenceTime = receiveStreamCount > 0;
        boolean dlrr = false;
        for (int i = 0; i < referenceTimeSourceCount && !dlrr; i++) {
            dlrr = referenceTimePending[i];
        }
        if (!referenceTime && !dlrr) {
            return;
        }
        int start = RtcpExtendedReport.begin(out, receiverReportSsrc);
        if (referenceTime) {
            RtcpExtendedReport.writeReceiverReferenceTime(out, clock.ntpTimestamp(nowNanos));
        }
        if (dlrr) {
            int block = RtcpExtendedReport.beginDlrr(out);
            for (int i = 0; i < referenceTimeSourceCount; i++) {
                if (referenceTimePending[i]) {
                    referenceTimePending[i] = false;
                    RtcpExtendedReport.writeDlrrSubBlock(out, referenceTimeSsrcs[i], referenceTimeCompact[i],
                            NtpTime.durationToCompact(nowNanos - referenceTimeArrivalNanos[i]));
                }
            }
            RtcpExtendedReport.endDlrr(out, block);
        }
        RtcpExtendedReport.end(out, start);
        extendedReportsSent++;
    }

    private int writeSenderInfo(ByteBuf out, SendStatistics sender, long nowNanos) {
        int start = RtcpSenderReport.begin(out, sender.ssrc(), clock.ntpTimestamp(nowNanos),
                sender.rtpTimestampAt(nowNanos), sender.packetsSent(), sender.octetsSent());
        sender.reported();
        senderReportsSent++;
        return start;
    }

    /** Blocks for the streams heard since the last report, from where the last report stopped. */
    private void writeReportBlocks(ByteBuf out, long nowNanos) {
        int written = 0;
        long expected = 0;
        long lost = 0;
        int count = receiveStreamCount;
        for (int step = 0; step < count && written < MAX_REPORT_BLOCKS; step++) {
            int index = (nextReportBlock + step) % count;
            ReceiveStatistics stream = receiveStreams[index];
            if (stream.receivedSinceReport()) {
                stream.writeReportBlock(out, nowNanos);
                expected += stream.intervalExpected();
                lost += stream.intervalLost();
                written++;
                if (written == MAX_REPORT_BLOCKS) {
                    nextReportBlock = (index + 1) % count;
                }
            }
        }
        if (written > 0) {
            // RFC 3550 A.3's fraction over every stream reported, as if they were one.
            receiveFractionLost = expected <= 0 || lost <= 0 ? 0 : (int) Math.min(255, (lost << 8) / expected);
        }
    }

    // ---- what the metrics and adaptation read ---------------------------------------------------

    /**
     * The leg's round-trip time: the latest measured, from a report block echoing one of our SRs or
     * from a DLRR echoing one of our RRTRs; {@link #NO_RTT} before the first.
     */
    public long roundTripTimeNanos() {
        return roundTripTimeNanos;
    }

    /** When {@link #roundTripTimeNanos()} was measured (the {@code nowNanos} of its report). */
    public long roundTripTimeMeasuredNanos() {
        return roundTripTimeMeasuredNanos;
    }

    /** The latest round trip from a DLRR answering our RRTR (RFC 3611 §4.5), or {@link #NO_RTT}. */
    public long extendedReportRoundTripTimeNanos() {
        return extendedReportRoundTripTimeNanos;
    }

    /**
     * Loss of what the peer sends us over our last reporting interval, in 1/256: all incoming
     * streams of our last report taken as one (RFC 3550 A.3). Its cumulative count and jitter:
     * {@link #receiveCumulativeLost()}, {@link #receiveJitterNanos()}.
     */
    public int receiveFractionLost() {
        return receiveFractionLost;
    }

    /** Packets the peer sent us that never arrived, all incoming streams together (RFC 3550 A.3). */
    public long receiveCumulativeLost() {
        long lost = 0;
        for (int i = 0; i < receiveStreamCount; i++) {
            lost += receiveStreams[i].cumulativeLost();
        }
        return lost;
    }

    /** The largest interarrival jitter of the incoming streams (RFC 3550 A.8), in nanoseconds. */
    public long receiveJitterNanos() {
        long jitter = 0;
        for (int i = 0; i < receiveStreamCount; i++) {
            jitter = Math.max(jitter, receiveStreams[i].jitterNanos());
        }
        return jitter;
    }

    /**
     * Loss of what we send the peer, in 1/256: the largest fraction lost its last report blocks gave
     * for any of our streams (the worst stream is what adaptation must answer).
     */
    public int sendFractionLost() {
        int fraction = 0;
        for (SendStatistics stream : sendStreams) {
            fraction = Math.max(fraction, stream.remoteFractionLost());
        }
        return fraction;
    }

    /** Packets we sent the peer that it reports lost, all our streams together. */
    public long sendCumulativeLost() {
        long lost = 0;
        for (SendStatistics stream : sendStreams) {
            lost += stream.remoteCumulativeLost();
        }
        return lost;
    }

    /** The largest interarrival jitter the peer reports for our streams, in nanoseconds. */
    public long sendJitterNanos() {
        long jitter = 0;
        for (SendStatistics stream : sendStreams) {
            jitter = Math.max(jitter, stream.remoteJitterNanos());
        }
        return jitter;
    }

    /** Statistics of the incoming stream {@code ssrc}, or null when not (yet) tracked. */
    public ReceiveStatistics receiveStatistics(long ssrc) {
        return receiveBySsrc.get((int) ssrc);
    }

    /** Incoming streams tracked, in order of their first packet. */
    public int receiveStreamCount() {
        return receiveStreamCount;
    }

    /** The {@code index}th incoming stream tracked (below {@link #receiveStreamCount()}). */
    public ReceiveStatistics receiveStream(int index) {
        if (index < 0 || index >= receiveStreamCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return receiveStreams[index];
    }

    /** Statistics of our outgoing stream {@code ssrc}, or null when it is not one of ours. */
    public SendStatistics sendStatistics(long ssrc) {
        for (SendStatistics stream : sendStreams) {
            if (stream.ssrc() == ssrc) {
                return stream;
            }
        }
        return null;
    }

    public int sendStreamCount() {
        return sendStreams.length;
    }

    public SendStatistics sendStream(int index) {
        return sendStreams[index];
    }

    /** Incoming SSRCs not tracked because {@link #MAX_RECEIVE_STREAMS} were already. */
    public long receiveStreamsRefused() {
        return receiveStreamsRefused;
    }

    /** Compound reports written. */
    public long reportsSent() {
        return reportsSent;
    }

    public long senderReportsSent() {
        return senderReportsSent;
    }

    public long receiverReportsSent() {
        return receiverReportsSent;
    }

    public long senderReportsReceived() {
        return senderReportsReceived;
    }

    public long receiverReportsReceived() {
        return receiverReportsReceived;
    }

    public long reportBlocksReceived() {
        return reportBlocksReceived;
    }

    /** Report blocks about SSRCs we do not send (other legs' streams, stale SSRCs): ignored. */
    public long reportBlocksForUnknownSsrcs() {
        return reportBlocksForUnknownSsrcs;
    }

    /** Valid XR packets received. */
    public long extendedReportsReceived() {
        return extendedReportsReceived;
    }

    /** XR packets written into our reports (RRTR, DLRR or both). */
    public long extendedReportsSent() {
        return extendedReportsSent;
    }

    /** RRTR blocks received from the peer. */
    public long receiverReferenceTimesReceived() {
        return receiverReferenceTimesReceived;
    }

    /** RRTRs not answered because {@link #MAX_REFERENCE_TIME_SOURCES} of the peer's SSRCs already were. */
    public long referenceTimeSourcesRefused() {
        return referenceTimeSourcesRefused;
    }

    public long dlrrSubBlocksReceived() {
        return dlrrSubBlocksReceived;
    }

    /** DLRR sub-blocks answering someone else's RRTR (not our SSRC): ignored. */
    public long dlrrSubBlocksForOtherSsrcs() {
        return dlrrSubBlocksForOtherSsrcs;
    }

    public long extendedReportRoundTripTimeMeasurements() {
        return extendedReportRoundTripTimeMeasurements;
    }

    /** DLRR sub-blocks whose LRR/DLRR gave a round trip well below zero (a broken or lying peer). */
    public long extendedReportRoundTripTimesRefused() {
        return extendedReportRoundTripTimesRefused;
    }

    /** The SSRC our RR (when we send nothing) and our XR carry. */
    public long receiverReportSsrc() {
        return receiverReportSsrc;
    }
}
