package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.NtpTime;
import org.archipelago.media.rtcp.RtcpCompoundIterator;
import org.archipelago.media.rtcp.RtcpExtendedReport;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpReceiverReport;
import org.archipelago.media.rtcp.RtcpReportBlock;
import org.archipelago.media.rtcp.RtcpSenderReport;
import org.archipelago.media.rtcp.RtcpSourceDescription;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.stats.PeerStatistics;
import org.archipelago.media.stats.ReceiveStatistics;
import org.archipelago.media.stats.SendStatistics;
import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.peer.NativeSession;
import org.archipelago.media.testing.peer.NativeTestPeer;
import org.archipelago.media.testing.peer.NativeTestPeer.ReceivedRtcpCompound;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's own RTCP on one leg (RFC 3550 §6, RFC 8108), seen by {@link NativeTestPeer}: an
 * RR+SDES about once a second, SR once the server has sent media, report blocks about what the
 * client sends, RTT from the client's RR, and on a leg the server only receives from, RTT from
 * the client's DLRR answering the server's RRTR (RFC 3611).
 */
class RtcpReportsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long MS = 1_000_000L;

    private NativeSession session;
    private NativeTestPeer client;
    private PeerConnection server;

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void theServerReportsAboutOnceASecondAndTheClientsRrGivesAnRtt() throws Exception {
        connect();
        long serverAudio = server.answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().ssrc();
        String cname = server.answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().cname();

        // Client -> server: audio 1000..1009 without 1004, across nothing special.
        for (int seq = 1000; seq < 1010; seq++) {
            if (seq != 1004) {
                client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, seq, 960L * seq, new byte[40]);
            }
        }
        Await.until("9 packets counted at the server", TIMEOUT, () -> {
            ReceiveStatistics stream = onLoop(() -> server.statistics().receiveStatistics(client.audioSsrc()));
            return stream != null && onLoop(stream::packetsReceived) == 9;
        });

        // Nothing sent yet by the server: an RR from its first SSRC with a block for the client's audio.
        int before = client.receivedRtcpCompounds().size();
        Report rr = awaitReport(before, r -> r.receiverReport && r.blockSsrc == client.audioSsrc());
        assertEquals(serverAudio, rr.senderSsrc, "the RR's sender is the server's first send SSRC");
        assertEquals(1009, rr.extendedHighestSequenceNumber);
        assertEquals(1, rr.cumulativeLost);
        assertEquals(cname, rr.cname, "SDES CNAME from the answer's send streams");

        // Server -> client: 5 audio packets of 20 payload bytes; then an SR.
        onLoop(() -> {
            for (int i = 0; i < 5; i++) {
                server.sendRtp(serverRtp(serverAudio, NativeTestPeer.AUDIO_PAYLOAD_TYPE, 10 + i, 480L * i, 20));
            }
            return null;
        });
        before = client.receivedRtcpCompounds().size();
        Report sr = awaitReport(before, r -> !r.receiverReport);
        assertEquals(serverAudio, sr.senderSsrc);
        assertEquals(5, sr.packetCount);
        assertEquals(100, sr.octetCount);
        // Extrapolated from the last timestamp (1920) at 48 kHz: later than it, by less than the wait.
        long advance = (sr.rtpTimestamp - 1920) & 0xFFFF_FFFFL;
        assertTrue(advance < 48_000L * TIMEOUT.toSeconds(), "rtp timestamp " + sr.rtpTimestamp);
        long wallNtpSeconds = NtpTime.fromUnixNanos(System.currentTimeMillis() * MS) >>> 32;
        assertEquals(wallNtpSeconds, sr.ntpTimestamp >>> 32, 5, "the SR's NTP time is wall-clock time");

        // The client echoes that SR in an RR (LSR, DLSR measured from when it arrived): an RTT at the server.
        long dlsr = NtpTime.durationToCompact(System.nanoTime() - sr.arrivalNanos);
        client.sendRtcp(receiverReport(client.audioSsrc(), serverAudio, NtpTime.compact(sr.ntpTimestamp), dlsr));
        SendStatistics audioStats = onLoop(() -> server.statistics().sendStatistics(serverAudio));
        Await.until("an RTT at the server", TIMEOUT, () -> onLoop(audioStats::roundTripTimeMeasurements) == 1);
        long rtt = onLoop(audioStats::roundTripTimeNanos);
        assertTrue(rtt >= 0 && rtt < 500 * MS, "loopback RTT " + rtt + " ns");
        assertEquals(1, onLoop(() -> server.statistics().receiverReportsReceived()));

        // Reports keep coming about once a second: gaps within 0.5–1.5 s plus the 100 ms timer tick.
        Await.until("five reports", TIMEOUT, () -> client.receivedRtcpCompounds().size() >= 5);
        List<ReceivedRtcpCompound> compounds = client.receivedRtcpCompounds();
        for (int i = 1; i < compounds.size(); i++) {
            long gap = compounds.get(i).arrivalNanos() - compounds.get(i - 1).arrivalNanos();
            assertTrue(gap > 400 * MS && gap < 1700 * MS, "gap " + i + ": " + gap / MS + " ms");
        }
        assertEquals(compounds.size(), onLoop(() -> server.statistics().reportsSent()), 1);
        assertEquals(0, client.dropCount(NativeTestPeer.DropReason.SRTP_UNPROTECT_REFUSED));
        assertEquals(0, client.dropCount(NativeTestPeer.DropReason.RTCP_MALFORMED));
    }

    @Test
    void anSrFromTheClientIsEchoedInTheServersNextReportBlock() throws Exception {
        connect();
        client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 1, 960, new byte[40]);
        Await.until("the audio stream at the server", TIMEOUT,
                () -> onLoop(() -> server.statistics().receiveStatistics(client.audioSsrc())) != null);
        long ntp = 0x1122_3344_5566_7788L;
        client.sendRtcp(senderReport(client.audioSsrc(), ntp));
        Await.until("the SR at the server", TIMEOUT, () -> onLoop(() -> server.statistics().senderReportsReceived()) == 1);
        // More audio, so the next report carries a block for the client's stream.
        client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 2, 1920, new byte[40]);
        int before = client.receivedRtcpCompounds().size();
        Report report = awaitReport(before, r -> r.blockSsrc == client.audioSsrc() && r.lastSenderReport != 0);
        assertEquals(0x3344_5566L, report.lastSenderReport);
        assertTrue(report.delaySinceLastSenderReport < 2 * NtpTime.COMPACT_UNITS_PER_SECOND, "DLSR " + report.delaySinceLastSenderReport);
        assertEquals(0, onLoop(() -> server.dropCount(PeerDropReason.RTCP_MALFORMED)));
    }

    /**
     * A publisher's leg: the server sends nothing, so there is no SR for the client to echo. The
     * server's report carries an RRTR; the client's DLRR answering it gives the server the leg's
     * RTT, and the client's own RRTR is answered with a DLRR in the server's next report.
     */
    @Test
    void onALegItOnlyReceivesTheServerGetsAnRttFromTheClientsDlrrAndAnswersItsRrtr() throws Exception {
        connect();
        for (int seq = 1; seq <= 5; seq++) {
            client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, seq, 960L * seq, new byte[40]);
        }
        Await.until("the audio stream at the server", TIMEOUT,
                () -> onLoop(() -> server.statistics().receiveStatistics(client.audioSsrc())) != null);
        int before = client.receivedRtcpCompounds().size();
        ExtendedReportSeen rrtr = awaitExtendedReport(before, xr -> xr.referenceTime != 0);
        assertEquals(onLoop(() -> server.statistics().receiverReportSsrc()), rrtr.senderSsrc);
        long wallNtpSeconds = NtpTime.fromUnixNanos(System.currentTimeMillis() * MS) >>> 32;
        assertEquals(wallNtpSeconds, rrtr.referenceTime >>> 32, 5, "the RRTR's NTP time is wall-clock time");
        assertEquals(PeerStatistics.NO_RTT, onLoop(() -> server.statistics().roundTripTimeNanos()),
                "nothing sent, so no SR to echo: no RTT from report blocks");

        // The client answers: RR, then an XR with a DLRR for the server's RRTR and an RRTR of its own.
        long clientNtp = 0x1122_3344_5566_7788L;
        ByteBuf compound = Unpooled.buffer(128);
        RtcpReceiverReport.end(compound, RtcpReceiverReport.begin(compound, client.audioSsrc()));
        int xr = RtcpExtendedReport.begin(compound, client.audioSsrc());
        RtcpExtendedReport.writeReceiverReferenceTime(compound, clientNtp);
        int dlrr = RtcpExtendedReport.beginDlrr(compound);
        RtcpExtendedReport.writeDlrrSubBlock(compound, rrtr.senderSsrc, NtpTime.compact(rrtr.referenceTime),
                NtpTime.durationToCompact(System.nanoTime() - rrtr.arrivalNanos));
        RtcpExtendedReport.endDlrr(compound, dlrr);
        RtcpExtendedReport.end(compound, xr);
        client.sendRtcp(ByteBufUtil.getBytes(compound));

        Await.until("an RTT at the server from the client's DLRR", TIMEOUT,
                () -> onLoop(() -> server.statistics().extendedReportRoundTripTimeMeasurements()) == 1);
        long rtt = onLoop(() -> server.statistics().roundTripTimeNanos());
        assertTrue(rtt >= 0 && rtt < 500 * MS, "loopback RTT " + rtt + " ns");
        assertEquals(rtt, onLoop(() -> server.statistics().extendedReportRoundTripTimeNanos()));
        assertEquals(1, onLoop(() -> server.statistics().receiverReferenceTimesReceived()));

        ExtendedReportSeen answer = awaitExtendedReport(before, seen -> seen.dlrrSsrc == client.audioSsrc());
        assertEquals(0x3344_5566L, answer.dlrrLastReceiverReport);
        assertTrue(answer.dlrrDelay < 2 * NtpTime.COMPACT_UNITS_PER_SECOND, "DLRR " + answer.dlrrDelay);
        assertEquals(0, onLoop(() -> server.rtcpDropCount(RtcpDropReason.EXTENDED_REPORT_MALFORMED)));
        assertEquals(0, client.dropCount(NativeTestPeer.DropReason.RTCP_MALFORMED));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** What the test reads of the XR in one compound from the server: its RRTR and first DLRR sub-block. */
    private record ExtendedReportSeen(long arrivalNanos, long senderSsrc, long referenceTime, long dlrrSsrc,
                                      long dlrrLastReceiverReport, long dlrrDelay) {
    }

    /** Waits for a compound after the first {@code skip} whose XR matches. */
    private ExtendedReportSeen awaitExtendedReport(int skip, java.util.function.Predicate<ExtendedReportSeen> condition) {
        CompletableFuture<ExtendedReportSeen> found = new CompletableFuture<>();
        Await.until("a matching XR from the server", TIMEOUT, () -> {
            List<ReceivedRtcpCompound> compounds = client.receivedRtcpCompounds();
            for (int i = skip; i < compounds.size(); i++) {
                ByteBuf buffer = Unpooled.wrappedBuffer(compounds.get(i).bytes());
                RtcpCompoundIterator iterator = new RtcpCompoundIterator().wrap(buffer);
                while (iterator.next()) {
                    if (iterator.packetType() != RtcpHeader.EXTENDED_REPORT) {
                        continue;
                    }
                    RtcpExtendedReport xr = new RtcpExtendedReport();
                    assertTrue(xr.wrap(buffer, iterator.packetOffset(), iterator.packetLength()));
                    long referenceTime = 0;
                    long dlrrSsrc = -1;
                    long lrr = 0;
                    long delay = 0;
                    while (xr.nextBlock()) {
                        if (xr.blockType() == RtcpExtendedReport.RECEIVER_REFERENCE_TIME) {
                            referenceTime = xr.receiverReferenceTime();
                        } else if (xr.blockType() == RtcpExtendedReport.DLRR && xr.dlrrSubBlockCount() > 0) {
                            dlrrSsrc = xr.dlrrSsrc(0);
                            lrr = xr.dlrrLastReceiverReport(0);
                            delay = xr.dlrrDelaySinceLastReceiverReport(0);
                        }
                    }
                    ExtendedReportSeen seen = new ExtendedReportSeen(compounds.get(i).arrivalNanos(), xr.senderSsrc(),
                            referenceTime, dlrrSsrc, lrr, delay);
                    if (condition.test(seen)) {
                        found.complete(seen);
                        return true;
                    }
                }
            }
            return false;
        }, () -> client.receivedRtcp().toString());
        return found.join();
    }

    /** What the test reads of one compound from the server: the first SR/RR, its first block, SDES. */
    private record Report(long arrivalNanos, boolean receiverReport, long senderSsrc, long ntpTimestamp,
                          long rtpTimestamp, long packetCount, long octetCount, long blockSsrc,
                          long extendedHighestSequenceNumber, int cumulativeLost, long lastSenderReport,
                          long delaySinceLastSenderReport, String cname) {
    }

    private interface ReportCondition {
        boolean test(Report report);
    }

    /** Waits for a compound after the first {@code skip} that matches, parsing each strictly. */
    private Report awaitReport(int skip, ReportCondition condition) {
        CompletableFuture<Report> found = new CompletableFuture<>();
        Await.until("a matching report from the server", TIMEOUT, () -> {
            List<ReceivedRtcpCompound> compounds = client.receivedRtcpCompounds();
            for (int i = skip; i < compounds.size(); i++) {
                Report report = parse(compounds.get(i));
                if (condition.test(report)) {
                    found.complete(report);
                    return true;
                }
            }
            return false;
        }, () -> client.receivedRtcp().toString());
        return found.join();
    }

    /** RFC 3550 §6.1: SR or RR first, then SDES with a CNAME; every packet well formed. */
    private static Report parse(ReceivedRtcpCompound compound) {
        ByteBuf buffer = Unpooled.wrappedBuffer(compound.bytes());
        RtcpCompoundIterator iterator = new RtcpCompoundIterator().wrap(buffer);
        assertTrue(iterator.next(), "an empty compound");
        int firstType = iterator.packetType();
        assertTrue(firstType == RtcpHeader.SENDER_REPORT || firstType == RtcpHeader.RECEIVER_REPORT, "starts with " + firstType);
        boolean isRr = firstType == RtcpHeader.RECEIVER_REPORT;
        long senderSsrc;
        long ntp = 0;
        long rtpTimestamp = 0;
        long packets = 0;
        long octets = 0;
        RtcpReportBlock block = null;
        if (isRr) {
            RtcpReceiverReport rr = new RtcpReceiverReport();
            assertTrue(rr.wrap(buffer, iterator.packetOffset(), iterator.packetLength()));
            senderSsrc = rr.senderSsrc();
            block = rr.reportBlockCount() > 0 ? rr.reportBlock(0) : null;
        } else {
            RtcpSenderReport sr = new RtcpSenderReport();
            assertTrue(sr.wrap(buffer, iterator.packetOffset(), iterator.packetLength()));
            senderSsrc = sr.senderSsrc();
            ntp = sr.ntpTimestamp();
            rtpTimestamp = sr.rtpTimestamp();
            packets = sr.packetCount();
            octets = sr.octetCount();
            block = sr.reportBlockCount() > 0 ? sr.reportBlock(0) : null;
        }
        long blockSsrc = block == null ? -1 : block.ssrc();
        long highest = block == null ? -1 : block.extendedHighestSequenceNumber();
        int lost = block == null ? 0 : block.cumulativeLost();
        long lsr = block == null ? 0 : block.lastSenderReport();
        long dlsr = block == null ? 0 : block.delaySinceLastSenderReport();
        String cname = null;
        while (iterator.next()) {
            if (iterator.packetType() == RtcpHeader.SOURCE_DESCRIPTION) {
                RtcpSourceDescription sdes = new RtcpSourceDescription();
                assertTrue(sdes.wrap(buffer, iterator.packetOffset(), iterator.packetLength()));
                assertTrue(sdes.nextChunk());
                assertEquals(senderSsrc, sdes.chunkSsrc(), "the CNAME describes the report's sender");
                assertTrue(sdes.nextItem());
                assertEquals(RtcpSourceDescription.CNAME, sdes.itemType());
                cname = buffer.toString(sdes.itemOffset(), sdes.itemLength(), StandardCharsets.UTF_8);
            }
        }
        assertFalse(iterator.isMalformed());
        assertNotNull(cname, "no SDES CNAME in the compound");
        return new Report(compound.arrivalNanos(), isRr, senderSsrc, ntp, rtpTimestamp, packets, octets, blockSsrc,
                highest, lost, lsr, dlsr, cname);
    }

    private void connect() throws Exception {
        session = NativeSession.connect();
        client = session.client();
        server = session.server();
        assertEquals(client.serverSsrc(MediaKind.AUDIO), server.answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().ssrc());
    }

    private <T> T onLoop(Callable<T> task) {
        return session.onLoop(task);
    }

    private ByteBuf serverRtp(long ssrc, int payloadType, int sequenceNumber, long timestamp, int payloadLength) {
        ByteBuf packet = server.allocator().buffer(RtpPacket.FIXED_HEADER_LENGTH + payloadLength + PeerConnection.RTP_TAILROOM);
        packet.writeByte(RtpPacket.VERSION << 6).writeByte(payloadType).writeShort(sequenceNumber)
                .writeInt((int) timestamp).writeInt((int) ssrc).writeZero(payloadLength);
        return packet;
    }

    private static byte[] receiverReport(long senderSsrc, long aboutSsrc, long lastSenderReport, long delay) {
        ByteBuf out = Unpooled.buffer(64);
        int start = RtcpReceiverReport.begin(out, senderSsrc);
        RtcpReportBlock.write(out, aboutSsrc, 0, 0, 14, 0, lastSenderReport, delay);
        RtcpReceiverReport.end(out, start);
        return ByteBufUtil.getBytes(out);
    }

    private static byte[] senderReport(long senderSsrc, long ntpTimestamp) {
        ByteBuf out = Unpooled.buffer(64);
        RtcpSenderReport.end(out, RtcpSenderReport.begin(out, senderSsrc, ntpTimestamp, 960, 1, 40));
        return ByteBufUtil.getBytes(out);
    }
}
