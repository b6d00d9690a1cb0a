package org.archipelago.media.router;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.testing.FixtureBuffers;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VP8 payload descriptors (RFC 7741 §4.2) and key frame detection, fixtures one field per line. */
class Vp8PayloadDescriptorTest {
    /** Key frame header (RFC 6386 §9.1): frame tag with P = 0, start code, 640 x 480. */
    private static final int[] KEYFRAME_HEADER = {
            0x50, 0x2D, 0x00,       // frame tag: P = 0 (key frame), version 0, show_frame
            0x9D, 0x01, 0x2A,       // start code
            0x80, 0x02,             // width 640
            0xE0, 0x01,             // height 480
    };

    private static int[] concat(int[] head, int[] tail) {
        int[] all = new int[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    private static void withPayload(int[] bytes, Consumer<ByteBuf> check) {
        ByteBuf buffer = FixtureBuffers.of(bytes);
        try {
            check.accept(buffer);
        } finally {
            buffer.release();
        }
    }

    private static Vp8PayloadDescriptor parse(ByteBuf buffer) {
        Vp8PayloadDescriptor descriptor = new Vp8PayloadDescriptor();
        descriptor.wrap(buffer, 0, buffer.readableBytes());
        return descriptor;
    }

    @Test
    void minimalDescriptorStartingAKeyframe() {
        withPayload(concat(new int[]{
                0x10,                   // X=0 R=0 N=0 S=1 R=0 PID=0
        }, KEYFRAME_HEADER), buffer -> {
            Vp8PayloadDescriptor descriptor = parse(buffer);
            assertTrue(descriptor.isValid());
            assertEquals(1, descriptor.descriptorLength());
            assertFalse(descriptor.isExtended());
            assertTrue(descriptor.isStartOfFrame());
            assertFalse(descriptor.hasPictureId());
            assertEquals(Vp8PayloadDescriptor.ABSENT, descriptor.pictureId());
            assertEquals(Vp8PayloadDescriptor.ABSENT, descriptor.temporalLayerId());
            assertTrue(descriptor.isKeyframe());
            assertTrue(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
        });
    }

    @Test
    void fullyExtendedDescriptorWithLongPictureId() {
        withPayload(concat(new int[]{
                0x90,                   // X=1 S=1 PID=0
                0xF0,                   // I=1 L=1 T=1 K=1
                0x92, 0x34,             // M=1, picture ID 0x1234
                0x56,                   // TL0PICIDX 0x56
                0x65,                   // TID=1 Y=1 KEYIDX=5
        }, KEYFRAME_HEADER), buffer -> {
            Vp8PayloadDescriptor descriptor = parse(buffer);
            assertTrue(descriptor.isValid());
            assertEquals(6, descriptor.descriptorLength());
            assertTrue(descriptor.hasLongPictureId());
            assertEquals(0x1234, descriptor.pictureId());
            assertEquals(2, descriptor.pictureIdOffset());
            assertEquals(0x56, descriptor.tl0PicIdx());
            assertEquals(4, descriptor.tl0PicIdxOffset());
            assertEquals(1, descriptor.temporalLayerId());
            assertTrue(descriptor.isLayerSync());
            assertEquals(5, descriptor.keyIndex());
            assertTrue(descriptor.isKeyframe());
            assertTrue(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
        });
    }

    @Test
    void shortPictureIdAndKeyIndexWithoutTemporalLayer() {
        withPayload(new int[]{
                0xB0,                   // X=1 N=1 S=1 PID=0
                0x90,                   // I=1 K=1
                0x17,                   // M=0, picture ID 23
                0x1F,                   // TID (ignored, T=0) KEYIDX=31
                0x31, 0x00,             // interframe bytes (P = 1)
        }, buffer -> {
            Vp8PayloadDescriptor descriptor = parse(buffer);
            assertTrue(descriptor.isValid());
            assertEquals(4, descriptor.descriptorLength());
            assertTrue(descriptor.isNonReference());
            assertFalse(descriptor.hasLongPictureId());
            assertEquals(23, descriptor.pictureId());
            assertFalse(descriptor.hasTl0PicIdx());
            assertEquals(Vp8PayloadDescriptor.ABSENT, descriptor.temporalLayerId());
            assertFalse(descriptor.isLayerSync());
            assertEquals(31, descriptor.keyIndex());
            assertFalse(descriptor.isKeyframe());
        });
    }

    @Test
    void interframeIsNotAKeyframe() {
        withPayload(new int[]{
                0x10,                   // S=1 PID=0
                0x31, 0x2D, 0x00,       // frame tag: P = 1 (interframe)
                0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01,
        }, buffer -> {
            assertTrue(parse(buffer).isValid());
            assertFalse(parse(buffer).isKeyframe());
            assertFalse(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
        });
    }

    @Test
    void onlyTheFirstPacketOfAKeyframeCounts() {
        // The same bytes after the descriptor, but not at the start of partition 0.
        withPayload(concat(new int[]{
                0x00,                   // S=0: a continuation packet
        }, KEYFRAME_HEADER), buffer -> {
            assertTrue(parse(buffer).isValid());
            assertFalse(parse(buffer).isKeyframe());
            assertFalse(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
        });
        withPayload(concat(new int[]{
                0x11,                   // S=1 PID=1: start of the second partition
        }, KEYFRAME_HEADER), buffer -> {
            assertTrue(parse(buffer).isValid());
            assertFalse(parse(buffer).isKeyframe());
            assertFalse(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
        });
    }

    @Test
    void keyframeBitWithoutStartCodeIsNotAKeyframe() {
        withPayload(new int[]{
                0x10,                   // S=1 PID=0
                0x50, 0x2D, 0x00,       // P = 0
                0x9D, 0x01, 0x2B,       // wrong start code
                0x80, 0x02, 0xE0, 0x01,
        }, buffer -> assertFalse(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes())));
        withPayload(new int[]{
                0x10,                   // S=1 PID=0
                0x50, 0x2D, 0x00,       // P = 0, then the packet ends too early
                0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0,
        }, buffer -> assertFalse(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes())));
    }

    @Test
    void truncatedDescriptorsAreInvalid() {
        int[][] truncated = {
                {0x10},                 // no payload byte after the descriptor
                {0x90},                 // X=1, extension byte missing
                {0x90, 0x80},           // I=1, picture ID missing
                {0x90, 0x80, 0x92},     // M=1, second picture ID byte missing
                {0x90, 0xC0, 0x17},     // L=1, TL0PICIDX missing
                {0x90, 0x20, 0x40},     // T=1 and no payload after TID
        };
        for (int[] bytes : truncated) {
            withPayload(bytes, buffer -> {
                Vp8PayloadDescriptor descriptor = parse(buffer);
                assertFalse(descriptor.isValid());
                assertFalse(descriptor.isKeyframe());
                assertFalse(descriptor.hasPictureId());
                assertFalse(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
            });
        }
    }

    @Test
    void detectorClassifiesRtpPacketsByCodec() {
        int[] rtpHeader = {
                0x80, 0x60, 0x00, 0x01, // V=2 | PT=96 | seq 1
                0x00, 0x00, 0x00, 0x00, // ts
                0x00, 0x00, 0x00, 0x01, // SSRC
        };
        withPayload(concat(concat(rtpHeader, new int[]{0x10}), KEYFRAME_HEADER), buffer -> {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(KeyframeStatus.KEYFRAME, KeyframeDetector.VP8.check(packet));
            assertEquals(KeyframeStatus.KEYFRAME, KeyframeDetector.AUDIO.check(packet));
            assertEquals(KeyframeStatus.UNKNOWN, KeyframeDetector.UNDETECTED.check(packet));
        });
        withPayload(concat(rtpHeader, new int[]{0x00, 0x31, 0x00}), buffer -> {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(KeyframeStatus.NOT_KEYFRAME, KeyframeDetector.VP8.check(packet));
        });
        withPayload(rtpHeader, buffer -> {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buffer));
            assertEquals(KeyframeStatus.NOT_KEYFRAME, KeyframeDetector.VP8.check(packet), "empty payload");
        });
    }

    @Test
    void randomPayloadsNeverThrowAndBothChecksAgree() {
        SplittableRandom random = new SplittableRandom(7741);
        Vp8PayloadDescriptor descriptor = new Vp8PayloadDescriptor();
        // An untracked buffer: the PARANOID leak detector would record each of the ~4M accesses.
        ByteBuf buffer = Unpooled.wrappedBuffer(new byte[32]);
        try {
            for (int i = 0; i < 200_000; i++) {
                int length = random.nextInt(33);
                buffer.clear();
                for (int j = 0; j < length; j++) {
                    buffer.writeByte(random.nextInt(256));
                }
                if (length > 0 && random.nextBoolean()) {
                    // Bias towards the interesting case: S=1 PID=0 and a start code in place.
                    buffer.setByte(0, (buffer.getByte(0) & 0xE8) | 0x10);
                }
                boolean valid = descriptor.wrap(buffer, 0, length);
                boolean keyframe = Vp8PayloadDescriptor.isKeyframe(buffer, 0, length);
                assertEquals(keyframe, descriptor.isKeyframe(), "view and static check disagree");
                if (keyframe) {
                    assertTrue(valid);
                }
                if (valid) {
                    assertTrue(descriptor.descriptorLength() >= 1 && descriptor.descriptorLength() < length);
                }
                descriptor.wrap(buffer, 0, length + 1); // beyond the capacity when length is 32
            }
            // The same buffer, now certainly holding a key frame start.
            buffer.clear().writeByte(0x10);
            for (int b : KEYFRAME_HEADER) {
                buffer.writeByte(b);
            }
            assertTrue(Vp8PayloadDescriptor.isKeyframe(buffer, 0, buffer.readableBytes()));
            assertTrue(descriptor.wrap(buffer, 0, buffer.readableBytes()) && descriptor.isKeyframe());
        } finally {
            buffer.release();
        }
    }
}
