package org.archipelago.media.stats;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.NtpTime;
import org.archipelago.media.rtcp.RtcpCompoundIterator;
import org.archipelago.media.rtcp.RtcpExtendedReport;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpReceiverReport;
import org.archipelago.media.rtcp.RtcpReportBlock;
import org.archipelago.media.rtcp.RtcpSenderReport;
import org.archipelago.media.rtcp.RtcpSourceDescription;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compound report of one leg (RFC 3550 §6.1, RFC 3611 XR) and what incoming SRs, RRs and XRs
 * do, on a virtual clock.
 */
class PeerStatisticsTest {
    private static final long MS = 1_000_000L;
    private static final long AUDIO = 0xA0A0_A0A0L;
    private static final long VIDEO = 0xB0B0_B0B0L;
    private static final long VIDEO_RTX = 0xB1B1_B1B1L;
    private static final long REMOTE = 0x0C0C_0C0CL;
    /** Wall clock 2024-01-01T00:00:00Z at monotonic 0. */
    private static final NtpClock CLOCK = new NtpClock(1_704_067_200_000_000_000L, 0);

    private final PeerStatistics stats = new PeerStatistics(CLOCK, List.of(
            new SendStatistics(AUDIO, 48_000), new SendStatistics(VIDEO, 90_000), new SendStatistics(VIDEO_RTX, 90_000)),
            AUDIO, "cname-1");

    @Test
    void withNothingSentTheReportIsAnRrWithBlocksForWhatWasHeardThenSdes() {
        for (int seq = 0; seq < 10; seq++) {
            if (seq != 4) {
                stats.onRtp(REMOTE, seq, 960L * seq, 48_000, seq * 20 * MS);
            }
        }
        List<Packet> report = report(1000 * MS);
        assertEquals(List.of(RtcpHeader.RECEIVER_REPORT, RtcpHeader.SOURCE_DESCRIPTION, RtcpHeader.EXTENDED_REPORT),
                types(report), "the XR carries an RRTR: the peer sends us media");

        RtcpReceiverReport rr = new RtcpReceiverReport();
        assertTrue(rr.wrap(report.get(0).buffer, report.get(0).offset, report.get(0).length));
        assertEquals(AUDIO, rr.senderSsrc());
        assertEquals(1, rr.reportBlockCount());
        RtcpReportBlock block = rr.reportBlock(0);
        assertEquals(REMOTE, block.ssrc());
        assertEquals(9, block.extendedHighestSequenceNumber());
        assertEquals(1, block.cumulativeLost());
        assertEquals((1 << 8) / 10, block.fractionLost());
        assertCname(report.get(1), AUDIO, "cname-1");
        assertEquals(1, stats.receiverReportsSent());
        assertEquals(0, stats.senderReportsSent());
        assertEquals(1, stats.reportsSent());

        // Nothing heard since: no block the next time (RFC 3550 §6.4).
        RtcpReceiverReport next = new RtcpReceiverReport();
        List<Packet> quiet = report(2000 * MS);
        assertTrue(next.wrap(quiet.get(0).buffer, quiet.get(0).offset, quiet.get(0).length));
        assertEquals(0, next.reportBlockCount());
    }

    @Test
    void afterSendingTheReportIsAnSrPerSendingSsrcWithExtrapolatedTimestamps() {
        SendStatistics audio = stats.sendStatistics(AUDIO);
        SendStatistics video = stats.sendStatistics(VIDEO);
        for (int i = 0; i < 5; i++) {
            audio.onPacket(960L * i, 100, 100 * MS + 20 * MS * i);
        }
        video.onPacket(90_000, 1000, 150 * MS);
        video.onPacket(90_000, 200, 151 * MS);
        stats.onRtp(REMOTE, 7, 0, 48_000, 100 * MS);

        long now = 1000 * MS;
        List<Packet> report = report(now);
        assertEquals(List.of(RtcpHeader.SENDER_REPORT, RtcpHeader.SENDER_REPORT, RtcpHeader.SOURCE_DESCRIPTION,
                RtcpHeader.EXTENDED_REPORT), types(report));

        RtcpSenderReport first = new RtcpSenderReport();
        assertTrue(first.wrap(report.get(0).buffer, report.get(0).offset, report.get(0).length));
        assertEquals(AUDIO, first.senderSsrc());
        assertEquals(CLOCK.ntpTimestamp(now), first.ntpTimestamp());
        // Last audio timestamp 3840 sent at 180 ms; 820 ms later at 48 kHz: + 39360.
        assertEquals(3840 + 39_360, first.rtpTimestamp());
        assertEquals(5, first.packetCount());
        assertEquals(500, first.octetCount());
        assertEquals(1, first.reportBlockCount(), "the blocks ride on the first SR");
        assertEquals(REMOTE, first.reportBlock(0).ssrc());

        RtcpSenderReport second = new RtcpSenderReport();
        assertTrue(second.wrap(report.get(1).buffer, report.get(1).offset, report.get(1).length));
        assertEquals(VIDEO, second.senderSsrc());
        assertEquals(90_000 + 76_500, second.rtpTimestamp(), "850 ms at 90 kHz after the frame's first packet");
        assertEquals(2, second.packetCount());
        assertEquals(1200, second.octetCount());
        assertEquals(0, second.reportBlockCount());
        assertCname(report.get(2), AUDIO, "cname-1");
        assertEquals(2, stats.senderReportsSent());

        // Nothing sent since: an RR again.
        assertEquals(RtcpHeader.RECEIVER_REPORT, types(report(2000 * MS)).get(0));
    }

    @Test
    void atMost31BlocksPerReportAndTheNextReportContinues() {
        for (int ssrc = 1; ssrc <= 40; ssrc++) {
            stats.onRtp(ssrc, 1, 0, 90_000, 0);
        }
        Set<Long> reported = new HashSet<>();
        RtcpReceiverReport rr = new RtcpReceiverReport();
        List<Packet> first = report(1000 * MS);
        assertTrue(rr.wrap(first.get(0).buffer, first.get(0).offset, first.get(0).length));
        assertEquals(31, rr.reportBlockCount());
        for (int i = 0; i < 31; i++) {
            reported.add(rr.reportBlock(i).ssrc());
        }
        List<Packet> second = report(2000 * MS);
        assertTrue(rr.wrap(second.get(0).buffer, second.get(0).offset, second.get(0).length));
        assertEquals(9, rr.reportBlockCount());
        for (int i = 0; i < 9; i++) {
            assertTrue(reported.add(rr.reportBlock(i).ssrc()), "reported twice: " + rr.reportBlock(i).ssrc());
        }
        assertEquals(40, reported.size());
    }

    @Test
    void incomingSsrcsAreBounded() {
        for (int ssrc = 1; ssrc <= PeerStatistics.MAX_RECEIVE_STREAMS + 3; ssrc++) {
            stats.onRtp(ssrc, 1, 0, 90_000, 0);
        }
        assertEquals(PeerStatistics.MAX_RECEIVE_STREAMS, stats.receiveStreamCount());
        assertEquals(3, stats.receiveStreamsRefused());
        assertNull(stats.receiveStatistics(PeerStatistics.MAX_RECEIVE_STREAMS + 1));
        assertTrue(report(1000 * MS).get(0).length <= stats.maxReportLength());
    }

    @Test
    void anIncomingSrIsEchoedAsLsrAndDlsr() {
        stats.onRtp(REMOTE, 1, 0, 48_000, 0);
        long remoteNtp = 0x1234_5678_9ABC_DEF0L;
        ByteBuf sr = Unpooled.buffer(64);
        RtcpSenderReport.end(sr, RtcpSenderReport.begin(sr, REMOTE, remoteNtp, 0, 1, 100));
        stats.onSenderReport(sr, 0, sr.readableBytes(), 500 * MS);
        assertEquals(1, stats.senderReportsReceived());

        stats.onRtp(REMOTE, 2, 960, 48_000, 520 * MS);
        List<Packet> report = report(750 * MS);
        RtcpReceiverReport rr = new RtcpReceiverReport();
        assertTrue(rr.wrap(report.get(0).buffer, report.get(0).offset, report.get(0).length));
        assertEquals(0x5678_9ABCL, rr.reportBlock(0).lastSenderReport());
        assertEquals(16384, rr.reportBlock(0).delaySinceLastSenderReport(), "250 ms");
    }

    @Test
    void anIncomingRrAboutOurSrGivesTheRoundTripTime() {
        SendStatistics video = stats.sendStatistics(VIDEO);
        video.onPacket(0, 1000, 0);
        long srTime = 1000 * MS;
        List<Packet> report = report(srTime);
        RtcpSenderReport sr = new RtcpSenderReport();
        assertTrue(sr.wrap(report.get(0).buffer, report.get(0).offset, report.get(0).length));
        long lsr = NtpTime.compact(sr.ntpTimestamp());

        // The remote held our SR 200 ms and the path took 30 ms each way: RR arrives at +260 ms.
        ByteBuf rr = Unpooled.buffer(64);
        int start = RtcpReceiverReport.begin(rr, REMOTE);
        RtcpReportBlock.write(rr, VIDEO, 3, 4, 100, 5, lsr, NtpTime.durationToCompact(200 * MS));
        RtcpReportBlock.write(rr, 0xDEAD, 0, 0, 0, 0, 0, 0);   // not ours: ignored
        RtcpReceiverReport.end(rr, start);
        stats.onReceiverReport(rr, 0, rr.readableBytes(), srTime + 260 * MS);

        assertEquals(1, stats.receiverReportsReceived());
        assertEquals(2, stats.reportBlocksReceived());
        assertEquals(1, stats.reportBlocksForUnknownSsrcs());
        assertEquals(1, video.roundTripTimeMeasurements());
        // 60 ms, within the 1/65536 s the compact format keeps (each conversion truncates).
        assertEquals(60 * MS, video.roundTripTimeNanos(), 2 * 15_259);
        assertEquals(3, video.remoteFractionLost());
        assertEquals(4, video.remoteCumulativeLost());
        assertEquals(5, video.remoteJitter());
    }

    @Test
    void truncatedReportsAreRefusedNotThrown() {
        ByteBuf rr = Unpooled.buffer(64);
        int start = RtcpReceiverReport.begin(rr, REMOTE);
        RtcpReportBlock.write(rr, VIDEO, 0, 0, 0, 0, 0, 0);
        RtcpReceiverReport.end(rr, start);
        rr.setByte(0, rr.getByte(0) + 1);   // claims two blocks, holds one
        assertFalse(stats.onReceiverReport(rr, 0, rr.readableBytes(), 0));
        assertFalse(stats.onSenderReport(rr, 0, rr.readableBytes(), 0), "not an SR at all");
        assertFalse(stats.onExtendedReport(rr, 0, rr.readableBytes(), 0), "not an XR either");
        assertEquals(0, stats.reportBlocksReceived());
        assertEquals(0, stats.receiverReportsReceived());
        assertFalse(stats.sendStatistics(VIDEO).reportBlocksReceived() > 0);
    }

    @Test
    void ourRrtrWhileThePeerSendsAndItsDlrrGiveTheLegsRoundTrip() {
        assertEquals(List.of(RtcpHeader.RECEIVER_REPORT, RtcpHeader.SOURCE_DESCRIPTION), types(report(500 * MS)),
                "no XR while the peer sends nothing and asked nothing");
        stats.onRtp(REMOTE, 1, 0, 48_000, 600 * MS);
        long rrtrTime = 1000 * MS;
        List<Packet> report = report(rrtrTime);
        RtcpExtendedReport xr = new RtcpExtendedReport();
        Packet last = report.get(report.size() - 1);
        assertTrue(xr.wrap(last.buffer, last.offset, last.length));
        assertEquals(AUDIO, xr.senderSsrc(), "the RR's SSRC, whether we send or not");
        assertTrue(xr.nextBlock());
        assertEquals(RtcpExtendedReport.RECEIVER_REFERENCE_TIME, xr.blockType());
        assertEquals(CLOCK.ntpTimestamp(rrtrTime), xr.receiverReferenceTime());
        long lrr = NtpTime.compact(xr.receiverReferenceTime());
        assertFalse(xr.nextBlock(), "no DLRR: the peer sent no RRTR");
        assertEquals(1, stats.extendedReportsSent());

        // The peer held our RRTR 200 ms, 30 ms each way: its DLRR arrives at +260 ms. With it, one
        // sub-block for someone else and one with LRR 0 (no RRTR received yet).
        ByteBuf dlrr = Unpooled.buffer(128);
        int start = RtcpExtendedReport.begin(dlrr, REMOTE);
        int block = RtcpExtendedReport.beginDlrr(dlrr);
        RtcpExtendedReport.writeDlrrSubBlock(dlrr, AUDIO, lrr, NtpTime.durationToCompact(200 * MS));
        RtcpExtendedReport.writeDlrrSubBlock(dlrr, 0xDEAD, lrr, 0);
        RtcpExtendedReport.writeDlrrSubBlock(dlrr, AUDIO, 0, 0);
        RtcpExtendedReport.endDlrr(dlrr, block);
        RtcpExtendedReport.end(dlrr, start);
        assertTrue(stats.onExtendedReport(dlrr, 0, dlrr.readableBytes(), rrtrTime + 260 * MS));
        assertEquals(1, stats.extendedReportRoundTripTimeMeasurements());
        assertEquals(60 * MS, stats.extendedReportRoundTripTimeNanos(), 2 * 15_259);
        assertEquals(stats.extendedReportRoundTripTimeNanos(), stats.roundTripTimeNanos(), "the leg's RTT");
        assertEquals(rrtrTime + 260 * MS, stats.roundTripTimeMeasuredNanos());
        assertEquals(3, stats.dlrrSubBlocksReceived());
        assertEquals(1, stats.dlrrSubBlocksForOtherSsrcs());

        // An echo claiming a delay longer than the round trip is refused; the RTT stays.
        ByteBuf bogus = Unpooled.buffer(64);
        start = RtcpExtendedReport.begin(bogus, REMOTE);
        block = RtcpExtendedReport.beginDlrr(bogus);
        RtcpExtendedReport.writeDlrrSubBlock(bogus, AUDIO, lrr, NtpTime.durationToCompact(900 * MS));
        RtcpExtendedReport.endDlrr(bogus, block);
        RtcpExtendedReport.end(bogus, start);
        assertTrue(stats.onExtendedReport(bogus, 0, bogus.readableBytes(), rrtrTime + 300 * MS));
        assertEquals(1, stats.extendedReportRoundTripTimesRefused());
        assertEquals(60 * MS, stats.roundTripTimeNanos(), 2 * 15_259);

        // A later RR about our SR gives the leg a newer RTT: the latest measurement wins.
        SendStatistics video = stats.sendStatistics(VIDEO);
        video.onPacket(0, 1000, 0);
        long srTime = 2000 * MS;
        List<Packet> withSr = report(srTime);
        RtcpSenderReport sr = new RtcpSenderReport();
        assertTrue(sr.wrap(withSr.get(0).buffer, withSr.get(0).offset, withSr.get(0).length));
        ByteBuf rr = Unpooled.buffer(64);
        int rrStart = RtcpReceiverReport.begin(rr, REMOTE);
        RtcpReportBlock.write(rr, VIDEO, 0, 0, 1, 0, NtpTime.compact(sr.ntpTimestamp()), NtpTime.durationToCompact(100 * MS));
        RtcpReceiverReport.end(rr, rrStart);
        assertTrue(stats.onReceiverReport(rr, 0, rr.readableBytes(), srTime + 140 * MS));
        assertEquals(40 * MS, stats.roundTripTimeNanos(), 2 * 15_259);
        assertEquals(60 * MS, stats.extendedReportRoundTripTimeNanos(), 2 * 15_259);
    }

    @Test
    void thePeersRrtrIsAnsweredOnceWithADlrr() {
        long remoteNtp = 0x1234_5678_9ABC_DEF0L;
        ByteBuf rrtr = Unpooled.buffer(64);
        int start = RtcpExtendedReport.begin(rrtr, REMOTE);
        RtcpExtendedReport.writeReceiverReferenceTime(rrtr, remoteNtp);
        RtcpExtendedReport.end(rrtr, start);
        assertTrue(stats.onExtendedReport(rrtr, 0, rrtr.readableBytes(), 500 * MS));
        assertEquals(1, stats.receiverReferenceTimesReceived());

        List<Packet> report = report(750 * MS);
        assertEquals(List.of(RtcpHeader.RECEIVER_REPORT, RtcpHeader.SOURCE_DESCRIPTION, RtcpHeader.EXTENDED_REPORT), types(report));
        RtcpExtendedReport xr = new RtcpExtendedReport();
        assertTrue(xr.wrap(report.get(2).buffer, report.get(2).offset, report.get(2).length));
        assertTrue(xr.nextBlock());
        assertEquals(RtcpExtendedReport.DLRR, xr.blockType(), "no RRTR of ours: the peer sends us no media");
        assertEquals(1, xr.dlrrSubBlockCount());
        assertEquals(REMOTE, xr.dlrrSsrc(0));
        assertEquals(0x5678_9ABCL, xr.dlrrLastReceiverReport(0));
        assertEquals(16384, xr.dlrrDelaySinceLastReceiverReport(0), "250 ms");
        assertFalse(xr.nextBlock());

        assertEquals(List.of(RtcpHeader.RECEIVER_REPORT, RtcpHeader.SOURCE_DESCRIPTION), types(report(1750 * MS)),
                "answered once: no new RRTR, no DLRR");
    }

    @Test
    void rrtrSourcesAreBoundedAndAllAnsweredInOneDlrr() {
        for (int ssrc = 1; ssrc <= PeerStatistics.MAX_REFERENCE_TIME_SOURCES + 2; ssrc++) {
            ByteBuf rrtr = Unpooled.buffer(64);
            int start = RtcpExtendedReport.begin(rrtr, ssrc);
            RtcpExtendedReport.writeReceiverReferenceTime(rrtr, (long) ssrc << 32);
            RtcpExtendedReport.end(rrtr, start);
            assertTrue(stats.onExtendedReport(rrtr, 0, rrtr.readableBytes(), 0));
        }
        assertEquals(2, stats.referenceTimeSourcesRefused());
        stats.onRtp(REMOTE, 1, 0, 48_000, 0);
        List<Packet> report = report(1000 * MS);
        Packet last = report.get(report.size() - 1);
        assertTrue(last.length <= stats.maxReportLength());
        RtcpExtendedReport xr = new RtcpExtendedReport();
        assertTrue(xr.wrap(last.buffer, last.offset, last.length));
        assertTrue(xr.nextBlock());
        assertEquals(RtcpExtendedReport.RECEIVER_REFERENCE_TIME, xr.blockType());
        assertTrue(xr.nextBlock());
        assertEquals(PeerStatistics.MAX_REFERENCE_TIME_SOURCES, xr.dlrrSubBlockCount());
    }

    @Test
    void theLegsLossAndJitterInBothDirections() {
        // In: audio 0..9 without 4 and 5; video 0..19 without 7, arriving with uneven spacing.
        for (int seq = 0; seq < 10; seq++) {
            if (seq != 4 && seq != 5) {
                stats.onRtp(REMOTE, seq, 960L * seq, 48_000, seq * 20 * MS);
            }
        }
        for (int seq = 0; seq < 20; seq++) {
            if (seq != 7) {
                stats.onRtp(REMOTE + 1, seq, 3000L * seq, 90_000, seq * 33 * MS + (seq % 2) * 5 * MS);
            }
        }
        assertEquals(3, stats.receiveCumulativeLost());
        report(1000 * MS);
        assertEquals((3 << 8) / 30, stats.receiveFractionLost(), "3 of 30 expected, the streams as one");
        long videoJitter = stats.receiveStatistics(REMOTE + 1).jitterNanos();
        assertTrue(videoJitter > 0);
        assertEquals(stats.receiveStatistics(REMOTE + 1).jitter() * 1_000_000_000L / 90_000, videoJitter);
        assertEquals(Math.max(videoJitter, stats.receiveStatistics(REMOTE).jitterNanos()), stats.receiveJitterNanos());

        // Out: what the peer's report blocks say about our audio and video.
        ByteBuf rr = Unpooled.buffer(128);
        int start = RtcpReceiverReport.begin(rr, REMOTE);
        RtcpReportBlock.write(rr, AUDIO, 10, 5, 100, 480, 0, 0);    // 10 ms of jitter at 48 kHz
        RtcpReportBlock.write(rr, VIDEO, 30, 7, 100, 900, 0, 0);    // 10 ms at 90 kHz
        RtcpReceiverReport.end(rr, start);
        assertTrue(stats.onReceiverReport(rr, 0, rr.readableBytes(), 1100 * MS));
        assertEquals(30, stats.sendFractionLost(), "the worst stream");
        assertEquals(12, stats.sendCumulativeLost());
        assertEquals(10 * MS, stats.sendJitterNanos());
        assertEquals(PeerStatistics.NO_RTT, stats.roundTripTimeNanos(), "LSR 0: no round trip");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private record Packet(ByteBuf buffer, int offset, int length, int type) {
    }

    private List<Packet> report(long nowNanos) {
        ByteBuf out = Unpooled.buffer(stats.maxReportLength());
        stats.writeReport(out, nowNanos);
        assertTrue(out.readableBytes() <= stats.maxReportLength());
        RtcpCompoundIterator iterator = new RtcpCompoundIterator().wrap(out);
        List<Packet> packets = new ArrayList<>();
        while (iterator.next()) {
            packets.add(new Packet(out, iterator.packetOffset(), iterator.packetLength(), iterator.packetType()));
        }
        assertFalse(iterator.isMalformed());
        return packets;
    }

    private static List<Integer> types(List<Packet> packets) {
        return packets.stream().map(Packet::type).toList();
    }

    private static void assertCname(Packet packet, long ssrc, String cname) {
        RtcpSourceDescription sdes = new RtcpSourceDescription();
        assertTrue(sdes.wrap(packet.buffer, packet.offset, packet.length));
        assertTrue(sdes.nextChunk());
        assertEquals(ssrc, sdes.chunkSsrc());
        assertTrue(sdes.nextItem());
        assertEquals(RtcpSourceDescription.CNAME, sdes.itemType());
        assertEquals(cname, packet.buffer.toString(sdes.itemOffset(), sdes.itemLength(), StandardCharsets.UTF_8));
    }
}
