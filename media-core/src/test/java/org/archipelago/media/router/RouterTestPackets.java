package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.rtp.RtpPacket;

import java.util.ArrayList;
import java.util.List;

/** Packets and sinks for router tests; every buffer made here is released by its user or the sink. */
final class RouterTestPackets {
    static final int VP8 = 96;
    static final int OPUS = 111;
    /** RED of Opus (RFC 2198), numbered as Chrome offers it: {@code a=rtpmap:63 red/48000/2}, {@code 111/111}. */
    static final int RED = 63;
    static final int PAYLOAD_LENGTH = 40;

    private RouterTestPackets() {
    }

    /** A VP8 packet: the first packet of a key frame, or of an interframe. Caller releases. */
    static ByteBuf vp8(long ssrc, int seq, long ts, boolean keyframe) {
        ByteBuf buffer = header(VP8, ssrc, seq, ts);
        buffer.writeByte(0x10);                                 // VP8 descriptor: S=1 PID=0
        if (keyframe) {
            buffer.writeBytes(new byte[]{0x50, 0x2D, 0x00,      // frame tag, P = 0
                    (byte) 0x9D, 0x01, 0x2A,                    // start code
                    (byte) 0x80, 0x02, (byte) 0xE0, 0x01});     // 640 x 480
        } else {
            buffer.writeBytes(new byte[]{0x31, 0x2D, 0x00});    // frame tag, P = 1
        }
        while (buffer.readableBytes() < RtpPacket.FIXED_HEADER_LENGTH + PAYLOAD_LENGTH) {
            buffer.writeByte(seq);
        }
        return buffer;
    }

    /** An audio packet of any payload type. Caller releases. */
    static ByteBuf audio(int payloadType, long ssrc, int seq, long ts) {
        ByteBuf buffer = header(payloadType, ssrc, seq, ts);
        buffer.writeZero(PAYLOAD_LENGTH);
        return buffer;
    }

    /**
     * A RED packet as libwebrtc sends it: one redundant Opus block (the previous frame, 960 ticks
     * earlier) of {@code redundant} bytes, then the primary Opus block of {@code primary} bytes.
     * Redundant bytes are 0xEE, primary bytes 0x11. Caller releases.
     */
    static ByteBuf red(long ssrc, int seq, long ts, int redundant, int primary) {
        ByteBuf buffer = header(RED, ssrc, seq, ts);
        buffer.writeByte(0x80 | OPUS);                          // F=1 block PT=111
        buffer.writeMedium((960 << 10) | redundant);            // timestamp offset 960 | block length
        buffer.writeByte(OPUS);                                 // F=0 block PT=111: the primary
        for (int i = 0; i < redundant; i++) {
            buffer.writeByte(0xEE);
        }
        for (int i = 0; i < primary; i++) {
            buffer.writeByte(0x11);
        }
        return buffer;
    }

    /** A packet of {@code payloadType} with no payload, only {@code padding} bytes of RTP padding. Caller releases. */
    static ByteBuf paddingOnly(int payloadType, long ssrc, int seq, long ts, int padding) {
        ByteBuf buffer = header(payloadType, ssrc, seq, ts);
        buffer.setByte(0, 0xA0);                                // V=2 P=1
        buffer.writeZero(padding - 1);
        buffer.writeByte(padding);
        return buffer;
    }

    private static ByteBuf header(int payloadType, long ssrc, int seq, long ts) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(RtpPacket.FIXED_HEADER_LENGTH + PAYLOAD_LENGTH);
        buffer.writeByte(0x80);                                 // V=2
        buffer.writeByte(payloadType);                          // M=0 | PT
        buffer.writeShort(seq);
        buffer.writeInt((int) ts);
        buffer.writeInt((int) ssrc);
        return buffer;
    }

    /** Records what each packet said, checks the buffer contract, and releases the buffer. */
    static final class RecordingSink implements RtpSink {
        final int requiredTailroom;
        final List<Sent> packets = new ArrayList<>();
        Runnable onSend = () -> { };

        RecordingSink(int requiredTailroom) {
            this.requiredTailroom = requiredTailroom;
        }

        @Override
        public void send(ByteBuf packet) {
            try {
                RtpPacket view = new RtpPacket();
                if (!view.wrap(packet)) {
                    throw new AssertionError("sink got an invalid RTP packet");
                }
                if (packet.readerIndex() != 0 || packet.capacity() - packet.writerIndex() < requiredTailroom
                        || !packet.hasArray()) {
                    throw new AssertionError("egress buffer without heap array or tailroom: " + packet);
                }
                packets.add(new Sent(view.ssrc(), view.sequenceNumber(), view.timestamp(), view.payloadType(),
                        ByteBufUtil.getBytes(packet, view.payloadOffset(), view.payloadLength()), view.paddingLength()));
                onSend.run();
            } finally {
                packet.release();
            }
        }

        Sent last() {
            return packets.get(packets.size() - 1);
        }

        int count() {
            return packets.size();
        }
    }

    record Sent(long ssrc, int seq, long ts, int payloadType, byte[] payload, int padding) {
    }

    /** Counts key frame requests. */
    static final class CountingRequestSink implements KeyframeRequestSink {
        int requests;

        @Override
        public void requestKeyframe() {
            requests++;
        }
    }
}
