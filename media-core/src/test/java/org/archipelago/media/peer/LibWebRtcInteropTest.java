package org.archipelago.media.peer;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsType;
import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtcp.RtcpPictureLossIndication;
import org.archipelago.media.rtp.RedPayload;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.stats.PeerStatistics;
import org.archipelago.media.stats.ReceiveStatistics;
import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.webrtc.LibWebRtcPeer;
import org.archipelago.media.testing.webrtc.PeerStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real libwebrtc peer (webrtc-java) against the media engine over loopback: ICE-lite, DTLS-SRTP
 * and RTP/RTCP as a browser does them, with nothing simulated on either side.
 */
class LibWebRtcInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static MediaEngine engine;

    @BeforeAll
    static void startEngine() throws InterruptedException {
        engine = MediaEngine.start(MediaEngine.Options.loopback(0));
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    /** Counts what a peer delivers, on the peer's loop. */
    private static class CountingListener implements PeerConnection.Listener {
        final CompletableFuture<PeerConnection> connected = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final AtomicLong audioPackets = new AtomicLong();
        final AtomicLong videoPackets = new AtomicLong();
        /** Audio packets in RED (RFC 2198) whose primary block is the section's Opus. */
        final AtomicLong redOfOpusPackets = new AtomicLong();
        private final RedPayload red = new RedPayload();

        @Override
        public void onConnected(PeerConnection peer) {
            connected.complete(peer);
        }

        @Override
        public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean retransmission, long nowNanos) {
            (media.kind() == MediaKind.AUDIO ? audioPackets : videoPackets).incrementAndGet();
            Codec codec = media.codec(packet.payloadType());
            Codec primary = codec != null && codec.isRed()
                    && red.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())
                    ? media.codec(red.primaryPayloadType()) : null;
            if (primary != null && primary.name().equalsIgnoreCase("opus")) {
                redOfOpusPackets.incrementAndGet();
            }
        }

        @Override
        public void onClosed(PeerConnection peer, String reason) {
            closed.complete(reason);
        }
    }

    @Test
    void libwebrtcConnectsAndTheServerDecryptsItsAudioAndVideo() throws Exception {
        CountingListener listener = new CountingListener();
        PeerConnection peer;
        try (LibWebRtcPeer browser = LibWebRtcPeer.create("publisher", LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false))) {
            String offer = browser.createOffer();
            peer = engine.createPeer(offer, listener);
            String answer = peer.answer().toSdp();
            assertTrue(answer.contains("a=ice-lite"), answer);
            assertTrue(answer.contains("a=setup:passive"), answer);
            browser.setAnswer(answer);

            browser.awaitConnected(TIMEOUT);
            listener.connected.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Await.until("audio and video RTP decrypted by the server", TIMEOUT,
                    () -> listener.audioPackets.get() >= 50 && listener.videoPackets.get() >= 50,
                    () -> "audio=" + listener.audioPackets + " video=" + listener.videoPackets);
            // The answer lists RED before Opus, which is what makes libwebrtc send RED.
            assertTrue(answer.contains("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"), answer);
            assertTrue(listener.redOfOpusPackets.get() >= 40,
                    "libwebrtc's audio arrives as RED of Opus: " + listener.redOfOpusPackets + " of " + listener.audioPackets);

            PeerConnection connected = peer;
            runOnLoop(connected, () -> {
                assertEquals(PeerState.CONNECTED, connected.state());
                assertEquals(0, connected.dropCount(PeerDropReason.SRTP_UNPROTECT_REFUSED), "no packet of a real peer fails SRTP");
                assertEquals(0, connected.dropCount(PeerDropReason.RTP_MALFORMED));
                assertTrue(connected.rtpPacketsReceived(MediaKind.VIDEO) >= 50);
                assertTrue(connected.rtcpPacketsReceived() > 0, "libwebrtc sends RTCP (SR, SDES) that the server decrypts");
                assertTrue(connected.transportFeedbackSent() > 0, "the server sends transport-wide feedback for libwebrtc's congestion control");
                return null;
            });
        }
        // The browser closed: DTLS close_notify reaches the server, which closes and frees the peer.
        String reason = listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(reason.startsWith("dtls"), reason);
        Await.until("the peer to leave the engine", TIMEOUT, () -> !engine.peers().contains(peer));
        assertEquals(0, engine.demux().addressCount());
    }

    /**
     * The server sends the peer's own video back to it, re-encrypted with the peer's outbound keys
     * under the server's SSRC: the libwebrtc peer decodes it.
     */
    @Test
    void videoLoopedBackThroughTheServerIsDecodedByLibwebrtc() throws Exception {
        LoopbackListener listener = new LoopbackListener();
        try (LibWebRtcPeer browser = LibWebRtcPeer.create("loopback", LibWebRtcPeer.Options.defaults())) {
            PeerConnection peer = engine.createPeer(browser.createOffer(), listener);
            browser.setAnswer(peer.answer().toSdp());
            browser.awaitConnected(TIMEOUT);

            PeerStats stats = browser.awaitStats(s -> s.videoFramesDecoded() >= 30, TIMEOUT);
            assertTrue(stats.videoFramesDecoded() >= 30, stats.toString());
            assertTrue(listener.looped.get() > 0);
            peer.close("test done");
            listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * RTCP is terminated per leg and libwebrtc understands ours: the SR the server sends about its
     * video becomes the browser's remote-outbound-rtp, the RR about the browser's video its
     * remote-inbound-rtp round-trip time, and the browser's RR about our video gives the server an RTT.
     */
    @Test
    void libwebrtcReadsTheServersReportsAndAnswersThemWithAnRtt() throws Exception {
        LoopbackListener listener = new LoopbackListener();
        try (LibWebRtcPeer browser = LibWebRtcPeer.create("reports", LibWebRtcPeer.Options.defaults())) {
            PeerConnection peer = engine.createPeer(browser.createOffer(), listener);
            browser.setAnswer(peer.answer().toSdp());
            browser.awaitConnected(TIMEOUT);
            long serverVideoSsrc = peer.answer().negotiatedMedia().stream()
                    .filter(m -> m.kind() == MediaKind.VIDEO && m.sendStream() != null)
                    .findFirst().orElseThrow().sendStream().ssrc();

            AtomicReference<String> seen = new AtomicReference<>("");
            Await.until("remote-outbound-rtp and remote-inbound-rtp with an RTT in libwebrtc's stats", TIMEOUT, () -> {
                boolean remoteOutbound = false;
                boolean remoteInboundRtt = false;
                StringBuilder state = new StringBuilder();
                for (RTCStats stats : browser.statsReport().getStats().values()) {
                    Map<String, Object> a = stats.getAttributes();
                    if (!"video".equals(a.get("kind"))) {
                        continue;
                    }
                    if (stats.getType() == RTCStatsType.REMOTE_OUTBOUND_RTP) {
                        state.append(" remote-outbound ").append(a);
                        remoteOutbound |= a.get("ssrc") != null && ((Number) a.get("ssrc")).longValue() == serverVideoSsrc
                                && a.get("packetsSent") instanceof Number sent && sent.longValue() > 0;
                    } else if (stats.getType() == RTCStatsType.REMOTE_INBOUND_RTP) {
                        state.append(" remote-inbound ").append(a);
                        // A loopback round trip: well under a second (a wrong LSR/DLSR shows as seconds).
                        remoteInboundRtt |= a.get("roundTripTime") instanceof Number rtt && rtt.doubleValue() < 1.0;
                    }
                }
                seen.set(state.toString());
                return remoteOutbound && remoteInboundRtt;
            }, seen::get);
            Await.until("an RTT at the server from libwebrtc's RR", TIMEOUT, () -> {
                try {
                    return runOnLoop(peer, () -> peer.statistics().sendStatistics(serverVideoSsrc).roundTripTimeMeasurements() > 0);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            long rtt = runOnLoop(peer, () -> peer.statistics().sendStatistics(serverVideoSsrc).roundTripTimeNanos());
            assertTrue(rtt >= 0 && rtt < TimeUnit.SECONDS.toNanos(1), "loopback RTT " + rtt);
            peer.close("test done");
            listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * A publisher's leg: the server sends libwebrtc nothing, so no SR of ours can be echoed. Its
     * reports carry an RRTR (RFC 3611 §4.4) and libwebrtc answers with a DLRR (§4.5), which gives
     * the server the leg's RTT; loss and jitter of what libwebrtc sends come from the server's own
     * receive statistics.
     */
    @Test
    void onALibwebrtcPublishersLegTheServerGetsAnRttFromItsDlrr() throws Exception {
        CountingListener listener = new CountingListener();
        try (LibWebRtcPeer browser = LibWebRtcPeer.create("xr-publisher",
                LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false))) {
            PeerConnection peer = engine.createPeer(browser.createOffer(), listener);
            browser.setAnswer(peer.answer().toSdp());
            browser.awaitConnected(TIMEOUT);
            Await.until("an RTT at the server from libwebrtc's DLRR", TIMEOUT, () -> {
                try {
                    return runOnLoop(peer, () -> peer.statistics().extendedReportRoundTripTimeMeasurements() > 0);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, () -> {
                try {
                    return runOnLoop(peer, () -> "xr sent " + peer.statistics().extendedReportsSent()
                            + ", xr received " + peer.statistics().extendedReportsReceived()
                            + ", dlrr sub-blocks " + peer.statistics().dlrrSubBlocksReceived()
                            + " (others' " + peer.statistics().dlrrSubBlocksForOtherSsrcs() + ")"
                            + ", rtcp in " + peer.rtcpPacketsReceived());
                } catch (Exception e) {
                    return e.toString();
                }
            });
            runOnLoop(peer, () -> {
                PeerStatistics stats = peer.statistics();
                long rtt = stats.roundTripTimeNanos();
                assertTrue(rtt >= 0 && rtt < TimeUnit.SECONDS.toNanos(1), "loopback RTT " + rtt);
                for (int i = 0; i < stats.sendStreamCount(); i++) {
                    assertEquals(0, stats.sendStream(i).roundTripTimeMeasurements(), "nothing sent: no RTT from report blocks");
                }
                assertEquals(0, peer.rtcpDropCount(RtcpDropReason.EXTENDED_REPORT_MALFORMED));
                assertTrue(stats.receiveJitterNanos() < TimeUnit.SECONDS.toNanos(1), "jitter " + stats.receiveJitterNanos());
                System.out.printf("libwebrtc publisher leg: RTT %.3f ms from %d DLRR(s), jitter %.3f ms, "
                                + "lost %d (fraction %d/256)%n", rtt / 1e6, stats.extendedReportRoundTripTimeMeasurements(),
                        stats.receiveJitterNanos() / 1e6, stats.receiveCumulativeLost(), stats.receiveFractionLost());
                for (int i = 0; i < stats.receiveStreamCount(); i++) {
                    ReceiveStatistics stream = stats.receiveStream(i);
                    System.out.printf("  ssrc %d: %d packets, jitter %d units = %.3f ms, lost %d%n", stream.ssrc(),
                            stream.packetsReceived(), stream.jitter(), stream.jitterNanos() / 1e6, stream.cumulativeLost());
                }
                return null;
            });
            peer.close("test done");
            listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Echoes each primary video packet to the peer on the server's send stream of that m-section. */
    private static final class LoopbackListener extends CountingListener {
        final AtomicLong looped = new AtomicLong();
        private final RtpPacket rewritten = new RtpPacket();
        private long publisherVideoSsrc = -1;

        @Override
        public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean retransmission, long nowNanos) {
            super.onRtp(peer, media, packet, retransmission, nowNanos);
            if (media.kind() != MediaKind.VIDEO || retransmission || media.sendStream() == null) {
                return;
            }
            if (publisherVideoSsrc < 0) {
                publisherVideoSsrc = packet.ssrc();
                requestKeyframe(peer, nowNanos);
            }
            ByteBuf copy = peer.allocator().buffer(packet.length() + PeerConnection.RTP_TAILROOM);
            copy.writeBytes(packet.buffer(), packet.offset(), packet.length());
            rewritten.wrap(copy);
            rewritten.ssrc(media.sendStream().ssrc());
            peer.sendRtp(copy);
            looped.incrementAndGet();
        }

        @Override
        public void onKeyframeRequest(PeerConnection peer, long mediaSsrc, long nowNanos) {
            requestKeyframe(peer, nowNanos);
        }

        private void requestKeyframe(PeerConnection peer, long nowNanos) {
            if (publisherVideoSsrc < 0) {
                return;
            }
            ByteBuf pli = peer.allocator().buffer(RtcpPictureLossIndication.LENGTH + PeerConnection.RTCP_TAILROOM);
            RtcpPictureLossIndication.write(pli, 1, publisherVideoSsrc);
            peer.sendRtcp(pli);
        }
    }

    private static <T> T runOnLoop(PeerConnection peer, java.util.concurrent.Callable<T> task) throws Exception {
        return peer.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }
}
