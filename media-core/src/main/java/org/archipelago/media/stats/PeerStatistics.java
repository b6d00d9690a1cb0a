package org.archipelago.media.stats;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
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
 * +------------------------------+--------------------------+------------------+
 * | SR (first send SSRC that     | SR (each other send SSRC | SDES: CNAME of   |
 * | sent since the last report)  | that sent; no blocks)    | the first sender |
 * | or RR (nothing was sent),    |                          |                  |
 * | + up to 31 report blocks     |                          |                  |
 * +------------------------------+--------------------------+------------------+
 * </pre>
 * Report blocks cover the incoming streams heard since the last report (RFC 3550 §6.4); with
 * more than 31, the next report continues where this one stopped.
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

    private static final int SR_LENGTH = 28;
    private static final int RR_LENGTH = 8;

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

    private long receiveStreamsRefused;
    private long senderReportsSent;
    private long receiverReportsSent;
    private long reportsSent;
    private long senderReportsReceived;
    private long receiverReportsReceived;
    private long reportsMalformed;
    private long reportBlocksReceived;
    private long reportBlocksForUnknownSsrcs;

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
     */
    public void onSenderReport(ByteBuf buffer, int offset, int length, long nowNanos) {
        if (!senderReport.wrap(buffer, offset, length)) {
            reportsMalformed++;
            return;
        }
        senderReportsReceived++;
        ReceiveStatistics stream = receiveBySsrc.get((int) senderReport.senderSsrc());
        if (stream != null) {
            stream.onSenderReport(senderReport.ntpTimestamp(), nowNanos);
        }
        long arrival = clock.compactNtp(nowNanos);
        for (int i = 0; i < senderReport.reportBlockCount(); i++) {
            onReportBlock(senderReport.reportBlock(i), arrival);
        }
    }

    /** One RR (PT 201) of an incoming compound: its blocks about our streams give loss and RTT. */
    public void onReceiverReport(ByteBuf buffer, int offset, int length, long nowNanos) {
        if (!receiverReport.wrap(buffer, offset, length)) {
            reportsMalformed++;
            return;
        }
        receiverReportsReceived++;
        long arrival = clock.compactNtp(nowNanos);
        for (int i = 0; i < receiverReport.reportBlockCount(); i++) {
            onReportBlock(receiverReport.reportBlock(i), arrival);
        }
    }

    private void onReportBlock(RtcpReportBlock block, long arrivalCompactNtp) {
        reportBlocksReceived++;
        SendStatistics stream = sendStatistics(block.ssrc());
        if (stream == null) {
            reportBlocksForUnknownSsrcs++;
            return;
        }
        stream.onReportBlock(block.fractionLost(), block.cumulativeLost(), block.jitter(),
                block.lastSenderReport(), block.delaySinceLastSenderReport(), arrivalCompactNtp);
    }

    // ---- our report -----------------------------------------------------------------------------

    /** The most bytes {@link #writeReport} appends. */
    public int maxReportLength() {
        return Math.max(SR_LENGTH, RR_LENGTH) + MAX_REPORT_BLOCKS * RtcpReportBlock.LENGTH
                + Math.max(0, sendStreams.length - 1) * SR_LENGTH + sdesLength;
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
        reportsSent++;
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
        int count = receiveStreamCount;
        for (int step = 0; step < count && written < MAX_REPORT_BLOCKS; step++) {
            int index = (nextReportBlock + step) % count;
            ReceiveStatistics stream = receiveStreams[index];
            if (stream.receivedSinceReport()) {
                stream.writeReportBlock(out, nowNanos);
                written++;
                if (written == MAX_REPORT_BLOCKS) {
                    nextReportBlock = (index + 1) % count;
                }
            }
        }
    }

    // ---- what the metrics and adaptation read ---------------------------------------------------

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

    /** SR/RR packets whose report blocks overrun the packet (dropped, the rest of the compound used). */
    public long reportsMalformed() {
        return reportsMalformed;
    }

    public long reportBlocksReceived() {
        return reportBlocksReceived;
    }

    /** Report blocks about SSRCs we do not send (other legs' streams, stale SSRCs): ignored. */
    public long reportBlocksForUnknownSsrcs() {
        return reportBlocksForUnknownSsrcs;
    }
}
