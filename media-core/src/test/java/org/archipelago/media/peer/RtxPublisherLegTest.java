package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.RtcpCompoundIterator;
import org.archipelago.media.rtcp.RtcpHeader;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtx.NackGenerator;
import org.archipelago.media.rtx.RtxDepacketizer;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.peer.NativeSession;
import org.archipelago.media.testing.peer.NativeTestPeer;
import org.archipelago.media.testing.peer.NativeTestPeer.ReceivedRtcpCompound;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher leg's repair, end to end with {@link NativeTestPeer}: video with a gap draws a
 * generic NACK (RFC 4585 §6.2.1) for exactly the missing sequence numbers; the RTX the client
 * answers with (RFC 4588) reaches the server's listener as the original packet, flagged recovered.
 * Audio, which negotiated no nack (Opus), is never NACKed.
 */
class RtxPublisherLegTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private NativeSession session;
    private NativeTestPeer client;
    private PeerConnection server;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

    /** What the server's listener saw of one packet (copied: the view is borrowed). */
    private record Received(long ssrc, int payloadType, int sequenceNumber, long timestamp, byte[] payload,
                            boolean recovered) {
    }

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void aGapIsNackedAndTheRtxArrivesAsTheOriginal() throws Exception {
        connect();
        long video = client.videoSsrc();
        // Video 100..109 without 104 and 105; audio 1..10 without 5 (no nack negotiated for Opus).
        for (int seq = 100; seq < 110; seq++) {
            if (seq != 104 && seq != 105) {
                client.sendRtp(video, NativeTestPeer.VIDEO_PAYLOAD_TYPE, seq, 3000L * seq, payload(seq));
            }
        }
        for (int seq = 1; seq <= 10; seq++) {
            if (seq != 5) {
                client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, seq, 960L * seq, new byte[40]);
            }
        }

        List<Integer> nacked = awaitNack(video);
        assertEquals(List.of(104, 105), nacked, "exactly the missing sequence numbers");

        // The client answers with RTX for 104 only (RTX seq 1, OSN 104, the original payload).
        byte[] original = payload(104);
        byte[] rtxPayload = new byte[2 + original.length];
        rtxPayload[0] = 0;
        rtxPayload[1] = 104;
        System.arraycopy(original, 0, rtxPayload, 2, original.length);
        client.sendRtp(client.videoRtxSsrc(), NativeTestPeer.VIDEO_RTX_PAYLOAD_TYPE, 1, 3000L * 104, rtxPayload);
        // And a padding-only RTX probe, which must be dropped.
        client.sendRtp(client.videoRtxSsrc(), NativeTestPeer.VIDEO_RTX_PAYLOAD_TYPE, 2, 0, new byte[0]);

        Await.until("the restored packet at the listener", TIMEOUT,
                () -> received.stream().anyMatch(Received::recovered), received::toString);
        Received restored = received.stream().filter(Received::recovered).findFirst().orElseThrow();
        assertEquals(video, restored.ssrc);
        assertEquals(NativeTestPeer.VIDEO_PAYLOAD_TYPE, restored.payloadType);
        assertEquals(104, restored.sequenceNumber);
        assertEquals(3000L * 104, restored.timestamp);
        assertArrayEquals(original, restored.payload);
        Await.until("the probe dropped", TIMEOUT,
                () -> onLoop(() -> server.rtxDropCount(RtxDepacketizer.DropReason.PADDING_ONLY)) == 1);

        NackGenerator videoLoss = onLoop(() -> server.nackGenerator(video));
        assertEquals(1, onLoop(videoLoss::gapsDetected));
        assertEquals(1, onLoop(videoLoss::packetsRecovered));
        assertEquals(1, onLoop(videoLoss::missingCount), "105 still asked for");
        assertTrue(onLoop(server::nacksSent) >= 1);
        NackGenerator audioLoss = onLoop(() -> server.nackGenerator(client.audioSsrc()));
        assertEquals(1, onLoop(audioLoss::gapsDetected), "audio loss is seen");
        assertEquals(0, onLoop(audioLoss::nackedSequenceNumbers), "but not NACKed: no nack for Opus");
        assertTrue(nackMediaSsrcs().stream().allMatch(ssrc -> ssrc == video), "no NACK for audio");
        assertEquals(0, onLoop(() -> server.dropCount(PeerDropReason.RTP_UNKNOWN_STREAM)));
    }

    private static byte[] payload(int seq) {
        byte[] payload = new byte[100];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (seq + i);
        }
        return payload;
    }

    /** Waits for the first NACK about {@code mediaSsrc} and returns what it asks for. */
    private List<Integer> awaitNack(long mediaSsrc) {
        CompletableFuture<List<Integer>> found = new CompletableFuture<>();
        Await.until("a NACK from the server", TIMEOUT, () -> {
            for (ReceivedRtcpCompound compound : client.receivedRtcpCompounds()) {
                ByteBuf buffer = Unpooled.wrappedBuffer(compound.bytes());
                RtcpCompoundIterator iterator = new RtcpCompoundIterator().wrap(buffer);
                while (iterator.next()) {
                    RtcpNack nack = new RtcpNack();
                    if (iterator.packetType() == RtcpHeader.TRANSPORT_FEEDBACK && iterator.count() == RtcpNack.FORMAT
                            && nack.wrap(buffer, iterator.packetOffset(), iterator.packetLength())
                            && nack.mediaSsrc() == mediaSsrc) {
                        List<Integer> lost = new ArrayList<>();
                        for (int s = nack.nextLostSequenceNumber(); s != RtcpNack.NO_MORE; s = nack.nextLostSequenceNumber()) {
                            lost.add(s);
                        }
                        found.complete(lost);
                        return true;
                    }
                }
            }
            return false;
        }, () -> client.receivedRtcp().toString());
        return found.join();
    }

    private List<Long> nackMediaSsrcs() {
        List<Long> ssrcs = new ArrayList<>();
        for (ReceivedRtcpCompound compound : client.receivedRtcpCompounds()) {
            ByteBuf buffer = Unpooled.wrappedBuffer(compound.bytes());
            RtcpCompoundIterator iterator = new RtcpCompoundIterator().wrap(buffer);
            while (iterator.next()) {
                RtcpNack nack = new RtcpNack();
                if (iterator.packetType() == RtcpHeader.TRANSPORT_FEEDBACK && iterator.count() == RtcpNack.FORMAT
                        && nack.wrap(buffer, iterator.packetOffset(), iterator.packetLength())) {
                    ssrcs.add(nack.mediaSsrc());
                }
            }
        }
        return ssrcs;
    }

    private void connect() throws Exception {
        session = NativeSession.connect(new PeerConnection.Listener() {

            @Override
            public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
                received.add(new Received(packet.ssrc(), packet.payloadType(), packet.sequenceNumber(), packet.timestamp(),
                        ByteBufUtil.getBytes(packet.buffer(), packet.payloadOffset(), packet.payloadLength()), recovered));
            }
        });
        client = session.client();
        server = session.server();
    }

    private <T> T onLoop(Callable<T> task) {
        return session.onLoop(task);
    }
}
