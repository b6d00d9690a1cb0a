package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.media.ice.BindingRequestOutcome;
import org.archipelago.media.rtcp.RtcpFullIntraRequest;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtcp.RtcpPictureLossIndication;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtx.RetransmissionDropReason;
import org.archipelago.media.rtx.RtxDepacketizer;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SdpParseException;
import org.archipelago.media.stun.StunMessage;
import org.archipelago.media.stun.StunMessageIntegrity;
import org.archipelago.media.stun.StunMessageWriter;
import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.peer.NativeTestPeer;
import org.archipelago.media.testing.peer.NativeTestPeer.ReceivedRtcp;
import org.archipelago.media.testing.peer.NativeTestPeer.ReceivedRtp;
import org.archipelago.media.transport.DatagramDemux;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The media engine against {@link NativeTestPeer}, a client made of Archipelago's own ICE, DTLS
 * and SRTP: the whole peer life over real loopback UDP, and what the engine does with bad input,
 * silence and bad offers.
 */
class MediaEngineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** One client certificate for every native peer here: generating one per peer only costs time. */
    private static final DtlsCertificate CLIENT_CERTIFICATE = DtlsCertificate.generate();
    /** Consent checks so rare that a test sees none after connecting: the server's traffic is then only what it answers. */
    private static final Duration NO_CONSENT_CHECKS = Duration.ofHours(1);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        // Clients first (their close_notify reaches a live server), engines last.
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ---- connecting and media ------------------------------------------------------------------

    @Test
    void nativePeerConnectsAndRtpFlowsBothWays() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions());
        NativeTestPeer client = session.client;
        PeerConnection server = session.server;

        assertEquals(client.localAddress(), onLoop(server, server::remoteAddress), "the server selected the client's address");
        assertEquals(PeerState.CONNECTED, onLoop(server, server::state));

        // Client -> server: audio, video and one video retransmission, each with its own SSRC and PT.
        for (int i = 0; i < 5; i++) {
            client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 1000 + i, 960L * i, new byte[40 + i]);
            client.sendRtp(client.videoSsrc(), NativeTestPeer.VIDEO_PAYLOAD_TYPE, 65534 + i, 3000L * i, new byte[900 + i]);
        }
        // A retransmission of video 0 (OSN 0), which was not lost: restored, not needed, dropped.
        client.sendRtp(client.videoRtxSsrc(), NativeTestPeer.VIDEO_RTX_PAYLOAD_TYPE, 7, 0, new byte[102]);
        Await.until("the RTX dropped at the server", TIMEOUT,
                () -> onLoopUnchecked(server, () -> server.rtxDropCount(RtxDepacketizer.DropReason.NOT_NEEDED)) == 1);
        Await.until("10 RTP packets at the server", TIMEOUT, () -> session.listener.rtp.size() == 10,
                () -> session.listener.rtp.toString());

        List<Rtp> audio = session.listener.rtp.stream().filter(p -> p.kind == MediaKind.AUDIO).toList();
        List<Rtp> video = session.listener.rtp.stream().filter(p -> p.kind == MediaKind.VIDEO && !p.retransmission).toList();
        List<Rtp> rtx = session.listener.rtp.stream().filter(p -> p.retransmission).toList();
        assertEquals(5, audio.size());
        assertEquals(5, video.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(new Rtp(NativeTestPeer.AUDIO_MID, MediaKind.AUDIO, client.audioSsrc(),
                    NativeTestPeer.AUDIO_PAYLOAD_TYPE, 1000 + i, 960L * i, 40 + i, false), audio.get(i));
            // Sequence numbers wrap: 65534, 65535, 0, 1, 2.
            assertEquals(new Rtp(NativeTestPeer.VIDEO_MID, MediaKind.VIDEO, client.videoSsrc(),
                    NativeTestPeer.VIDEO_PAYLOAD_TYPE, (65534 + i) & 0xFFFF, 3000L * i, 900 + i, false), video.get(i));
        }
        assertEquals(List.of(), rtx, "no RTX reaches the listener as such");
        assertEquals(1, onLoop(server, server::rtxRestored));

        // Server -> client, on the peer's loop, on the send streams the answer announced.
        long serverAudioSsrc = server.answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().ssrc();
        long serverVideoSsrc = server.answer().negotiated(NativeTestPeer.VIDEO_MID).sendStream().ssrc();
        assertEquals(serverAudioSsrc, client.serverSsrc(MediaKind.AUDIO), "the client read the SSRC from the answer");
        assertEquals(serverVideoSsrc, client.serverSsrc(MediaKind.VIDEO));
        onLoop(server, () -> {
            for (int i = 0; i < 5; i++) {
                server.sendRtp(serverRtp(server, serverAudioSsrc, NativeTestPeer.AUDIO_PAYLOAD_TYPE, 10 + i, 480L * i, 20 + i));
                server.sendRtp(serverRtp(server, serverVideoSsrc, NativeTestPeer.VIDEO_PAYLOAD_TYPE, 500 + i, 9000L * i, 1000 + i));
            }
            return null;
        });
        Await.until("10 RTP packets at the client", TIMEOUT, () -> client.receivedRtp().size() == 10,
                () -> client.receivedRtp() + " drops " + clientDrops(client));
        List<ReceivedRtp> received = client.receivedRtp();
        List<ReceivedRtp> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add(new ReceivedRtp(serverAudioSsrc, NativeTestPeer.AUDIO_PAYLOAD_TYPE, 10 + i, 480L * i, false, 20 + i));
            expected.add(new ReceivedRtp(serverVideoSsrc, NativeTestPeer.VIDEO_PAYLOAD_TYPE, 500 + i, 9000L * i, false, 1000 + i));
        }
        assertEquals(expected, received, "the same socket and loop keep the order on loopback");
        assertEquals(0, client.dropCount(NativeTestPeer.DropReason.SRTP_UNPROTECT_REFUSED));

        onLoop(server, () -> {
            assertEquals(5, server.rtpPacketsReceived(MediaKind.AUDIO));
            assertEquals(6, server.rtpPacketsReceived(MediaKind.VIDEO));
            assertEquals(10, server.rtpPacketsSent());
            for (PeerDropReason reason : PeerDropReason.values()) {
                assertEquals(0, server.dropCount(reason), reason.name());
            }
            return null;
        });

        // The client leaves: its close_notify closes the server's peer at once, not at consent expiry.
        client.close();
        String reason = session.listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(reason.contains("close_notify"), reason);
        Await.until("the engine to forget the peer", TIMEOUT, () -> engine.peers().isEmpty()
                && engine.demux().endpointCount() == 0 && engine.demux().addressCount() == 0);
    }

    @Test
    void keyframeRequestsCrossInBothDirections() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions());
        NativeTestPeer client = session.client;
        PeerConnection server = session.server;
        long serverVideoSsrc = client.serverSsrc(MediaKind.VIDEO);

        client.sendRtcp(pli(client.videoSsrc(), serverVideoSsrc));
        Await.until("the PLI at the listener", TIMEOUT, () -> !session.listener.keyframeRequests.isEmpty());
        assertEquals(List.of(serverVideoSsrc), List.copyOf(session.listener.keyframeRequests));
        onLoop(server, () -> {
            assertEquals(1, server.rtcpPacketsReceived());
            assertEquals(1, server.keyframeRequestsReceived());
            assertEquals(0, server.dropCount(PeerDropReason.RTCP_MALFORMED));
            return null;
        });

        // And the server asks the client for a keyframe of what the client sends.
        onLoop(server, () -> {
            ByteBuf pli = server.allocator().buffer(RtcpPictureLossIndication.LENGTH + PeerConnection.RTCP_TAILROOM);
            RtcpPictureLossIndication.write(pli, serverVideoSsrc, client.videoSsrc());
            server.sendRtcp(pli);
            return null;
        });
        // The server's periodic reports (SR/RR, SDES) arrive too: only feedback is looked at here.
        Await.until("the PLI at the client", TIMEOUT, () -> !clientFeedback(client).isEmpty());
        assertEquals(List.of(new ReceivedRtcp(RtcpHeader.PAYLOAD_FEEDBACK, RtcpPictureLossIndication.FORMAT)),
                clientFeedback(client));
    }

    /**
     * A NACK for packets the history no longer holds cannot be repaired by retransmission: the
     * listener is asked for a key frame of that stream, as for a PLI. A NACK the history answers asks
     * for nothing.
     */
    @Test
    void aNackBeyondTheHistoryAsksForAKeyframe() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0).withRetransmissionHistorySize(16));
        Session session = connect(engine, clientOptions());
        NativeTestPeer client = session.client;
        PeerConnection server = session.server;
        long serverVideoSsrc = client.serverSsrc(MediaKind.VIDEO);
        int payloadType = session.server.answer().negotiated(NativeTestPeer.VIDEO_MID).codecs().get(0).payloadType();
        onLoop(server, () -> {
            for (int seq = 100; seq < 140; seq++) {
                ByteBuf packet = server.allocator().buffer(RtpPacket.FIXED_HEADER_LENGTH + 100 + PeerConnection.RTP_TAILROOM);
                packet.writeByte(RtpPacket.VERSION << 6).writeByte(payloadType).writeShort(seq)
                        .writeInt(3000 * seq).writeInt((int) serverVideoSsrc).writeZero(100);
                server.sendRtp(packet);
            }
            return null;
        });

        client.sendRtcp(nack(client.videoSsrc(), serverVideoSsrc, 139));
        Await.until("the retransmission of 139", TIMEOUT, () -> onLoopUnchecked(server, () -> server.retransmissions().retransmissionsSent()) == 1);
        assertTrue(session.listener.keyframeRequests.isEmpty(), "a NACK the history answers asks for no key frame");

        client.sendRtcp(nack(client.videoSsrc(), serverVideoSsrc, 101));
        Await.until("a key frame request for the stream", TIMEOUT, () -> !session.listener.keyframeRequests.isEmpty());
        assertEquals(List.of(serverVideoSsrc), List.copyOf(session.listener.keyframeRequests));
        onLoop(server, () -> {
            assertEquals(1, server.unrepairableNacks());
            assertEquals(1, server.retransmissions().dropCount(RetransmissionDropReason.TOO_OLD));
            assertEquals(0, server.keyframeRequestsReceived(), "not counted as the peer's own PLI");
            return null;
        });
    }

    private static byte[] nack(long senderSsrc, long mediaSsrc, int... lost) {
        ByteBuf out = Unpooled.buffer(64);
        assertTrue(RtcpNack.write(out, senderSsrc, mediaSsrc, lost, lost.length));
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    /** RFC 5104 §4.3.1: a repeated FIR (same sequence number) and FIRs or PLIs for others' streams ask nothing. */
    @Test
    void repeatedFirsAndRequestsForStreamsWeDoNotSendAreIgnored() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions());
        NativeTestPeer client = session.client;
        PeerConnection server = session.server;
        long serverVideoSsrc = client.serverSsrc(MediaKind.VIDEO);

        client.sendRtcp(fir(client.videoSsrc(), serverVideoSsrc, 7));
        client.sendRtcp(fir(client.videoSsrc(), serverVideoSsrc, 7));      // a repeat
        client.sendRtcp(fir(client.videoSsrc(), 0x0BADF00DL, 8));          // not a stream we send
        client.sendRtcp(pli(client.videoSsrc(), 0x0BADF00DL));             // likewise
        client.sendRtcp(fir(client.videoSsrc(), serverVideoSsrc, 8));      // a new request
        Await.until("five RTCP packets at the server", TIMEOUT, () -> onLoopQuietly(server, server::rtcpPacketsReceived) == 5);
        assertEquals(List.of(serverVideoSsrc, serverVideoSsrc), List.copyOf(session.listener.keyframeRequests));
        assertEquals(2, onLoop(server, server::keyframeRequestsReceived));
    }

    private static List<ReceivedRtcp> clientFeedback(NativeTestPeer client) {
        return client.receivedRtcp().stream().filter(p -> p.packetType() == RtcpHeader.PAYLOAD_FEEDBACK).toList();
    }

    private static long onLoopQuietly(PeerConnection peer, java.util.concurrent.Callable<Long> read) {
        try {
            return onLoop(peer, read);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void serverSideCloseSendsCloseNotify() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions());

        session.server.close("removed from the room");

        assertEquals("removed from the room", session.listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        // The client learns at once, instead of at its own consent or ICE timeout.
        String clientSide = session.client.dtlsClosed().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(clientSide.contains("close_notify"), clientSide);
    }

    @Test
    void aCertificateThatDoesNotMatchTheOfferedFingerprintFailsTheHandshake() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        NativeTestPeer client = track(NativeTestPeer.open(clientOptions()));
        String forged = client.offer().replace(client.certificate().fingerprintHex(),
                DtlsCertificate.generate().fingerprintHex());
        Listener listener = new Listener();
        PeerConnection server = engine.createPeer(forged, listener);
        client.connect(server.answer().toSdp());

        String reason = listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(reason.startsWith("dtls: handshake failed: FINGERPRINT_MISMATCH"), reason);
        assertFalse(listener.connected.isDone(), "no keys for an impostor");
        Await.until("the engine to forget the peer", TIMEOUT, () -> engine.peers().isEmpty()
                && engine.demux().endpointCount() == 0 && engine.demux().addressCount() == 0);
    }

    // ---- bad input on the media port -------------------------------------------------------------

    @Test
    void stunWithoutValidCredentialsGetsNoAnswerFromAnyAddress() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions().withConsentInterval(NO_CONSENT_CHECKS));
        NativeTestPeer client = session.client;
        PeerConnection server = session.server;
        DatagramDemux demux = engine.demux();
        String serverUfrag = client.remoteIceCredentials().ufrag();
        String clientUfrag = client.localIceCredentials().ufrag();
        byte[] rightPassword = client.remoteIceCredentials().password().getBytes(StandardCharsets.US_ASCII);
        byte[] wrongPassword = "wrongwrongwrongwrongwrong".getBytes(StandardCharsets.US_ASCII);
        long sentBefore = engine.transport().datagramsSent();
        long answeredBefore = onLoop(server, () -> server.ice().count(BindingRequestOutcome.RESPONDED)
                + server.ice().count(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED));
        long clientStrayBefore = client.dropCount(NativeTestPeer.DropReason.STUN_NOT_ACCEPTED);
        long noUsernameBefore = demux.droppedStunNoUsername();
        long unknownUfragBefore = demux.droppedStunUnknownUfrag();

        List<byte[]> forged = List.of(
                bindingRequest(serverUfrag + ":" + clientUfrag, wrongPassword),   // wrong password
                bindingRequest(serverUfrag + ":someoneElse", rightPassword),       // wrong remote ufrag
                bindingRequest(serverUfrag + ":" + clientUfrag, null),            // no MESSAGE-INTEGRITY
                bindingRequest("unknownUfrag:" + clientUfrag, rightPassword),     // nobody's ufrag
                bindingRequest(null, rightPassword));                              // no USERNAME
        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (byte[] request : forged) {
                client.sendDatagram(request);
                stranger.send(new DatagramPacket(request, request.length, client.serverAddress()));
            }
            Await.until("every forged request counted", TIMEOUT, () -> {
                long[] counts = onLoopUnchecked(server, () -> new long[]{
                        server.ice().count(BindingRequestOutcome.DROPPED_BAD_MESSAGE_INTEGRITY),
                        server.ice().count(BindingRequestOutcome.DROPPED_WRONG_USERNAME),
                        server.ice().count(BindingRequestOutcome.DROPPED_NO_MESSAGE_INTEGRITY),
                        server.dropCount(PeerDropReason.STUN_NOT_ANSWERED)});
                return Arrays.equals(counts, new long[]{2, 2, 2, 6})
                        && demux.droppedStunUnknownUfrag() - unknownUfragBefore == 2
                        && demux.droppedStunNoUsername() - noUsernameBefore == 2;
            }, () -> "demux: unknown ufrag " + (demux.droppedStunUnknownUfrag() - unknownUfragBefore)
                    + ", no username " + (demux.droppedStunNoUsername() - noUsernameBefore));
        }

        // Each request was handled on the peer's loop before its count moved, so an answer would
        // already have been queued on the socket and counted.
        assertEquals(sentBefore, engine.transport().datagramsSent(), "no datagram left the server");
        assertEquals(answeredBefore, (long) onLoop(server, () -> server.ice().count(BindingRequestOutcome.RESPONDED)
                + server.ice().count(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED)));
        assertEquals(client.localAddress(), onLoop(server, server::remoteAddress), "the selection did not move");
        assertEquals(1, demux.addressCount(), "the stranger's address was not bound");
        assertEquals(clientStrayBefore, client.dropCount(NativeTestPeer.DropReason.STUN_NOT_ACCEPTED),
                "the client got no STUN from the server either");
    }

    @Test
    void garbageFromTheAuthenticatedAddressIsCountedAndMediaStillFlows() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions().withConsentInterval(NO_CONSENT_CHECKS));
        NativeTestPeer client = session.client;
        PeerConnection server = session.server;
        DatagramDemux demux = engine.demux();
        Random random = new Random(20240611);

        // Seeds for mutation: real SRTP and a real connectivity check, then truncated or bit-flipped.
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seeds.add(client.protectRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 100 + i, 960L * i,
                    new byte[random.nextInt(200)]));
        }
        seeds.add(bindingRequest(client.remoteIceCredentials().ufrag() + ":" + client.localIceCredentials().ufrag(),
                client.remoteIceCredentials().password().getBytes(StandardCharsets.US_ASCII)));

        long receivedBefore = demux.received();
        long[] before = outcomeTotals(engine, server);
        int count = 4000;
        for (int i = 0; i < count; i++) {
            client.sendDatagram(garbage(random, i % 6, seeds));
        }
        Await.until("every datagram at the demux", TIMEOUT, () -> demux.received() - receivedBefore == count,
                () -> "received " + (demux.received() - receivedBefore));
        Await.until("every datagram counted", TIMEOUT,
                () -> sum(outcomeTotals(engine, server)) - sum(before) == count,
                () -> "drops " + Arrays.toString(outcomeTotals(engine, server)) + " before " + Arrays.toString(before));

        long[] after = outcomeTotals(engine, server);
        String table = Arrays.toString(after);
        assertTrue(after[0] > before[0], "unknown kinds at the demux " + table);
        assertTrue(after[1] > before[1], "STUN without USERNAME at the demux " + table);
        assertTrue(after[4] > before[4], "STUN the ICE agent did not answer " + table);
        assertTrue(after[5] > before[5], "SRTP/SRTCP that did not unprotect " + table);
        assertTrue(after[7] > before[7], "DTLS-looking datagrams given to DTLS " + table);
        // Only a check whose FINGERPRINT attribute type was flipped can still be answered: what
        // follows MESSAGE-INTEGRITY is ignored (RFC 8489 §14.5), so it is an authenticated replay.
        assertTrue(after[8] - before[8] < 20, "answered mutated checks " + table);
        assertEquals(0, demux.endpointFailures(), "nothing threw");
        assertEquals(0, session.listener.rtp.size(), "no garbage reached the listener");
        assertTrue(session.listener.keyframeRequests.isEmpty());
        onLoop(server, () -> {
            assertEquals(PeerState.CONNECTED, server.state());
            assertTrue(server.dtls().isConnected(), "DTLS survived: " + server.dtls());
            assertEquals(0, server.rtcpPacketsReceived());
            assertEquals(client.localAddress(), server.remoteAddress());
            return null;
        });

        // The peer still works: fresh RTP is delivered.
        client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 200, 0, new byte[60]);
        Await.until("RTP after the garbage", TIMEOUT, () -> session.listener.rtp.size() == 1);
        assertEquals(200, session.listener.rtp.peek().sequenceNumber);
        assertFalse(session.listener.closed.isDone());
    }

    @Test
    void datagramsFromAnUnknownAddressAreDroppedByTheDemux() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Session session = connect(engine, clientOptions().withConsentInterval(NO_CONSENT_CHECKS));
        DatagramDemux demux = engine.demux();
        long unknownBefore = demux.droppedUnknownAddress();
        byte[] rtp = {(byte) 0x80, 111, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
        byte[] rtcp = {(byte) 0x81, (byte) 206, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
        byte[] dtls = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};

        try (DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (byte[] datagram : List.of(rtp, rtcp, dtls)) {
                stranger.send(new DatagramPacket(datagram, datagram.length, session.client.serverAddress()));
            }
            Await.until("three drops for an unknown address", TIMEOUT,
                    () -> demux.droppedUnknownAddress() - unknownBefore == 3);
        }
        onLoop(session.server, () -> {
            assertEquals(0, session.server.dropCount(PeerDropReason.SRTP_UNPROTECT_REFUSED), "nothing reached the peer");
            assertEquals(0, session.server.dtls().counters().datagramsDroppedInvalid());
            return null;
        });
    }

    // ---- timeouts -------------------------------------------------------------------------------

    @Test
    void consentChecksKeepThePeerAndTheirAbsenceClosesIt() throws Exception {
        Duration consentTimeout = Duration.ofSeconds(1);
        MediaEngine engine = engine(options(10, consentTimeout, Duration.ofSeconds(30)));
        Session session = connect(engine, clientOptions().withConsentInterval(Duration.ofMillis(200)));
        PeerConnection server = session.server;

        // Ten consent checks at 200 ms span more than the timeout: the peer stays while they come.
        Await.until("ten answered consent checks", TIMEOUT,
                () -> onLoopUnchecked(server, () -> server.ice().count(BindingRequestOutcome.RESPONDED)) >= 10);
        assertEquals(PeerState.CONNECTED, onLoop(server, server::state));
        assertFalse(session.listener.closed.isDone());

        session.client.stopConsent();
        String reason = session.listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(reason.contains("consent"), reason);
        assertEquals(PeerState.CLOSED, onLoop(server, server::state));
        assertTrue(engine.peers().isEmpty());
        assertEquals(0, engine.demux().endpointCount(), "the ufrag is unregistered");
        assertEquals(0, engine.demux().addressCount(), "the address is unbound");
    }

    @Test
    void aPeerThatNeverChecksIsClosedAfterTheConnectTimeout() throws Exception {
        MediaEngine engine = engine(options(10, Duration.ofSeconds(30), Duration.ofSeconds(1)));
        NativeTestPeer silent = track(NativeTestPeer.open(clientOptions()));
        Listener listener = new Listener();
        PeerConnection server = engine.createPeer(silent.offer(), listener);
        assertEquals(1, engine.peers().size());

        String reason = listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(reason.contains("connect timeout"), reason);
        assertEquals(PeerState.CLOSED, onLoop(server, server::state));
        assertTrue(engine.peers().isEmpty());
        assertEquals(0, engine.demux().endpointCount());
    }

    // ---- bad offers -----------------------------------------------------------------------------

    @Test
    void badOffersAreRefusedWithMessagesThatSayWhy() throws Exception {
        MediaEngine engine = engine(MediaEngine.Options.loopback(0));
        Listener listener = new Listener();

        SdpParseException garbage = assertThrows(SdpParseException.class, () -> engine.createPeer("hello", listener));
        assertTrue(garbage.getMessage().startsWith("line 1: hello"), garbage.getMessage());
        SdpParseException badLine = assertThrows(SdpParseException.class, () -> engine.createPeer(
                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio nine UDP/TLS/RTP/SAVPF 111\r\n", listener));
        assertEquals(5, badLine.lineNumber());
        assertTrue(badLine.getMessage().startsWith("line 5: m=audio nine"), badLine.getMessage());

        String offer = track(NativeTestPeer.open(clientOptions())).offer();
        OfferRejectedException noFingerprint = assertThrows(OfferRejectedException.class,
                () -> engine.createPeer(withoutLines(offer, "a=fingerprint:"), listener));
        assertTrue(noFingerprint.getMessage().contains("a=fingerprint"), noFingerprint.getMessage());
        OfferRejectedException noIce = assertThrows(OfferRejectedException.class,
                () -> engine.createPeer(withoutLines(offer, "a=ice-ufrag:", "a=ice-pwd:"), listener));
        assertTrue(noIce.getMessage().contains("ICE credentials"), noIce.getMessage());

        assertTrue(engine.peers().isEmpty(), "nothing was created for a refused offer");
        assertEquals(0, engine.demux().endpointCount());
    }

    @Test
    void aFullEngineRefusesTheNextOfferAndTakesOneAgainAfterAClose() throws Exception {
        MediaEngine engine = engine(options(2, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        NativeTestPeer first = track(NativeTestPeer.open(clientOptions()));
        NativeTestPeer second = track(NativeTestPeer.open(clientOptions()));
        Listener firstListener = new Listener();
        PeerConnection firstServer = engine.createPeer(first.offer(), firstListener);
        engine.createPeer(second.offer(), new Listener());

        NativeTestPeer third = track(NativeTestPeer.open(clientOptions()));
        OfferRejectedException full = assertThrows(OfferRejectedException.class,
                () -> engine.createPeer(third.offer(), new Listener()));
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        assertEquals(2, engine.peers().size());

        // A place frees up: the next offer is taken, and that peer really connects.
        firstServer.close("left");
        firstListener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Listener thirdListener = new Listener();
        PeerConnection thirdServer = engine.createPeer(third.offer(), thirdListener);
        third.connect(thirdServer.answer().toSdp());
        third.awaitConnected(TIMEOUT);
        thirdListener.connected.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(2, engine.peers().size());
    }

    @Test
    void concurrentOffersNeverTakeTheEnginePastMaxPeers() throws Exception {
        MediaEngine engine = engine(options(2, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        String offer = track(NativeTestPeer.open(clientOptions())).offer();
        int threads = 8;
        ExecutorService signaling = Executors.newFixedThreadPool(threads);
        try {
            // The race is between the engine's check and its insert: several rounds to meet it.
            for (int round = 0; round < 20; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Listener> listeners = new ArrayList<>();
                List<Future<Boolean>> accepted = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    Listener listener = new Listener();
                    listeners.add(listener);
                    accepted.add(signaling.submit(() -> {
                        start.await();
                        try {
                            engine.createPeer(offer, listener);
                            return true;
                        } catch (OfferRejectedException e) {
                            assertTrue(e.getMessage().contains("full"), e.getMessage());
                            return false;
                        }
                    }));
                }
                start.countDown();
                int count = 0;
                for (Future<Boolean> result : accepted) {
                    count += result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(2, count, "offers accepted at once with maxPeers 2, round " + round);
                Await.until("both peers registered", TIMEOUT, () -> engine.demux().endpointCount() == 2);
                assertTrue(listeners.stream().noneMatch(l -> l.closed.isDone()), "no accepted peer was closed afterwards");

                engine.peers().forEach(peer -> peer.close("next round"));
                Await.until("an empty engine", TIMEOUT, () -> engine.peers().isEmpty() && engine.demux().endpointCount() == 0);
            }
        } finally {
            signaling.shutdownNow();
        }
    }

    @Test
    void peersReplacedAtTheLimitAreNeverRefusedTheirDtlsThread() throws Exception {
        // A closed peer's DTLS thread outlives it by a moment; a newcomer must not pay for that.
        MediaEngine engine = engine(options(2, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        String offer = track(NativeTestPeer.open(clientOptions())).offer();
        engine.createPeer(offer, new Listener());
        for (int i = 0; i < 300; i++) {
            Listener listener = new Listener();
            PeerConnection peer = engine.createPeer(offer, listener);
            peer.close("replaced");
            assertEquals("replaced", listener.closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "cycle " + i);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private record Session(NativeTestPeer client, PeerConnection server, Listener listener) {
    }

    /** What the server's listener saw of one RTP packet. */
    private record Rtp(String mid, MediaKind kind, long ssrc, int payloadType, int sequenceNumber, long timestamp,
                       int payloadLength, boolean retransmission) {
    }

    /** Records a peer's events; they arrive on its loop, the queues are read from the test thread. */
    private static final class Listener implements PeerConnection.Listener {
        final CompletableFuture<PeerConnection> connected = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final ConcurrentLinkedQueue<Rtp> rtp = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> keyframeRequests = new ConcurrentLinkedQueue<>();

        @Override
        public void onConnected(PeerConnection peer) {
            connected.complete(peer);
        }

        @Override
        public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean retransmission, long nowNanos) {
            rtp.add(new Rtp(media.mid(), media.kind(), packet.ssrc(), packet.payloadType(), packet.sequenceNumber(),
                    packet.timestamp(), packet.payloadLength(), retransmission));
        }

        @Override
        public void onKeyframeRequest(PeerConnection peer, long mediaSsrc, long nowNanos) {
            keyframeRequests.add(mediaSsrc);
        }

        @Override
        public void onClosed(PeerConnection peer, String reason) {
            closed.complete(reason);
        }
    }

    private MediaEngine engine(MediaEngine.Options options) throws InterruptedException {
        MediaEngine engine = MediaEngine.start(options);
        toClose.add(0, engine);
        return engine;
    }

    private static MediaEngine.Options options(int maxPeers, Duration consentTimeout, Duration connectTimeout) {
        MediaEngine.Options base = MediaEngine.Options.loopback(0);
        return new MediaEngine.Options(base.udp(), base.announcedAddresses(), maxPeers, consentTimeout, connectTimeout,
                base.dtls(), null);
    }

    private static NativeTestPeer.Options clientOptions() {
        return NativeTestPeer.Options.defaults().withCertificate(CLIENT_CERTIFICATE);
    }

    private NativeTestPeer track(NativeTestPeer peer) {
        toClose.add(peer);
        return peer;
    }

    private Session connect(MediaEngine engine, NativeTestPeer.Options clientOptions) throws Exception {
        NativeTestPeer client = track(NativeTestPeer.open(clientOptions));
        Listener listener = new Listener();
        PeerConnection server = engine.createPeer(client.offer(), listener);
        client.connect(server.answer().toSdp());
        client.awaitConnected(TIMEOUT);
        assertNotNull(listener.connected.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        return new Session(client, server, listener);
    }

    private static <T> T onLoop(PeerConnection peer, Callable<T> task) throws Exception {
        return peer.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }

    private static <T> T onLoopUnchecked(PeerConnection peer, Callable<T> task) {
        try {
            return onLoop(peer, task);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** An RTP packet from the server's allocator with the tailroom {@link PeerConnection#sendRtp} needs. */
    private static ByteBuf serverRtp(PeerConnection peer, long ssrc, int payloadType, int sequenceNumber,
                                     long timestamp, int payloadLength) {
        ByteBuf packet = peer.allocator().buffer(RtpPacket.FIXED_HEADER_LENGTH + payloadLength + PeerConnection.RTP_TAILROOM);
        packet.writeByte(RtpPacket.VERSION << 6).writeByte(payloadType).writeShort(sequenceNumber)
                .writeInt((int) timestamp).writeInt((int) ssrc).writeZero(payloadLength);
        return packet;
    }

    private static byte[] fir(long senderSsrc, long mediaSsrc, int commandSequenceNumber) {
        ByteBuf out = Unpooled.buffer(20);
        try {
            RtcpFullIntraRequest.write(out, senderSsrc, mediaSsrc, commandSequenceNumber);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private static byte[] pli(long senderSsrc, long mediaSsrc) {
        ByteBuf out = Unpooled.buffer(RtcpPictureLossIndication.LENGTH);
        try {
            RtcpPictureLossIndication.write(out, senderSsrc, mediaSsrc);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * A Binding request as a controlling agent writes it (RFC 8445 §7.2.2), with USERNAME and
     * MESSAGE-INTEGRITY each left out when null.
     */
    private static byte[] bindingRequest(String username, byte[] integrityKey) {
        ByteBuf out = Unpooled.buffer(256);
        try {
            StunMessageWriter writer = new StunMessageWriter().begin(out, StunMessage.BINDING_REQUEST, 0x01020304, 0x0506070809L);
            if (username != null) {
                writer.username(username.getBytes(StandardCharsets.US_ASCII));
            }
            writer.priority(1).iceControlling(42).useCandidate();
            if (integrityKey != null) {
                writer.messageIntegrity(new StunMessageIntegrity(integrityKey));
            }
            writer.fingerprint();
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Random bytes shaped like one kind of datagram (RFC 7983 first byte), or a mutated seed. */
    private static byte[] garbage(Random random, int shape, List<byte[]> seeds) {
        if (shape == 5) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            if (random.nextBoolean()) {
                return Arrays.copyOf(seed, 1 + random.nextInt(seed.length - 1));   // truncated
            }
            byte[] flipped = seed.clone();
            int bit = random.nextInt(flipped.length * 8);
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            return flipped;
        }
        // Mostly short, to hit every "too short" branch, sometimes up to an MTU.
        int length = 1 + (random.nextInt(4) == 0 ? random.nextInt(1200) : random.nextInt(40));
        byte[] datagram = new byte[length];
        random.nextBytes(datagram);
        switch (shape) {
            case 0 -> {   // RTP: version 2, second byte outside the RTCP range 192..223
                datagram[0] = (byte) (0x80 | (datagram[0] & 0x3F));
                if (length > 1 && (datagram[1] & 0xFF) >= 192 && (datagram[1] & 0xFF) <= 223) {
                    datagram[1] &= 0x7F;
                }
            }
            case 1 -> {   // RTCP: version 2, packet type 192..223
                datagram[0] = (byte) (0x80 | (datagram[0] & 0x3F));
                if (length > 1) {
                    datagram[1] = (byte) (192 + random.nextInt(32));
                }
            }
            case 2 -> datagram[0] = (byte) (20 + random.nextInt(44));   // DTLS
            case 3 -> {   // STUN: a Binding request header with the magic cookie, random attributes
                datagram[0] = 0;
                if (length >= StunMessage.HEADER_LENGTH) {
                    datagram[1] = 1;
                    datagram[2] = (byte) ((length - StunMessage.HEADER_LENGTH) >> 8);
                    datagram[3] = (byte) (length - StunMessage.HEADER_LENGTH);
                    datagram[4] = 0x21;
                    datagram[5] = 0x12;
                    datagram[6] = (byte) 0xA4;
                    datagram[7] = 0x42;
                }
            }
            default -> datagram[0] = (byte) (64 + random.nextInt(64));   // TURN channel, nothing we know
        }
        return datagram;
    }

    /**
     * Where a datagram from an authenticated address can end up: dropped by the demux (unknown
     * kind, STUN without USERNAME or to an unknown ufrag, unknown address), dropped by the peer
     * (STUN not answered, SRTP refused, malformed RTP, unknown payload type), handed to DTLS, or
     * answered as an authenticated Binding request.
     */
    private static long[] outcomeTotals(MediaEngine engine, PeerConnection server) {
        DatagramDemux demux = engine.demux();
        long[] peer = onLoopUnchecked(server, () -> new long[]{
                server.dropCount(PeerDropReason.STUN_NOT_ANSWERED),
                server.dropCount(PeerDropReason.SRTP_UNPROTECT_REFUSED),
                server.dropCount(PeerDropReason.RTP_MALFORMED) + server.dropCount(PeerDropReason.RTP_UNKNOWN_STREAM)
                        + server.dropCount(PeerDropReason.RTP_UNKNOWN_PAYLOAD_TYPE),
                server.dtls().counters().datagramsReceived(),
                server.ice().count(BindingRequestOutcome.RESPONDED)
                        + server.ice().count(BindingRequestOutcome.RESPONDED_SELECTED_ADDRESS_CHANGED)});
        return new long[]{demux.droppedUnknownKind(), demux.droppedStunNoUsername(), demux.droppedStunUnknownUfrag(),
                demux.droppedUnknownAddress(), peer[0], peer[1], peer[2], peer[3], peer[4]};
    }

    private static long sum(long[] values) {
        return Arrays.stream(values).sum();
    }

    private static String withoutLines(String sdp, String... prefixes) {
        return sdp.lines()
                .filter(line -> Arrays.stream(prefixes).noneMatch(line::startsWith))
                .collect(Collectors.joining("\r\n", "", "\r\n"));
    }

    private static String clientDrops(NativeTestPeer client) {
        return Arrays.stream(NativeTestPeer.DropReason.values())
                .map(reason -> reason + "=" + client.dropCount(reason))
                .collect(Collectors.joining(", "));
    }
}
