package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import org.archipelago.media.rtcp.RtcpExtendedReport;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtcp.RtcpPictureLossIndication;
import org.archipelago.media.rtcp.RtcpReceiverReport;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtx.NackResponder;
import org.archipelago.media.rtx.RetransmissionDropReason;
import org.archipelago.media.rtx.RtxDepacketizer;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.stats.PeerStatistics;
import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.peer.NativeSession;
import org.archipelago.media.testing.peer.NativeTestPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connected peer whose SRTP/SRTCP is valid but whose content is not: NACKs for SSRCs we never
 * sent, NACK storms, RTX with payload types nobody negotiated, RTCP whose lengths cannot be. Every
 * case is dropped and counted on the misbehaving peer's leg, costs bounded work, and a second
 * peer on the <em>same event loop</em> keeps receiving its media throughout.
 */
class MisbehavingPeerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** What the server sends the misbehaving peer before it starts NACKing, across the 16-bit wrap. */
    private static final int FIRST = 65400;
    private static final int SENT = 300;
    private static final int UNNEGOTIATED_PAYLOAD_TYPE = 120;

    private NativeSession session;
    /** The misbehaving client and the server's side of it. */
    private NativeTestPeer mallory;
    private PeerConnection malloryLeg;
    /** The well-behaved client on the same loop, and its leg. */
    private NativeSession.Leg alice;
    private ScheduledFuture<?> aliceMedia;

    @BeforeEach
    void connect() throws Exception {
        AtomicLong rtpAtServer = new AtomicLong();
        session = NativeSession.connect(new PeerConnection.Listener() {
            @Override
            public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
                rtpAtServer.incrementAndGet();
            }
        });
        mallory = session.client();
        malloryLeg = session.server();
        // One packet each way first: SRTP's first use is slow (JCE start-up, seconds on a loaded
        // machine), and a loop busy with it must not stall the second handshake on the same loop.
        mallory.sendRtp(mallory.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 0, 0, new byte[10]);
        long malloryAudio = malloryLeg.answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().ssrc();
        malloryLeg.eventLoop().execute(
                () -> malloryLeg.sendRtp(rtp(malloryLeg, malloryAudio, NativeTestPeer.AUDIO_PAYLOAD_TYPE, 0, 0, 10)));
        Await.until("a packet each way", Duration.ofSeconds(60),
                () -> receivedFrom(mallory, malloryAudio) == 1 && rtpAtServer.get() == 1);
        alice = session.connectAnother(malloryLeg.eventLoop(), new PeerConnection.Listener() {
        });
        assertTrue(alice.server().eventLoop() == malloryLeg.eventLoop(), "both legs on one loop");
        // Alice gets an audio packet every 10 ms, as from a forwarder, for as long as the test runs.
        long aliceAudio = alice.server().answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().ssrc();
        int[] sequence = {0};
        aliceMedia = alice.server().eventLoop().scheduleAtFixedRate(() -> {
            int seq = sequence[0]++ & 0xFFFF;
            alice.server().sendRtp(rtp(alice.server(), aliceAudio, NativeTestPeer.AUDIO_PAYLOAD_TYPE, seq, 960L * seq, 40));
        }, 0, 10, TimeUnit.MILLISECONDS);
        aliceKeepsReceiving("before anything");
    }

    @AfterEach
    void close() {
        if (aliceMedia != null) {
            aliceMedia.cancel(false);
        }
        if (session != null) {
            session.close();
        }
    }

    @Test
    void nacksForSsrcsNeverSentAreCountedWithoutWalkingThem() {
        // 5 compounds, each a NACK of 100 full pairs (PID + 16 BLP bits: 1700 sequence numbers) for
        // an SSRC the server does not send.
        for (int i = 0; i < 5; i++) {
            mallory.sendRtcp(nackOfFullPairs(mallory.videoSsrc(), 0xDEAD_0000L + i, 1000 * i, 100));
        }
        NackResponder retransmissions = malloryLeg.retransmissions();
        Await.until("five NACKs at the server", TIMEOUT, () -> onMalloryLoop(retransmissions::nacksReceived) == 5);
        assertEquals(5 * 1700, onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.UNKNOWN_SSRC)));
        assertEquals(0, onMalloryLoop(retransmissions::rtxSent));
        aliceKeepsReceiving("after NACKs for unknown SSRCs");
        assertNothingWrongOnAlicesLeg();
    }

    @Test
    void aStormOfTenThousandNackedSequenceNumbersGetsBoundedRetransmissions() {
        long video = malloryLeg.answer().negotiated(NativeTestPeer.VIDEO_MID).sendStream().ssrc();
        long rtxSsrc = malloryLeg.answer().negotiated(NativeTestPeer.VIDEO_MID).sendStream().rtxSsrc().orElseThrow();
        // In bursts of 30 that the client's socket buffer takes whole.
        long sendStart = System.nanoTime();
        for (int burst = 0; burst < SENT / 30; burst++) {
            int first = 30 * burst;
            onMalloryLoop(() -> {
                for (int i = first; i < first + 30; i++) {
                    malloryLeg.sendRtp(rtp(malloryLeg, video, NativeTestPeer.VIDEO_PAYLOAD_TYPE, (FIRST + i) & 0xFFFF, 3000L * i, 100));
                }
                return null;
            });
            Await.until("the video at mallory", TIMEOUT, () -> receivedFrom(mallory, video) == first + 30,
                    () -> "received " + receivedFrom(mallory, video));
        }

        // 20 compounds of 5 NACKs, each NACK asking for 100 of the 300 packets sent: 10 000 in all,
        // every packet asked for about 33 times.
        NackResponder retransmissions = malloryLeg.retransmissions();
        long start = System.nanoTime();
        int asked = 0;
        int nackPackets = 0;
        for (int compound = 0; compound < 20; compound++) {
            ByteBuf out = Unpooled.buffer(512);
            for (int n = 0; n < 5; n++) {
                int[] lost = new int[100];
                int base = FIRST + 100 * (nackPackets % 3);
                for (int i = 0; i < lost.length; i++) {
                    lost[i] = (base + i) & 0xFFFF;
                }
                assertTrue(RtcpNack.write(out, mallory.videoSsrc(), video, lost, lost.length));
                asked += lost.length;
                nackPackets++;
            }
            mallory.sendRtcp(ByteBufUtil.getBytes(out));
        }
        assertEquals(10_000, asked);
        Await.until("100 NACKs at the server", TIMEOUT, () -> onMalloryLoop(retransmissions::nacksReceived) == 100);
        long stormNanos = System.nanoTime() - start;
        aliceKeepsReceiving("during the NACK storm");

        long rtx = onMalloryLoop(retransmissions::rtxSent);
        long withinRtt = onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.WITHIN_RTT));
        long overRate = onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.OVER_RATE_LIMIT));
        // A packet asked for again after its retransmission goes out twice: the second copy answers
        // the same request, so it is not counted against what was asked.
        long secondCopies = onMalloryLoop(retransmissions::redundantRetransmissions);
        long accounted = rtx - secondCopies + onMalloryLoop(() -> Arrays.stream(RetransmissionDropReason.values())
                .mapToLong(retransmissions::dropCount).sum());
        assertEquals(asked, accounted, "every sequence number asked is retransmitted or counted once");
        // Each packet goes out again at most once per 3/4 of an RTT (100 ms until one is measured),
        // twice from the second time on, and never more than 1000 per second: the storm costs
        // a few times the 300 packets, not 10 000.
        long rttPeriods = 1 + TimeUnit.NANOSECONDS.toMillis(stormNanos) / 75;
        long bound = Math.min(2 * SENT * rttPeriods, 1000 + TimeUnit.NANOSECONDS.toMillis(stormNanos));
        String figures = "retransmissions " + rtx + " for a storm of " + TimeUnit.NANOSECONDS.toMillis(stormNanos)
                + " ms, bound " + bound + "; within RTT " + withinRtt + ", over rate " + overRate
                + ", too old " + onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.TOO_OLD));
        assertTrue(rtx <= bound, figures);
        // Every packet once, unless the machine was so slow that some aged past 1 s before being asked.
        boolean allYoung = System.nanoTime() - sendStart < TimeUnit.MILLISECONDS.toNanos(900);
        assertTrue(allYoung ? rtx >= SENT : rtx > 0, figures);
        // They went out in bursts (up to 300 in one loop run) that a default client socket buffer
        // does not take whole on a loaded machine: some arrive, none beyond what was sent.
        Await.until("retransmissions at mallory", TIMEOUT, () -> receivedFrom(mallory, rtxSsrc) > 0);
        assertTrue(receivedFrom(mallory, rtxSsrc) <= rtx);

        // One NACK packet asking for 5100 at once: 256 looked at, the rest counted in one step.
        long overNackBefore = onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.OVER_NACK_LIMIT));
        mallory.sendRtcp(nackOfFullPairs(mallory.videoSsrc(), video, FIRST, 300));
        Await.until("the big NACK at the server", TIMEOUT, () -> onMalloryLoop(retransmissions::nacksReceived) == 101);
        assertEquals(300 * 17 - 256,
                onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.OVER_NACK_LIMIT)) - overNackBefore);
        System.out.printf("NACK storm: %d sequence numbers asked in %d ms -> %d retransmissions "
                        + "(within RTT %d, over rate %d, over per-NACK %d)%n", asked,
                TimeUnit.NANOSECONDS.toMillis(stormNanos), rtx, withinRtt, overRate,
                onMalloryLoop(() -> retransmissions.dropCount(RetransmissionDropReason.OVER_NACK_LIMIT)));
        aliceKeepsReceiving("after the NACK storm");
        assertNothingWrongOnAlicesLeg();
    }

    @Test
    void rtxWithPayloadTypesNobodyNegotiatedIsCountedAndDropped() {
        // The real media first, so the video stream has a loss tracker and the RTX SSRC its pair.
        for (int seq = 1; seq <= 5; seq++) {
            mallory.sendRtp(mallory.videoSsrc(), NativeTestPeer.VIDEO_PAYLOAD_TYPE, seq, 3000L * seq, new byte[50]);
        }
        Await.until("the video at the server", TIMEOUT,
                () -> onMalloryLoop(() -> malloryLeg.rtpPacketsReceived(MediaKind.VIDEO)) == 5);

        // On the announced RTX SSRC: 20 packets of a payload type never offered; 3 padding-only RTX
        // (no OSN); 2 RTX of a packet that was never missing.
        for (int seq = 1; seq <= 20; seq++) {
            mallory.sendRtp(mallory.videoRtxSsrc(), UNNEGOTIATED_PAYLOAD_TYPE, seq, 3000, new byte[50]);
        }
        for (int seq = 21; seq <= 23; seq++) {
            mallory.sendRtp(mallory.videoRtxSsrc(), NativeTestPeer.VIDEO_RTX_PAYLOAD_TYPE, seq, 3000, new byte[1]);
        }
        for (int seq = 24; seq <= 25; seq++) {
            byte[] payload = new byte[52];
            payload[1] = 3;   // OSN 3: received already
            mallory.sendRtp(mallory.videoRtxSsrc(), NativeTestPeer.VIDEO_RTX_PAYLOAD_TYPE, seq, 9000, payload);
        }
        // And 100 SSRCs nobody announced, with that payload type: not even a stream to place them in.
        for (int ssrc = 1; ssrc <= 100; ssrc++) {
            mallory.sendRtp(0x5000_0000L + ssrc, UNNEGOTIATED_PAYLOAD_TYPE, 1, 0, new byte[10]);
        }
        Await.until("every bad packet counted", TIMEOUT, () -> onMalloryLoop(() ->
                malloryLeg.dropCount(PeerDropReason.RTP_UNKNOWN_PAYLOAD_TYPE) == 20
                        && malloryLeg.dropCount(PeerDropReason.RTP_UNKNOWN_STREAM) == 100
                        && malloryLeg.rtxDropCount(RtxDepacketizer.DropReason.PADDING_ONLY) == 3
                        && malloryLeg.rtxDropCount(RtxDepacketizer.DropReason.NOT_NEEDED) == 2),
                () -> onMalloryLoop(this::malloryCounters));
        assertEquals(0, onMalloryLoop(() -> malloryLeg.rtxDropCount(RtxDepacketizer.DropReason.UNKNOWN_SSRC)));
        assertTrue(onMalloryLoop(() -> malloryLeg.statistics().receiveStreamCount()) <= PeerStatistics.MAX_RECEIVE_STREAMS);
        assertEquals(0, onMalloryLoop(() -> malloryLeg.statistics().receiveStatistics(mallory.videoRtxSsrc()).jitter()),
                "RTX repeats old timestamps late: no jitter is taken from it");
        aliceKeepsReceiving("after bad RTX");
        assertNothingWrongOnAlicesLeg();
    }

    @Test
    void rtcpWithImpossibleLengthsIsCountedAndTheRestOfTheCompoundUsed() {
        long serverVideo = malloryLeg.answer().negotiated(NativeTestPeer.VIDEO_MID).sendStream().ssrc();
        long sender = mallory.videoSsrc();
        int[] compound = concat(
                receiverReport(sender),
                new int[] {
                        0x9F, 0xC9, 0x00, 0x01, // RR claiming 31 report blocks in 8 bytes
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        0x80, 0xC8, 0x00, 0x01, // SR of 8 bytes: no room for the sender info
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        0x81, 0xCD, 0x00, 0x02, // generic NACK of 12 bytes: no (PID, BLP) pair
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        b3(serverVideo), b2(serverVideo), b1(serverVideo), b0(serverVideo),
                        0x81, 0xCE, 0x00, 0x01, // PLI of 8 bytes: no media SSRC
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        0x84, 0xCE, 0x00, 0x02, // FIR of 12 bytes: no entry
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        0x00, 0x00, 0x00, 0x00, //
                        0x80, 0xCF, 0x00, 0x02, // XR of 12 bytes
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        0x04, 0x00, 0xFF, 0xFF, // RRTR block claiming 262 144 bytes
                        0x81, 0xCE, 0x00, 0x02, // PLI for an SSRC the server does not send
                        b3(sender), b2(sender), b1(sender), b0(sender),
                        0x0B, 0xAD, 0xBE, 0xEF, //
                },
                pli(sender, serverVideo),       // and one good PLI: still handled
                new int[] {
                        0x80, 0xC9, 0xFF, 0xFF, // a header whose length runs 256 KiB past the datagram
                        b3(sender), b2(sender), b1(sender), b0(sender),
                });
        for (int i = 0; i < 10; i++) {
            mallory.sendRtcp(toBytes(compound));
        }
        Await.until("ten compounds at the server", TIMEOUT,
                () -> onMalloryLoop(() -> malloryLeg.dropCount(PeerDropReason.RTCP_MALFORMED)) == 10,
                () -> onMalloryLoop(this::malloryCounters));
        assertEquals(20, onMalloryLoop(() -> malloryLeg.rtcpDropCount(RtcpDropReason.REPORT_MALFORMED)));
        assertEquals(30, onMalloryLoop(() -> malloryLeg.rtcpDropCount(RtcpDropReason.FEEDBACK_MALFORMED)));
        assertEquals(10, onMalloryLoop(() -> malloryLeg.rtcpDropCount(RtcpDropReason.EXTENDED_REPORT_MALFORMED)));
        assertEquals(10, onMalloryLoop(() -> malloryLeg.rtcpDropCount(RtcpDropReason.KEYFRAME_REQUEST_UNKNOWN_SSRC)));
        assertEquals(10, onMalloryLoop(malloryLeg::keyframeRequestsReceived), "the good PLI of each compound");
        assertEquals(10, onMalloryLoop(() -> malloryLeg.statistics().receiverReportsReceived()), "the good RR of each");
        assertEquals(PeerState.CONNECTED, onMalloryLoop(malloryLeg::state));
        aliceKeepsReceiving("after impossible RTCP");
        assertNothingWrongOnAlicesLeg();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Alice's packet count grows by at least 10 (100 ms of her media) from now. */
    private void aliceKeepsReceiving(String when) {
        int before = alice.client().receivedRtp().size();
        Await.until("alice's media to keep arriving " + when, TIMEOUT,
                () -> alice.client().receivedRtp().size() >= before + 10,
                () -> "received " + alice.client().receivedRtp().size() + ", was " + before);
    }

    private void assertNothingWrongOnAlicesLeg() {
        String drops = alice.onLoop(() -> Arrays.stream(PeerDropReason.values())
                .filter(reason -> alice.server().dropCount(reason) > 0)
                .map(reason -> reason + "=" + alice.server().dropCount(reason))
                .collect(Collectors.joining(", ")));
        assertEquals("", drops, "alice's leg dropped nothing");
        assertEquals(PeerState.CONNECTED, alice.onLoop(() -> alice.server().state()));
        assertEquals(0, alice.client().dropCount(NativeTestPeer.DropReason.SRTP_UNPROTECT_REFUSED));
    }

    private String malloryCounters() {
        StringBuilder out = new StringBuilder();
        for (PeerDropReason reason : PeerDropReason.values()) {
            out.append(reason).append('=').append(malloryLeg.dropCount(reason)).append(' ');
        }
        for (RtcpDropReason reason : RtcpDropReason.values()) {
            out.append(reason).append('=').append(malloryLeg.rtcpDropCount(reason)).append(' ');
        }
        for (RtxDepacketizer.DropReason reason : RtxDepacketizer.DropReason.values()) {
            out.append("RTX_").append(reason).append('=').append(malloryLeg.rtxDropCount(reason)).append(' ');
        }
        return out.toString();
    }

    private <T> T onMalloryLoop(Callable<T> task) {
        return session.onLoop(task);
    }

    private static long receivedFrom(NativeTestPeer client, long ssrc) {
        return client.receivedRtp().stream().filter(packet -> packet.ssrc() == ssrc).count();
    }

    private static ByteBuf rtp(PeerConnection peer, long ssrc, int payloadType, int sequenceNumber, long timestamp,
                               int payloadLength) {
        ByteBuf packet = peer.allocator().buffer(RtpPacket.FIXED_HEADER_LENGTH + payloadLength + PeerConnection.RTP_TAILROOM);
        packet.writeByte(RtpPacket.VERSION << 6).writeByte(payloadType).writeShort(sequenceNumber)
                .writeInt((int) timestamp).writeInt((int) ssrc).writeZero(payloadLength);
        return packet;
    }

    /** A generic NACK of {@code pairs} pairs, each its PID and all 16 after it: 17 × pairs sequence numbers. */
    private static byte[] nackOfFullPairs(long senderSsrc, long mediaSsrc, int firstPid, int pairs) {
        ByteBuf out = Unpooled.buffer(12 + 4 * pairs);
        out.writeByte(0x80 | RtcpNack.FORMAT).writeByte(RtcpHeader.TRANSPORT_FEEDBACK).writeShort(2 + pairs)
                .writeInt((int) senderSsrc).writeInt((int) mediaSsrc);
        for (int i = 0; i < pairs; i++) {
            out.writeShort((firstPid + 17 * i) & 0xFFFF).writeShort(0xFFFF);
        }
        return ByteBufUtil.getBytes(out);
    }

    private static int[] receiverReport(long senderSsrc) {
        ByteBuf out = Unpooled.buffer(8);
        RtcpReceiverReport.end(out, RtcpReceiverReport.begin(out, senderSsrc));
        return ints(ByteBufUtil.getBytes(out));
    }

    private static int[] pli(long senderSsrc, long mediaSsrc) {
        ByteBuf out = Unpooled.buffer(RtcpPictureLossIndication.LENGTH);
        RtcpPictureLossIndication.write(out, senderSsrc, mediaSsrc);
        return ints(ByteBufUtil.getBytes(out));
    }

    private static int[] ints(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xFF;
        }
        return ints;
    }

    private static byte[] toBytes(int[] ints) {
        byte[] bytes = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) {
            bytes[i] = (byte) ints[i];
        }
        return bytes;
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static int b3(long value) {
        return (int) (value >>> 24) & 0xFF;
    }

    private static int b2(long value) {
        return (int) (value >>> 16) & 0xFF;
    }

    private static int b1(long value) {
        return (int) (value >>> 8) & 0xFF;
    }

    private static int b0(long value) {
        return (int) value & 0xFF;
    }
}
