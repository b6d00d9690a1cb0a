package org.archipelago.media.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtx.NackResponder;
import org.archipelago.media.rtx.RetransmissionDropReason;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.peer.NativeSession;
import org.archipelago.media.testing.peer.NativeTestPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subscriber leg's retransmission end to end (RFC 4585 §6.2.1, RFC 4588): the server sends
 * video, {@link NativeTestPeer} NACKs some of it, and receives each packet again exactly once, in
 * RTX on the answer's RTX SSRC and payload type, with the original sequence number and payload.
 */
class RetransmissionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int FIRST = 65530;   // across the 16-bit wrap
    private static final int COUNT = 20;

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
    void nackedVideoComesBackInRtxOncePerRtt() throws Exception {
        connect();
        NegotiatedMedia video = server.answer().negotiated(NativeTestPeer.VIDEO_MID);
        SendStream stream = video.sendStream();
        long rtxSsrc = stream.rtxSsrc().orElseThrow();
        int rtxPayloadType = video.rtxPayloadType(NativeTestPeer.VIDEO_PAYLOAD_TYPE);
        assertEquals(NativeTestPeer.VIDEO_RTX_PAYLOAD_TYPE, rtxPayloadType);

        onLoop(() -> {
            for (int i = 0; i < COUNT; i++) {
                server.sendRtp(serverRtp(stream.ssrc(), (FIRST + i) & 0xFFFF, 3000L * i));
            }
            return null;
        });
        Await.until("the video at the client", TIMEOUT, () -> videoFrom(stream.ssrc()).size() == COUNT);

        // One compound: a NACK for three packets (one after the wrap), the same NACK again (within
        // the RTT: suppressed), and a NACK for an SSRC the server does not send.
        int[] lost = {65532, 65535, 4};
        ByteBuf compound = Unpooled.buffer(64);
        RtcpNack.write(compound, client.videoSsrc(), stream.ssrc(), lost, lost.length);
        RtcpNack.write(compound, client.videoSsrc(), stream.ssrc(), lost, lost.length);
        RtcpNack.write(compound, client.videoSsrc(), 0xDEAD_BEEFL, new int[] {1}, 1);
        client.sendRtcp(ByteBufUtil.getBytes(compound));

        NackResponder retransmissions = server.retransmissions();
        Await.until("three RTX at the client", TIMEOUT, () -> videoFrom(rtxSsrc).size() == 3);
        List<byte[]> rtx = videoFrom(rtxSsrc);
        RtpPacket view = new RtpPacket();
        for (int i = 0; i < lost.length; i++) {
            ByteBuf packet = Unpooled.wrappedBuffer(rtx.get(i));
            assertTrue(view.wrap(packet));
            assertEquals(rtxPayloadType, view.payloadType());
            assertEquals(rtxSsrc, view.ssrc());
            int osn = packet.getUnsignedShort(view.payloadOffset());
            assertEquals(lost[i], osn, "original sequence number first in the payload");
            if (i > 0) {
                int previous = Unpooled.wrappedBuffer(rtx.get(i - 1)).getUnsignedShort(2);
                assertEquals((previous + 1) & 0xFFFF, view.sequenceNumber(), "the RTX stream's own sequence");
            }
            byte[] payload = Arrays.copyOfRange(rtx.get(i), view.payloadOffset() + 2, view.payloadOffset() + view.payloadLength());
            assertArrayEquals(payloadOf(osn), payload, "the original payload");
            long timestamp = 3000L * ((osn - FIRST) & 0xFFFF);
            assertEquals(timestamp, view.timestamp(), "the original timestamp");
        }
        assertEquals(3, onLoop(retransmissions::rtxSent));
        assertEquals(3, onLoop(() -> retransmissions.dropCount(RetransmissionDropReason.WITHIN_RTT)));
        assertEquals(1, onLoop(() -> retransmissions.dropCount(RetransmissionDropReason.UNKNOWN_SSRC)));
        assertEquals(3, onLoop(retransmissions::nacksReceived), "three NACKs, one for an unknown SSRC");
        // The RTX SSRC's own SR counts what it carried.
        assertEquals(3, onLoop(() -> server.statistics().sendStatistics(rtxSsrc).packetsSent()));
        assertEquals(3, videoFrom(rtxSsrc).size(), "nothing more arrived");
        assertEquals(0, client.dropCount(NativeTestPeer.DropReason.SRTP_UNPROTECT_REFUSED));
        assertEquals(0, onLoop(() -> server.dropCount(PeerDropReason.RTCP_MALFORMED)));
        assertEquals(0, onLoop(() -> server.dropCount(PeerDropReason.SRTP_PROTECT_REFUSED)));
    }

    @Test
    void audioWithoutNackKeepsNoHistory() throws Exception {
        connect();
        long audio = server.answer().negotiated(NativeTestPeer.AUDIO_MID).sendStream().ssrc();
        long video = server.answer().negotiated(NativeTestPeer.VIDEO_MID).sendStream().ssrc();
        assertEquals(null, onLoop(() -> server.retransmissions().history(audio)), "Opus offered without nack");
        assertNotNull(onLoop(() -> server.retransmissions().history(video)));
        assertEquals(MediaEngine.Options.loopback(0).retransmissionHistorySize(),
                onLoop(() -> server.retransmissions().history(video).capacity()));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private List<byte[]> videoFrom(long ssrc) {
        List<byte[]> packets = new ArrayList<>();
        for (byte[] packet : client.receivedRtpBytes()) {
            if ((Unpooled.wrappedBuffer(packet).getUnsignedInt(8)) == ssrc) {
                packets.add(packet);
            }
        }
        return packets;
    }

    private static byte[] payloadOf(int sequenceNumber) {
        byte[] payload = new byte[100];
        Arrays.fill(payload, (byte) sequenceNumber);
        payload[0] = (byte) (sequenceNumber >> 8);
        return payload;
    }

    private ByteBuf serverRtp(long ssrc, int sequenceNumber, long timestamp) {
        byte[] payload = payloadOf(sequenceNumber);
        ByteBuf packet = server.allocator().buffer(RtpPacket.FIXED_HEADER_LENGTH + payload.length + PeerConnection.RTP_TAILROOM);
        packet.writeByte(RtpPacket.VERSION << 6).writeByte(NativeTestPeer.VIDEO_PAYLOAD_TYPE).writeShort(sequenceNumber)
                .writeInt((int) timestamp).writeInt((int) ssrc).writeBytes(payload);
        return packet;
    }

    private void connect() throws Exception {
        session = NativeSession.connect();
        client = session.client();
        server = session.server();
    }

    private <T> T onLoop(Callable<T> task) {
        return session.onLoop(task);
    }
}
