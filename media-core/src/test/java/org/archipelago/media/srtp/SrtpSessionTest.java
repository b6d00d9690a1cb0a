package org.archipelago.media.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;

import static org.archipelago.media.srtp.SrtpTestPackets.direct;
import static org.archipelago.media.srtp.SrtpTestPackets.heap;
import static org.archipelago.media.srtp.SrtpTestPackets.hex;
import static org.archipelago.media.srtp.SrtpTestPackets.readable;
import static org.archipelago.media.srtp.SrtpTestPackets.rtcp;
import static org.archipelago.media.srtp.SrtpTestPackets.rtp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of {@link SrtpSession}: round trips, and every drop path counted without exceptions. */
class SrtpSessionTest {
    private static final int SSRC = 0x11223344;

    /** Alice protects, Bob (the peer view of the same association) unprotects. */
    private static final class Pair implements AutoCloseable {
        final SrtpSession alice;
        final SrtpSession bob;

        Pair(SrtpProfile profile, int maxStreams) {
            SrtpKeyingMaterial keys = keys(profile);
            alice = new SrtpSession(keys, maxStreams);
            bob = new SrtpSession(keys.peerView(), maxStreams);
        }

        @Override
        public void close() {
            alice.close();
            bob.close();
        }
    }

    private static SrtpKeyingMaterial keys(SrtpProfile profile) {
        Random random = new Random(profile.ordinal());
        byte[] material = new byte[profile.keyingMaterialLength()];
        random.nextBytes(material);
        return SrtpKeyingMaterial.fromExporter(profile, material, true);
    }

    private static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        new Random(seed).nextBytes(p);
        return p;
    }

    /** Protects {@code plain} with {@code sender} and returns the SRTP bytes. */
    private static byte[] protectRtp(SrtpSession sender, byte[] plain) {
        ByteBuf buf = heap(plain);
        try {
            assertTrue(sender.protectRtp(buf), () -> "protect " + sender);
            return readable(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] protectRtcp(SrtpSession sender, byte[] plain) {
        ByteBuf buf = heap(plain);
        try {
            assertTrue(sender.protectRtcp(buf), () -> "protect " + sender);
            return readable(buf);
        } finally {
            buf.release();
        }
    }

    /** Unprotects a copy of {@code srtp}: returns the plaintext, or null if refused (and then checks the buffer was left alone). */
    private static byte[] unprotectRtp(SrtpSession receiver, byte[] srtp) {
        ByteBuf buf = heap(srtp, 0);
        try {
            if (receiver.unprotectRtp(buf)) {
                return readable(buf);
            }
            assertEquals(srtp.length, buf.readableBytes(), "a refused packet keeps its length");
            return null;
        } finally {
            buf.release();
        }
    }

    private static byte[] unprotectRtcp(SrtpSession receiver, byte[] srtcp) {
        ByteBuf buf = heap(srtcp, 0);
        try {
            if (receiver.unprotectRtcp(buf)) {
                return readable(buf);
            }
            assertEquals(srtcp.length, buf.readableBytes(), "a refused packet keeps its length");
            return null;
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpRoundTripsAcrossSequenceRollover(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            // From 65000 past 65535 to 1000: the rollover counter must advance on both sides (RFC 3711 §3.3.1).
            int count = 1536;
            for (int i = 0; i < count; i++) {
                int seq = (65000 + i) & 0xFFFF;
                byte[] plain = rtp(SSRC, seq, 90_000L * i, payload(1 + i % 1200, i));
                byte[] srtp = protectRtp(pair.alice, plain);
                assertEquals(plain.length + profile.authTagLength(), srtp.length);
                assertFalse(Arrays.equals(Arrays.copyOfRange(plain, 12, plain.length),
                        Arrays.copyOfRange(srtp, 12, plain.length)), "payload is encrypted");
                assertArrayEquals(Arrays.copyOf(plain, 12), Arrays.copyOf(srtp, 12), "header stays in clear");
                assertArrayEquals(plain, unprotectRtp(pair.bob, srtp), "seq " + seq);
            }
            assertEquals(count, pair.alice.counters().accepted(SrtpOperation.PROTECT_RTP));
            assertEquals(count, pair.bob.counters().accepted(SrtpOperation.UNPROTECT_RTP));
            assertEquals(0, pair.bob.counters().totalDrops());
            assertEquals(1, pair.bob.streamCount(SrtpOperation.UNPROTECT_RTP));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpWithCsrcsAndHeaderExtensionKeepsTheWholeHeaderInClear(SrtpProfile profile) {
        // RFC 3711 §3.1: the header, CSRCs and extension are authenticated, not encrypted.
        byte[] plain = hex(
                "92 60 0001" // V=2, X=1, CC=2, PT 96, seq 1
                + "00000064" // timestamp
                + "11223344" // SSRC
                + "aaaaaaaa bbbbbbbb" // two CSRCs
                + "bede 0001" // one-byte header extensions (RFC 8285), one word
                + "10ff0000" // id 1, len 1, value 0xff, padding
                + "01020304 05060708"); // payload
        try (Pair pair = new Pair(profile, 8)) {
            byte[] srtp = protectRtp(pair.alice, plain);
            assertArrayEquals(Arrays.copyOf(plain, 28), Arrays.copyOf(srtp, 28));
            assertFalse(Arrays.equals(Arrays.copyOfRange(plain, 28, 36), Arrays.copyOfRange(srtp, 28, 36)));
            assertArrayEquals(plain, unprotectRtp(pair.bob, srtp));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtcpRoundTrips(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            for (int i = 0; i < 100; i++) {
                byte[] plain = rtcp(SSRC, payload(4 * (1 + i % 20), i));
                byte[] srtcp = protectRtcp(pair.alice, plain);
                assertEquals(plain.length + profile.authTagLength() + 4, srtcp.length);
                assertEquals(pair.alice.rtcpTailroom(), srtcp.length - plain.length);
                // RFC 3711 §3.4: E=1 and the index, counting from 0, precede the tag for AES-CM;
                // RFC 7714 §9: they follow the tag for AEAD.
                int indexAt = profile == SrtpProfile.AEAD_AES_128_GCM ? srtcp.length - 4 : plain.length;
                assertEquals(0x80000000 | i, readInt(srtcp, indexAt));
                assertArrayEquals(plain, unprotectRtcp(pair.bob, srtcp));
            }
            assertEquals(0, pair.bob.counters().totalDrops());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void directBuffersGoThroughTheCountedCopyPath(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            byte[] plain = rtp(SSRC, 7, 0, payload(1200, 1));
            ByteBuf buf = direct(plain, profile.authTagLength());
            try {
                assertTrue(pair.alice.protectRtp(buf));
                assertTrue(pair.bob.unprotectRtp(buf));
                assertArrayEquals(plain, readable(buf));
            } finally {
                buf.release();
            }
            assertEquals(1, pair.alice.counters().copiedPackets());
            assertEquals(1, pair.bob.counters().copiedPackets());

            byte[] tooLong = rtp(SSRC, 8, 0, new byte[SrtpSession.MAX_COPIED_PACKET_LENGTH]);
            ByteBuf big = direct(tooLong, profile.authTagLength());
            try {
                assertFalse(pair.alice.protectRtp(big));
                assertEquals(1, pair.alice.counters().drops(SrtpOperation.PROTECT_RTP, SrtpDropReason.TOO_LARGE));
                assertArrayEquals(tooLong, readable(big));
            } finally {
                big.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void aSlicedBufferIsTransformedWithinItsOwnWindow(SrtpProfile profile) {
        // Pooled heap buffers share one array: the session must use arrayOffset and readerIndex
        // and never write past this buffer's capacity.
        try (Pair pair = new Pair(profile, 8)) {
            byte[] plain = rtp(SSRC, 9, 0, payload(100, 2));
            ByteBuf backing = heap(new byte[0], 64 + plain.length + profile.authTagLength() + 64);
            try {
                backing.writeZero(64 + plain.length + profile.authTagLength() + 64);
                ByteBuf slice = backing.slice(64, plain.length + profile.authTagLength());
                slice.writerIndex(0).writeBytes(plain);
                assertTrue(pair.alice.protectRtp(slice));
                byte[] srtp = readable(slice);
                assertTrue(pair.bob.unprotectRtp(slice));
                assertArrayEquals(plain, readable(slice));
                assertEquals(plain.length + profile.authTagLength(), srtp.length);
                for (int i = 0; i < 64; i++) {
                    assertEquals(0, backing.getByte(i), "byte before the slice");
                    assertEquals(0, backing.getByte(backing.capacity() - 1 - i), "byte after the slice");
                }
            } finally {
                backing.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void tamperedPacketsAreCountedAuthFailuresAndDoNotDisturbTheStream(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            byte[] plain = rtp(SSRC, 100, 0, payload(200, 3));
            byte[] srtp = protectRtp(pair.alice, plain);
            int flips = 0;
            // A flip in the header, the payload and the tag: each must fail authentication.
            for (int at : new int[] {1, 3, 12, 100, srtp.length - 1}) {
                byte[] tampered = srtp.clone();
                tampered[at] ^= 0x01;
                assertEquals(null, unprotectRtp(pair.bob, tampered), "flip at " + at);
                flips++;
            }
            assertEquals(flips, pair.bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.AUTH_FAILED));
            // Forgeries did not create the stream nor move its replay window: the genuine packet passes.
            assertEquals(0, pair.bob.streamCount(SrtpOperation.UNPROTECT_RTP));
            assertArrayEquals(plain, unprotectRtp(pair.bob, srtp));

            byte[] srtcp = protectRtcp(pair.alice, rtcp(SSRC, payload(8, 4)));
            byte[] tampered = srtcp.clone();
            tampered[10] ^= 0x40;
            assertEquals(null, unprotectRtcp(pair.bob, tampered));
            assertEquals(1, pair.bob.counters().drops(SrtpOperation.UNPROTECT_RTCP, SrtpDropReason.AUTH_FAILED));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void replayedAndTooOldPacketsAreCountedDrops(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            byte[][] srtp = new byte[100][];
            for (int i = 0; i < srtp.length; i++) {
                srtp[i] = protectRtp(pair.alice, rtp(SSRC, 1000 + i, 0, payload(50, i)));
            }
            assertTrue(unprotectRtp(pair.bob, srtp[0]) != null);
            assertEquals(null, unprotectRtp(pair.bob, srtp[0]), "immediate replay");
            assertTrue(unprotectRtp(pair.bob, srtp[99]) != null);
            // 98 is new and inside the 64-packet window (RFC 3711 §3.3.2): reordering is fine.
            assertTrue(unprotectRtp(pair.bob, srtp[98]) != null);
            assertEquals(null, unprotectRtp(pair.bob, srtp[98]), "replay inside the window");
            // 1 is 98 behind the highest index: outside the window, dropped as too old.
            assertEquals(null, unprotectRtp(pair.bob, srtp[1]), "behind the window");
            SrtpCounters c = pair.bob.counters();
            assertEquals(2, c.drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.REPLAYED));
            assertEquals(1, c.drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.TOO_OLD));
            assertEquals(3, c.accepted(SrtpOperation.UNPROTECT_RTP));

            byte[] srtcp = protectRtcp(pair.alice, rtcp(SSRC, payload(8, 5)));
            assertTrue(unprotectRtcp(pair.bob, srtcp) != null);
            assertEquals(null, unprotectRtcp(pair.bob, srtcp));
            assertEquals(1, c.drops(SrtpOperation.UNPROTECT_RTCP, SrtpDropReason.REPLAYED));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectingTheSameIndexTwiceIsRefused(SrtpProfile profile) {
        // A second protect of (SSRC, seq) would reuse the GCM nonce (RFC 7714 §8.1) or the AES-CM keystream.
        try (Pair pair = new Pair(profile, 8)) {
            byte[] plain = rtp(SSRC, 5, 0, payload(40, 6));
            protectRtp(pair.alice, plain);
            ByteBuf again = heap(plain);
            try {
                assertFalse(pair.alice.protectRtp(again));
                assertEquals(1, pair.alice.counters().drops(SrtpOperation.PROTECT_RTP, SrtpDropReason.REPLAYED));
            } finally {
                again.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shortAndMalformedPacketsAreCountedDrops(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            SrtpSession bob = pair.bob;
            assertEquals(null, unprotectRtp(bob, new byte[0]));
            assertEquals(null, unprotectRtp(bob, new byte[11]));
            // A whole RTP header but no room for the tag.
            assertEquals(null, unprotectRtp(bob, rtp(SSRC, 1, 0, new byte[profile.authTagLength() - 1])));
            // CC=15 claims 60 bytes of CSRCs the packet does not have.
            byte[] csrcs = rtp(SSRC, 1, 0, new byte[20]);
            csrcs[0] = (byte) 0x8F;
            assertEquals(null, unprotectRtp(bob, csrcs));
            // The extension length claims 0xffff words.
            byte[] extension = rtp(SSRC, 1, 0, hex("bede ffff 00000000 00000000 00000000 00000000"));
            extension[0] = (byte) 0x90;
            assertEquals(null, unprotectRtp(bob, extension));
            assertEquals(5, bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.TOO_SHORT));

            byte[] version1 = rtp(SSRC, 1, 0, new byte[40]);
            version1[0] = 0x40;
            assertEquals(null, unprotectRtp(bob, version1));
            assertEquals(1, bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.BAD_VERSION));

            assertEquals(null, unprotectRtcp(bob, new byte[7]));
            assertEquals(null, unprotectRtcp(bob, rtcp(SSRC, new byte[profile.authTagLength()])));
            assertEquals(2, bob.counters().drops(SrtpOperation.UNPROTECT_RTCP, SrtpDropReason.TOO_SHORT));
            assertEquals(0, bob.streamCount(SrtpOperation.UNPROTECT_RTP) + bob.streamCount(SrtpOperation.UNPROTECT_RTCP));

            ByteBuf shortRtp = heap(new byte[8]);
            ByteBuf shortRtcp = heap(new byte[4]);
            try {
                assertFalse(pair.alice.protectRtp(shortRtp));
                assertFalse(pair.alice.protectRtcp(shortRtcp));
                assertEquals(2, pair.alice.counters().drops(SrtpDropReason.TOO_SHORT));
            } finally {
                shortRtp.release();
                shortRtcp.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void seededFuzzNeverThrowsNeverAcceptsAndCountsEveryDrop(SrtpProfile profile) {
        Random random = new Random(0x5EED + profile.ordinal());
        try (Pair pair = new Pair(profile, 8)) {
            byte[][] genuine = new byte[16][];
            byte[][] genuineRtcp = new byte[16][];
            for (int i = 0; i < genuine.length; i++) {
                genuine[i] = protectRtp(pair.alice, rtp(SSRC, 2000 + i, 0, payload(20 + 40 * i, i)));
                genuineRtcp[i] = protectRtcp(pair.alice, rtcp(SSRC, payload(4 + 4 * i, i)));
            }
            int iterations = 20_000;
            for (int i = 0; i < iterations; i++) {
                byte[] input;
                int kind = random.nextInt(4);
                if (kind == 0) {
                    // Pure noise of any length.
                    input = new byte[random.nextInt(300)];
                    random.nextBytes(input);
                } else if (kind == 1) {
                    // Noise that looks like RTP/RTCP version 2, so it gets past the first check.
                    input = new byte[random.nextInt(300)];
                    random.nextBytes(input);
                    if (input.length > 0) {
                        input[0] = (byte) (0x80 | (input[0] & 0x3F));
                    }
                } else {
                    // A genuine packet, truncated or with a few bits flipped: never authentic.
                    byte[] source = kind == 2 ? genuine[random.nextInt(genuine.length)] : genuineRtcp[random.nextInt(genuineRtcp.length)];
                    if (random.nextBoolean()) {
                        input = Arrays.copyOf(source, random.nextInt(source.length));
                    } else {
                        input = source.clone();
                        for (int f = 1 + random.nextInt(3); f > 0; f--) {
                            input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
                        }
                        if (Arrays.equals(input, source)) {
                            input[input.length - 1] ^= 0x01; // flips that cancelled out
                        }
                    }
                }
                boolean asRtcp = random.nextBoolean();
                byte[] out = asRtcp ? unprotectRtcp(pair.bob, input) : unprotectRtp(pair.bob, input);
                assertEquals(null, out, "iteration " + i);
            }
            SrtpCounters c = pair.bob.counters();
            assertEquals(iterations, c.totalDrops());
            assertEquals(0, c.accepted(SrtpOperation.UNPROTECT_RTP) + c.accepted(SrtpOperation.UNPROTECT_RTCP));
            assertEquals(0, pair.bob.streamCount(SrtpOperation.UNPROTECT_RTP) + pair.bob.streamCount(SrtpOperation.UNPROTECT_RTCP),
                    "no forged SSRC earned a context");
            // The genuine stream still works after all that.
            assertTrue(unprotectRtp(pair.bob, genuine[0]) != null);
            assertTrue(unprotectRtcp(pair.bob, genuineRtcp[0]) != null);
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void streamsBeyondTheLimitAreCountedAndForgeriesTakeNoSlot(SrtpProfile profile) {
        int limit = 3;
        try (Pair pair = new Pair(profile, limit)) {
            byte[][] srtp = new byte[limit + 1][];
            for (int s = 0; s <= limit; s++) {
                byte[] plain = rtp(0x1000 + s, 1, 0, payload(30, s));
                if (s < limit) {
                    srtp[s] = protectRtp(pair.alice, plain);
                } else {
                    ByteBuf extra = heap(plain);
                    try {
                        assertFalse(pair.alice.protectRtp(extra));
                    } finally {
                        extra.release();
                    }
                }
            }
            assertEquals(1, pair.alice.counters().drops(SrtpOperation.PROTECT_RTP, SrtpDropReason.TOO_MANY_STREAMS));
            assertEquals(limit, pair.alice.streamCount(SrtpOperation.PROTECT_RTP));

            // Forged packets with fresh SSRCs fail authentication and take no slot...
            for (int f = 0; f < 10; f++) {
                byte[] forged = srtp[0].clone();
                forged[11] = (byte) (0x80 + f);
                assertEquals(null, unprotectRtp(pair.bob, forged));
            }
            assertEquals(10, pair.bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.AUTH_FAILED));
            assertEquals(0, pair.bob.streamCount(SrtpOperation.UNPROTECT_RTP));
            // ...so every genuine stream still gets in; then the map is full.
            for (int s = 0; s < limit; s++) {
                assertTrue(unprotectRtp(pair.bob, srtp[s]) != null);
            }
            assertEquals(limit, pair.bob.streamCount(SrtpOperation.UNPROTECT_RTP));
            byte[] another = srtp[0].clone();
            another[11] = 0x7F;
            assertEquals(null, unprotectRtp(pair.bob, another));
            assertEquals(1, pair.bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.TOO_MANY_STREAMS));
            assertEquals(limit, pair.bob.counters().streamsCreated());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectWithoutTailroomIsACountedDropThatLeavesThePacketAlone(SrtpProfile profile) {
        try (Pair pair = new Pair(profile, 8)) {
            byte[] plain = rtp(SSRC, 1, 0, payload(100, 7));
            ByteBuf rtpBuf = heap(plain, profile.authTagLength() - 1);
            byte[] rtcpPlain = rtcp(SSRC, payload(8, 8));
            ByteBuf rtcpBuf = heap(rtcpPlain, profile.authTagLength() + 3);
            try {
                assertFalse(pair.alice.protectRtp(rtpBuf));
                assertArrayEquals(plain, readable(rtpBuf));
                assertFalse(pair.alice.protectRtcp(rtcpBuf));
                assertArrayEquals(rtcpPlain, readable(rtcpBuf));
                assertEquals(2, pair.alice.counters().drops(SrtpDropReason.NO_TAILROOM));
            } finally {
                rtpBuf.release();
                rtcpBuf.release();
            }
            // Exactly the documented tailroom is enough.
            ByteBuf exact = heap(plain, pair.alice.rtpTailroom());
            ByteBuf exactRtcp = heap(rtcpPlain, pair.alice.rtcpTailroom());
            try {
                assertTrue(pair.alice.protectRtp(exact));
                assertTrue(pair.alice.protectRtcp(exactRtcp));
                assertEquals(exact.capacity(), exact.writerIndex());
                assertEquals(exactRtcp.capacity(), exactRtcp.writerIndex());
            } finally {
                exact.release();
                exactRtcp.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void readOnlyBuffersAndClosedSessionsAreCountedDrops(SrtpProfile profile) {
        Pair pair = new Pair(profile, 8);
        byte[] srtp = protectRtp(pair.alice, rtp(SSRC, 1, 0, payload(20, 9)));
        ByteBuf readOnly = Unpooled.wrappedBuffer(srtp.clone()).asReadOnly();
        try {
            assertFalse(pair.bob.unprotectRtp(readOnly));
            assertEquals(1, pair.bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.READ_ONLY_BUFFER));
        } finally {
            readOnly.release();
        }
        pair.close();
        assertEquals(null, unprotectRtp(pair.bob, srtp));
        assertEquals(1, pair.bob.counters().drops(SrtpOperation.UNPROTECT_RTP, SrtpDropReason.CLOSED));
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
