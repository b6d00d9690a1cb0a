package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;

import java.util.zip.CRC32;

/**
 * FINGERPRINT, the CRC-32 of a STUN message XORed with 0x5354554e
 * (<a href="https://www.rfc-editor.org/rfc/rfc8489#section-14.7">RFC 8489 §14.7</a>).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type 0x8028                 |         Length 4              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 CRC-32(message) XOR 0x5354554e                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The CRC covers the message up to (not including) FINGERPRINT, with the header length
 * already counting the FINGERPRINT. FINGERPRINT is always last, so for a received message the
 * length field is already right and the bytes are hashed as they are. The XOR keeps the value
 * from matching the CRC an application protocol sharing the port might carry (e.g. in RTP).
 *
 * <p>One instance holds a {@link CRC32} and a scratch array and is owned by one thread.
 */
public final class StunFingerprint {
    static final int XOR_VALUE = 0x5354554e;
    private static final int SCRATCH_LENGTH = 256;

    private final CRC32 crc = new CRC32();
    private final byte[] scratch = new byte[SCRATCH_LENGTH];

    /** Whether {@code message} (a valid view) carries a FINGERPRINT that matches; false if absent. */
    public boolean verify(StunMessage message) {
        int attributeIndex = message.fingerprintIndex();
        if (attributeIndex < 0) {
            return false;
        }
        ByteBuf buf = message.buffer();
        int expected = compute(buf, message.startIndex(), attributeIndex);
        return expected == buf.getInt(attributeIndex + StunAttribute.HEADER_LENGTH);
    }

    /**
     * The FINGERPRINT value for the bytes from {@code start} up to {@code attributeIndex}, where
     * the FINGERPRINT attribute is (or will be) written.
     */
    int compute(ByteBuf buf, int start, int attributeIndex) {
        crc.reset();
        int index = start;
        int count = attributeIndex - start;
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, count);
        } else {
            // Direct buffers: copy through a small scratch array rather than allocating a ByteBuffer.
            while (count > 0) {
                int chunk = Math.min(count, scratch.length);
                buf.getBytes(index, scratch, 0, chunk);
                crc.update(scratch, 0, chunk);
                index += chunk;
                count -= chunk;
            }
        }
        return (int) crc.getValue() ^ XOR_VALUE;
    }
}
