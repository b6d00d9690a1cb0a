package org.archipelago.media.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.HexFormat;

/** Fixtures and buffer helpers shared by the SRTP tests. */
final class SrtpTestPackets {
    /** Room for the largest trailer either profile appends: 16-byte GCM tag + 4-byte SRTCP index. */
    static final int TAILROOM = 20;

    private SrtpTestPackets() {
    }

    /** Parses hex written with any whitespace between words, as the fixtures are laid out. */
    static byte[] hex(String words) {
        return HexFormat.of().parseHex(words.replaceAll("\\s+", ""));
    }

    /** A pooled heap buffer holding {@code bytes}, with {@code tailroom} bytes of capacity after them. */
    static ByteBuf heap(byte[] bytes, int tailroom) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length + tailroom, bytes.length + tailroom);
        buf.writeBytes(bytes);
        return buf;
    }

    static ByteBuf heap(byte[] bytes) {
        return heap(bytes, TAILROOM);
    }

    /** A pooled direct buffer, to exercise the copy path. */
    static ByteBuf direct(byte[] bytes, int tailroom) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + tailroom, bytes.length + tailroom);
        buf.writeBytes(bytes);
        return buf;
    }

    static byte[] readable(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    /** An RTP packet (RFC 3550 §5.1): V=2, no padding/extension/CSRC, PT 96, the given payload. */
    static byte[] rtp(int ssrc, int seq, long timestamp, byte[] payload) {
        byte[] p = new byte[12 + payload.length];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (seq >>> 8);
        p[3] = (byte) seq;
        p[4] = (byte) (timestamp >>> 24);
        p[5] = (byte) (timestamp >>> 16);
        p[6] = (byte) (timestamp >>> 8);
        p[7] = (byte) timestamp;
        p[8] = (byte) (ssrc >>> 24);
        p[9] = (byte) (ssrc >>> 16);
        p[10] = (byte) (ssrc >>> 8);
        p[11] = (byte) ssrc;
        System.arraycopy(payload, 0, p, 12, payload.length);
        return p;
    }

    /** An RTCP receiver report (RFC 3550 §6.4.2) with no report blocks, plus {@code extra} bytes of body. */
    static byte[] rtcp(int senderSsrc, byte[] extra) {
        byte[] p = new byte[8 + extra.length];
        int words = (p.length / 4) - 1;
        p[0] = (byte) 0x80;
        p[1] = (byte) 201;
        p[2] = (byte) (words >>> 8);
        p[3] = (byte) words;
        p[4] = (byte) (senderSsrc >>> 24);
        p[5] = (byte) (senderSsrc >>> 16);
        p[6] = (byte) (senderSsrc >>> 8);
        p[7] = (byte) senderSsrc;
        System.arraycopy(extra, 0, p, 8, extra.length);
        return p;
    }
}
